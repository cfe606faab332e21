package io.prism.snapshotter.sink;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How a merged page is named and how it says what it replaced.
 *
 * <p>Its <b>compaction id</b> is the first 16 hex digits of the SHA-256 of its source pages' keys
 * (in the writer's order, joined by newlines): the same sources give the same id, so a run that
 * follows a crash finds the page the crashed run wrote; different sources give different ids, so
 * two compactions never write the same key.
 *
 * <p>Its <b>key</b> is its first source's key with {@code _c<id>} put before the extension: {@code
 * .../1700000000000_events-0-00000000000000000042.pb.gz} becomes {@code
 * .../1700000000000_events-0-00000000000000000042_c5d41402abc4b2a76.pb.gz} (a merged source's own
 * {@code _c<id>} is replaced, not stacked). It stays under the writer's prefix, so listing a writer
 * finds it. A sink key never has this form with the key templates whose file name ends in {@code
 * {start_offset}{ext}} or {@code {sequence}{ext}} (the default and the documented ones): 20 digits
 * stand before the extension there. Writes are create-only in any case, and an existing object
 * under a merged key is used only if its {@link #ID_TAG} matches.
 *
 * <p>Its <b>tags</b> hold {@link #ID_TAG} and {@link #SOURCES_TAG}, the source keys one per line,
 * so a later run (or reindex) knows which pages it replaces from the page alone. Its <b>page
 * sequence</b> is negative, derived from the id ({@link #sequenceFor}), so its index slot (Redis
 * keys a page by writer, start time and sequence) never equals a sink page's, whose sequence is a
 * Kafka offset.
 */
public final class CompactedKeys {
  public static final String ID_TAG = "prism.compaction.id";
  public static final String SOURCES_TAG = "prism.compaction.sources";

  private static final int ID_HEX_DIGITS = 16;
  private static final String MARKER = "_c";
  private static final Pattern TRAILING_ID =
      Pattern.compile(MARKER + "[0-9a-f]{" + ID_HEX_DIGITS + "}$");

  /**
   * Every extension a page key can end in, longest first so {@code .pb.gz} wins over {@code .gz}.
   */
  private static final List<String> EXTENSIONS = knownExtensions();

  private CompactedKeys() {}

  /** The compaction id of a merge of these pages (keys in the writer's order). */
  public static String id(List<String> sourceKeys) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(String.join("\n", sourceKeys).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, ID_HEX_DIGITS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  /**
   * The merged page's key: the first source's key, without its extension and any {@code _c<id>},
   * then {@code _c<id>}, then {@code extension} (the configured format's) if the source had one.
   */
  public static String keyFor(String firstSourceKey, String id, String extension) {
    boolean hadExtension = extensionOf(firstSourceKey).length() > 0;
    return searchPrefix(firstSourceKey) + id + (hadExtension ? extension : "");
  }

  /**
   * What every merged key derived from this source key starts with (for finding them by listing).
   */
  public static String searchPrefix(String sourceKey) {
    String base = sourceKey.substring(0, sourceKey.length() - extensionOf(sourceKey).length());
    return TRAILING_ID.matcher(base).replaceFirst("") + MARKER;
  }

  /** Whether the key has the merged form (a cheap filter: the page's {@link #ID_TAG} decides). */
  public static boolean looksMerged(String key) {
    String base = key.substring(0, key.length() - extensionOf(key).length());
    return TRAILING_ID.matcher(base).find();
  }

  /** A negative page sequence from the id: never a sink page's (a Kafka offset, never negative). */
  public static long sequenceFor(String id) {
    return -1 - (Long.parseUnsignedLong(id, 16) >>> 1);
  }

  /** The compaction id of a merged page, or null when the page is not one. */
  public static String idOf(PageMetadata metadata) {
    return metadata.tags().get(ID_TAG);
  }

  /** The keys a merged page replaced, in the writer's order; empty when the page is not merged. */
  public static List<String> sourcesOf(PageMetadata metadata) {
    String sources = metadata.tags().get(SOURCES_TAG);
    return sources == null || sources.isEmpty() ? List.of() : List.of(sources.split("\n"));
  }

  public static String joinSources(List<String> sourceKeys) {
    return String.join("\n", sourceKeys);
  }

  private static String extensionOf(String key) {
    for (String extension : EXTENSIONS) {
      if (key.endsWith(extension) && key.length() > extension.length()) {
        return extension;
      }
    }
    return "";
  }

  private static List<String> knownExtensions() {
    List<String> extensions = new ArrayList<>();
    for (PageFormat format : PageFormat.values()) {
      for (Compression compression : Compression.values()) {
        String extension = format.extension() + compression.extension();
        if (!extension.isEmpty()) {
          extensions.add(extension);
        }
      }
    }
    extensions.sort(Comparator.comparingInt(String::length).reversed());
    return List.copyOf(extensions);
  }
}
