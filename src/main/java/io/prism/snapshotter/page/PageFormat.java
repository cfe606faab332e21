package io.prism.snapshotter.page;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** How a page is serialized (RFC-023 "Protobuf Page Format" and "NDJSON Page Format"). */
public enum PageFormat {
  /** One serialized {@code prism.snapshotter.EventPage}, metadata field first. */
  PROTOBUF("protobuf", ".pb", "application/x-protobuf"),
  /** A {@code {"metadata":{...}}} line, then one JSON object per event and line. */
  NDJSON("ndjson", ".ndjson", "application/x-ndjson");

  private static final byte NDJSON_FIRST_BYTE = '{';

  /** Field 1 (metadata), wire type 2 (length-delimited): how every EventPage we accept starts. */
  private static final byte PROTOBUF_FIRST_BYTE = 0x0a;

  private final String configName;
  private final String extension;
  private final String contentType;

  PageFormat(String configName, String extension, String contentType) {
    this.configName = configName;
    this.extension = extension;
    this.contentType = contentType;
  }

  /** The name used in configuration: "protobuf", "ndjson". */
  public String configName() {
    return configName;
  }

  /** The object key extension before any compression extension: ".pb", ".ndjson". */
  public String extension() {
    return extension;
  }

  /** The HTTP content type of an uncompressed page. */
  public String contentType() {
    return contentType;
  }

  /** The format whose {@link #configName()} is {@code name}. */
  public static PageFormat fromConfigName(String name) {
    for (PageFormat f : values()) {
      if (f.configName.equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "Unknown page format '"
            + name
            + "'; valid values are "
            + Arrays.stream(values())
                .map(PageFormat::configName)
                .collect(Collectors.joining(", ")));
  }

  /** The format a key names, ignoring a compression extension: {@code x.pb.zst} is PROTOBUF. */
  public static Optional<PageFormat> fromKey(String key) {
    if (key == null) {
      return Optional.empty();
    }
    String withoutCompression = Compression.stripExtension(key);
    for (PageFormat f : values()) {
      if (withoutCompression.endsWith(f.extension)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /**
   * The format of an <em>uncompressed</em> page from its first byte: '{' is NDJSON, 0x0a (the
   * metadata field's tag) is PROTOBUF. Empty for anything else.
   */
  public static Optional<PageFormat> detect(byte[] head, int len) {
    if (len < 1) {
      return Optional.empty();
    }
    if (head[0] == NDJSON_FIRST_BYTE) {
      return Optional.of(NDJSON);
    }
    if (head[0] == PROTOBUF_FIRST_BYTE) {
      return Optional.of(PROTOBUF);
    }
    return Optional.empty();
  }
}
