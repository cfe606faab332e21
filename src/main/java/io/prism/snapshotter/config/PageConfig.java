package io.prism.snapshotter.config;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  public static final NamedValues<PageFormat> FORMATS = NamedValues.of(PageFormat.class, PageFormat::configName);
  public static final NamedValues<Compression> COMPRESSIONS =
      NamedValues.of(Compression.class, Compression::configName);

  /** Tag names the sink sets itself; users may not set them through {@code page.tags}. */
  public static final String RESERVED_TAG_PREFIX = "kafka.";

  public static final String FORMAT = "page.format";
  static final String FORMAT_DOC = "Serialization of a page: " + FORMATS + ".";

  public static final String COMPRESSION = "page.compression";
  static final String COMPRESSION_DOC = "Compression of a whole page: " + COMPRESSIONS + ".";

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
          + RESERVED_TAG_PREFIX + "' are reserved for the Kafka coordinates the sink adds.";

  private final PageFormat format;
  private final Compression compression;
  private final int targetSizeMb;
  private final boolean includeMetadata;
  private final Map<String, String> tags;

  public PageConfig(AbstractConfig config) {
    this.format = FORMATS.parse(FORMAT, config.getString(FORMAT));
    this.compression = COMPRESSIONS.parse(COMPRESSION, config.getString(COMPRESSION));
    this.targetSizeMb = config.getInt(TARGET_SIZE_MB);
    this.includeMetadata = config.getBoolean(INCLUDE_METADATA);
    this.tags = parseTags(config.getList(TAGS));
  }

  public static ConfigDef addTo(ConfigDef def) {
    int order = 0;
    return def.define(FORMAT, Type.STRING, PageFormat.PROTOBUF.configName(), FORMATS, Importance.HIGH,
            FORMAT_DOC, GROUP, ++order, Width.SHORT, "Page format", FORMATS)
        .define(COMPRESSION, Type.STRING, Compression.GZIP.configName(), COMPRESSIONS, Importance.HIGH,
            COMPRESSION_DOC, GROUP, ++order, Width.SHORT, "Page compression", COMPRESSIONS)
        .define(TARGET_SIZE_MB, Type.INT, 10, Range.between(1, 5 * 1024), Importance.LOW,
            TARGET_SIZE_MB_DOC, GROUP, ++order, Width.SHORT, "Target page size (MiB)")
        .define(INCLUDE_METADATA, Type.BOOLEAN, true, Importance.MEDIUM, INCLUDE_METADATA_DOC, GROUP,
            ++order, Width.SHORT, "Keep record headers")
        .define(TAGS, Type.LIST, "", DescribedValidator.of("name=value,...", PageConfig::validateTags), Importance.LOW, TAGS_DOC, GROUP, ++order,
            Width.LONG, "Page tags");
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
        throw new ConfigException(TAGS, entry, "tag names starting with '" + RESERVED_TAG_PREFIX + "' are reserved");
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

  public long targetSizeBytes() {
    return targetSizeMb * 1024L * 1024L;
  }

  public boolean includeMetadata() {
    return includeMetadata;
  }

  public Map<String, String> tags() {
    return tags;
  }
}
