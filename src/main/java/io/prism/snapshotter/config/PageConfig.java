package io.prism.snapshotter.config;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.CompressionLevel;
import io.prism.snapshotter.page.PageFormat;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/** {@code page.*}: how a page is serialized and compressed, and what it carries. */
public final class PageConfig {
  public static final String GROUP = "Page";

  public static final NamedValues<PageFormat> FORMATS =
      NamedValues.of(PageFormat.class, PageFormat::configName);
  public static final NamedValues<Compression> COMPRESSIONS =
      NamedValues.of(Compression.class, Compression::configName);
  public static final NamedValues<JsonDecimalFormat> DECIMAL_FORMATS =
      NamedValues.of(JsonDecimalFormat.class, JsonDecimalFormat::configName);

  /** Tag names the sink sets itself; users may not set them through {@code page.tags}. */
  public static final String RESERVED_TAG_PREFIX = "kafka.";

  public static final String FORMAT = "page.format";
  static final String FORMAT_DOC = "Serialization of a page: " + FORMATS + ".";

  public static final String COMPRESSION = "page.compression";
  static final String COMPRESSION_DOC = "Compression of a whole page: " + COMPRESSIONS + ".";

  public static final String COMPRESSION_LEVEL = "page.compression.level";
  static final String COMPRESSION_LEVEL_DOC =
      "How hard "
          + COMPRESSION
          + " works: lower is faster, higher stores less. Unset or empty (the default): the"
          + " codec's own level (zstd "
          + Compression.ZSTD.defaultLevel()
          + ", gzip "
          + Compression.GZIP.defaultLevel()
          + "); "
          + levelRanges()
          + "; none ignores it. Readers need no setting: pages of every level decode"
          + " alike.";

  public static final String TARGET_SIZE_MB = "page.target.size.mb";
  static final String TARGET_SIZE_MB_DOC =
      "Soft target for a page's stored size, in MiB: compaction merges small pages up to it. The"
          + " sink itself closes pages at buffer.max.size.bytes.";

  public static final String INCLUDE_METADATA = "page.include.metadata";
  static final String INCLUDE_METADATA_DOC =
      "Keep each record's headers as the event's attributes. When false, events carry no attributes.";

  public static final String TAGS = "page.tags";
  static final String TAGS_DOC =
      "Tags copied into every page's metadata, as k=v,k=v. Names starting with '"
          + RESERVED_TAG_PREFIX
          + "' are reserved for the Kafka coordinates the sink adds.";

  public static final String JSON_DECIMAL_FORMAT = "page.json.decimal.format";
  static final String JSON_DECIMAL_FORMAT_DOC =
      "How decimals (Connect's Decimal logical type, e.g. from Avro or JsonConverter with schemas) are written"
          + " when a structured record value becomes the event's JSON payload: numeric, a JSON number with every"
          + " digit (12.30); base64, the unscaled value's bytes as JsonConverter writes them by default. Byte"
          + " array and string values are stored as they are, whatever this says.";

  private final PageFormat format;
  private final Compression compression;
  private final CompressionLevel compressionLevel;
  private final int targetSizeMb;
  private final boolean includeMetadata;
  private final Map<String, String> tags;
  private final JsonDecimalFormat jsonDecimalFormat;

  public PageConfig(AbstractConfig config) {
    this.format = FORMATS.parse(FORMAT, config.getString(FORMAT));
    this.compression = COMPRESSIONS.parse(COMPRESSION, config.getString(COMPRESSION));
    // Whether the level fits the codec is a cross-key question: see crossKeyErrors().
    this.compressionLevel =
        CompressionLevel.ofNullable(parseLevel(config.getString(COMPRESSION_LEVEL)));
    this.targetSizeMb = config.getInt(TARGET_SIZE_MB);
    this.includeMetadata = config.getBoolean(INCLUDE_METADATA);
    this.tags = parseTags(config.getList(TAGS));
    this.jsonDecimalFormat =
        DECIMAL_FORMATS.parse(JSON_DECIMAL_FORMAT, config.getString(JSON_DECIMAL_FORMAT));
  }

