package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Decodes a possibly corrupt page under a timeout, for the fuzz tests. */
final class GuardedDecode {
  /** A daemon thread, so a decode that hangs fails its test without keeping the JVM alive. */
  private static final ExecutorService DECODER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "fuzz-decoder");
            t.setDaemon(true);
            return t;
          });

  private static final long TIMEOUT_SECONDS = 10;

  /** A small page with every kind of field. */
  static final List<Event> EVENTS =
      List.of(
          new Event(
              "e0", 1_700_000_000_000L, new byte[] {0, 1, 2, (byte) 0xff}, Map.of("type", "login")),
          new Event("e1", 1_700_000_000_001L, new byte[0], Map.of()),
          new Event(
              "e2 🎉", 1_700_000_000_002L, "{\"a\":1}".getBytes(), Map.of("k", "v", "k2", "\"\n")));

  /** Limits small enough that limit paths are exercised too, large enough for the sample pages. */
  static final PageReader READER = new PageReader(new PageLimits(64 << 10, 16 << 10, 100, 50));

  enum Hint {
    KEY,
    MAGIC,
    EXPLICIT
  }

  private GuardedDecode() {}

  /** The decoded page, or null when rejected with a PageFormatException; anything else fails. */
  static Page decodeOrReject(byte[] bytes, PageFormat format, Compression compression, Hint hint)
      throws Exception {
    Future<Page> result =
        DECODER.submit(
            () -> {
              ByteArrayInputStream in = new ByteArrayInputStream(bytes);
              return switch (hint) {
                case KEY -> READER.read(in, TestPages.key(format, compression));
                case MAGIC -> READER.read(in, null);
                case EXPLICIT -> READER.read(in, format, compression);
              };
            });
    try {
      Page page = result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(page.events()).hasSize((int) page.metadata().eventCount());
      return page;
    } catch (TimeoutException e) {
      result.cancel(true);
      return fail("decoding hung for " + TIMEOUT_SECONDS + "s on " + bytes.length + " bytes");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof PageFormatException) {
        return null;
      }
      throw new AssertionError(
          "expected a PageFormatException or a page, got " + e.getCause(), e.getCause());
    }
  }
}
