package io.prism.snapshotter.page;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Events and encoded pages for the page tests, plus plain (non-codec) compression helpers. */
final class TestPages {
  static final PageSpec SPEC = new PageSpec("user-123", 42, Map.of("environment", "production"));

  private TestPages() {}

  /** Every byte value, an empty payload, unicode/quote/newline attributes, an empty id. */
  static List<Event> tricky() {
    byte[] allBytes = new byte[256];
    for (int i = 0; i < 256; i++) {
      allBytes[i] = (byte) i;
    }
    Map<String, String> unicode = new LinkedHashMap<>();
    unicode.put("emoji 🎉", "value with \"quotes\",\nnew lines\r\n\tand tabs \\ backslash");
    unicode.put("ключ", "値 ü \u2028 \u0000 nul");
    unicode.put("", "");
    Random random = new Random(7);
    byte[] big = new byte[5000];
    random.nextBytes(big);
    List<Event> events = new ArrayList<>();
    events.add(new Event("evt-000", 1_696_800_000_000L, allBytes, Map.of()));
    events.add(new Event("evt-001 \"quoted\" 🎉", 1_696_800_000_001L, new byte[0], unicode));
    events.add(new Event("", 0, big, Map.of("type", "user.login")));
    events.add(
        new Event(
            "evt-003",
            -5,
            "{\"json\":\"payload\"}\n".getBytes(StandardCharsets.UTF_8),
            Map.of("type", "")));
    return events;
  }

  /** {@code count} small events with increasing timestamps. */
  static List<Event> many(int count) {
    List<Event> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] payload = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
      events.add(
          Event.wrap("topic-0-" + i, 1_700_000_000_000L + i, payload, Map.of("k", "v" + (i % 7))));
    }
    return events;
  }

  static EncodedBytes encode(PageFormat format, Compression compression, List<Event> events) {
    return encode(format, compression, SPEC, events);
  }

  /** The stored bytes of a page of {@code events} written as {@code spec}. */
  static byte[] encodeWith(
      PageFormat format, Compression compression, PageSpec spec, List<Event> events) {
    return encode(format, compression, spec, events).bytes();
  }

  private static EncodedBytes encode(
      PageFormat format, Compression compression, PageSpec spec, List<Event> events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      EncodedPage page = new PageEncoder().encode(format, compression, spec, events, out);
      return new EncodedBytes(page, out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  record EncodedBytes(EncodedPage page, byte[] bytes) {}

  static String key(PageFormat format, Compression compression) {
    return "snapshots/2026/11/26/user-123/1700000000000_42"
        + format.extension()
        + compression.extension();
  }

  /** Decompresses with the JDK/zstd-jni streams directly, not through {@link Compression}. */
  static byte[] plainDecompress(Compression compression, byte[] stored) throws IOException {
    InputStream in =
        switch (compression) {
          case NONE -> new ByteArrayInputStream(stored);
          case GZIP -> new GZIPInputStream(new ByteArrayInputStream(stored));
          case ZSTD -> new ZstdInputStream(new ByteArrayInputStream(stored));
        };
    try (in) {
      return in.readAllBytes();
    }
  }

  /** Compresses with the JDK/zstd-jni streams directly, not through {@link Compression}. */
  static byte[] plainCompress(Compression compression, byte[] raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      OutputStream out =
          switch (compression) {
            case NONE -> bytes;
            case GZIP -> new GZIPOutputStream(bytes);
            case ZSTD -> new ZstdOutputStream(bytes);
          };
      try (out) {
        out.write(raw);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