  public static ConfigDef addTo(ConfigDef def) {
    int order = 0;
    return def.define(
            FORMAT,
            Type.STRING,
            PageFormat.PROTOBUF.configName(),
            FORMATS,
            Importance.HIGH,
            FORMAT_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Page format",
            FORMATS)
        .define(
            COMPRESSION,
            Type.STRING,
            Compression.GZIP.configName(),
            COMPRESSIONS,
            Importance.HIGH,
            COMPRESSION_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Page compression",
            COMPRESSIONS)
        // A string, not an INT: "page.compression.level=" (empty, as a properties file or a form
        // leaves it) then means the codec's default instead of "not a number".
        .define(
            COMPRESSION_LEVEL,
            Type.STRING,
            null,
            DescribedValidator.of(
                "unset, empty, or a level that " + COMPRESSION + " takes",
                PageConfig::validateLevel),
            Importance.LOW,
            COMPRESSION_LEVEL_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Page compression level")
        .define(
            TARGET_SIZE_MB,
            Type.INT,
            10,
            Range.between(1, 5 * 1024),
            Importance.LOW,
            TARGET_SIZE_MB_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Target page size (MiB)")
        .define(
            INCLUDE_METADATA,
            Type.BOOLEAN,
            true,
            Importance.MEDIUM,
            INCLUDE_METADATA_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Keep record headers")
        .define(
            TAGS,
            Type.LIST,
            "",
            DescribedValidator.of("name=value,...", PageConfig::validateTags),
            Importance.LOW,
            TAGS_DOC,
            GROUP,
            ++order,
            Width.LONG,
            "Page tags")
        .define(
            JSON_DECIMAL_FORMAT,
            Type.STRING,
            JsonDecimalFormat.NUMERIC.configName(),
            DECIMAL_FORMATS,
            Importance.LOW,
            JSON_DECIMAL_FORMAT_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Decimals in JSON payloads",
            DECIMAL_FORMATS);
  }

  /**
   * Single-key check: a level that no codec takes. Whether it fits page.compression is cross-key.
   */
  private static void validateLevel(String name, Object value) {
    if (value == null) {
      return;
    }
    Integer level = parseLevel((String) value);
    if (level == null) {
      return;
    }
    if (!Compression.ZSTD.acceptsLevel(level) && !Compression.GZIP.acceptsLevel(level)) {
      throw new ConfigException(
          name,
          value,
          "no codec has this level: "
              + levelRanges()
              + " (leave it unset for the codec's default)");
    }
  }

  /** Null for unset or blank (the codec's default), else the whole number given. */
  private static Integer parseLevel(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Integer.valueOf(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(
          COMPRESSION_LEVEL,
          value,
          "not a whole number: "
              + levelRanges()
              + " (leave it empty or unset for the codec's default)");
    }
  }

  private static String levelRanges() {
    return Arrays.stream(Compression.values())
        .filter(c -> c != Compression.NONE)
        .map(Compression::levelRange)
        .collect(Collectors.joining("; "));
  }

  private static void validateTags(String name, Object value) {
    @SuppressWarnings("unchecked")
    List<String> entries = (List<String>) value;
    parseTags(entries);
  }

  static Map<String, String> parseTags(List<String> entries) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(TAGS, entry, "each tag must be name=value with a non-empty name");
      }
      String name = entry.substring(0, eq).trim();
      if (name.startsWith(RESERVED_TAG_PREFIX)) {
        throw new ConfigException(
            TAGS, entry, "tag names starting with '" + RESERVED_TAG_PREFIX + "' are reserved");
      }
      if (tags.put(name, entry.substring(eq + 1).trim()) != null) {
        throw new ConfigException(TAGS, entry, "tag '" + name + "' is given twice");
      }
    }
    return Map.copyOf(tags);
  }

  public PageFormat format() {
    return format;
  }

  public Compression compression() {
    return compression;
  }

  /**
   * The configured {@code page.compression.level}, which {@link #compression()} accepts.
   *
   * @throws ConfigException when it does not (see {@link #crossKeyErrors()})
   */
  public CompressionLevel compressionLevel() {
    Map<String, List<String>> errors = crossKeyErrors();
    if (!errors.isEmpty()) {
      throw new ConfigException(
          COMPRESSION_LEVEL,
          compressionLevel.toString(),
          String.join("; ", errors.get(COMPRESSION_LEVEL)));
    }
    return compressionLevel;
  }

  /**
   * Problems that involve more than one key, for the connector's {@code validate()} (key →
   * messages). A level the codec does not take is attached to {@code page.compression.level}, the
   * key to change.
   */
  public Map<String, List<String>> crossKeyErrors() {
    if (compressionLevel.fits(compression)) {
      return Map.of();
    }
    return Map.of(
        COMPRESSION_LEVEL,
        List.of(
            COMPRESSION_LEVEL
                + " "
                + compressionLevel
                + " is out of range for "
                + COMPRESSION
                + "="
                + compression.configName()
                + ": "
                + compression.levelRange()
                + " (leave it unset for "
                + compression.configName()
                + "'s default, "
                + compression.defaultLevel()
                + ")"));
  }

  public long targetSizeBytes() {
    return targetSizeMb * 1024L * 1024L;
  }

  public boolean includeMetadata() {
    return includeMetadata;
  }

  public Map<String, String> tags() {
    return tags;
  }

  public JsonDecimalFormat jsonDecimalFormat() {
    return jsonDecimalFormat;
  }
}
