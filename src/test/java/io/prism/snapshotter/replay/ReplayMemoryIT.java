package io.prism.snapshotter.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/snapshotter replay} at {@code -Xmx256m} over 1,000,000 events in 1,000 pages (about
 * 300 MB of payload, more than the heap): every event comes out, in order, and the process does not
 * run out of memory.
 */
class ReplayMemoryIT {
  private static final Path LAUNCHER =
      Path.of(System.getProperty("user.dir")).resolve("bin/snapshotter");
  private static final int PAGES = 1_000;
  private static final int EVENTS_PER_PAGE = 1_000;
  private static final int PAYLOAD_BYTES = 300;

  @TempDir Path dir;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void replaysAMillionEventsInA256MegabyteHeap() throws Exception {
    FilesystemObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
    byte[] filler = new byte[PAYLOAD_BYTES - 8];
    Arrays.fill(filler, (byte) 'x');
    for (int p = 0; p < PAGES; p++) {
      long first = (long) p * EVENTS_PER_PAGE;
      List<Event> events = new ArrayList<>(EVENTS_PER_PAGE);
      for (long o = first; o < first + EVENTS_PER_PAGE; o++) {
        byte[] payload = new byte[PAYLOAD_BYTES];
        byte[] number = String.format("%07d ", o).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(number, 0, payload, 0, 8);
        System.arraycopy(filler, 0, payload, 8, filler.length);
        events.add(Event.wrap("events-0-" + o, 1_700_000_000_000L + o, payload, Map.of()));
      }
      byte[] page =
          Pages.encode(
              "big",
              first,
              Pages.kafkaTags(0, first, first + EVENTS_PER_PAGE - 1),
              events,
              PageFormat.PROTOBUF,
              Compression.ZSTD);
      store.put(
          String.format("big/%07d.pb.zst", first),
          new ByteArrayInputStream(page),
          page.length,
          PutOptions.defaults());
    }
    Path config = dir.resolve("replay.properties");
    Files.writeString(
        config,
        "storage.backend=filesystem\nstorage.filesystem.path="
            + dir.resolve("pages")
            + "\nstorage.key.template={writer_id}/{start_offset}{ext}\n");

    ProcessBuilder pb =
        new ProcessBuilder(
                LAUNCHER.toString(),
                "replay",
                "--writer",
                "big",
                "--config",
                config.toString(),
                "--output",
                "raw")
            .redirectError(dir.resolve("replay.err").toFile());
    pb.environment().put("SNAPSHOTTER_SKIP_BUILD", "1");
    pb.environment().put("SNAPSHOTTER_JAVA_OPTS", "-Xmx256m -XX:+ExitOnOutOfMemoryError");
    Process replay = pb.start();
    long count = 0;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(replay.getInputStream(), StandardCharsets.US_ASCII), 1 << 16)) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (count % 997 == 0) {
          assertThat(line).startsWith(String.format("%07d ", count)).hasSize(PAYLOAD_BYTES);
        }
        count++;
      }
    }
    assertThat(replay.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(replay.exitValue()).as(Files.readString(dir.resolve("replay.err"))).isZero();
    assertThat(count).isEqualTo((long) PAGES * EVENTS_PER_PAGE);
  }
}
