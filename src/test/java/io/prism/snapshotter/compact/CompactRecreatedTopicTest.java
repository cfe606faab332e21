package io.prism.snapshotter.compact;

import static io.prism.snapshotter.compact.SinkWrittenPages.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.RecordTimes;
import io.prism.snapshotter.sink.CompactedKeys;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.testing.StoredPages;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic deleted and created again under the same store prefix: its default event ids repeat the
 * old topic's. Merging its pages with the old topic's keeps both topics' events (and still drops
 * the copies of a record stored twice), since the sources are deleted afterwards.
 */
class CompactRecreatedTopicTest {
  private static final long DAY = Duration.ofDays(1).toMillis();

  @TempDir Path dir;

  @Test
  void mergingBothTopicsPagesKeepsEveryEventOfEach() throws Exception {
    try (FilesystemObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
        SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      // Offsets 0..39 twice, a day apart; ids <topic>-<partition>-<offset> as the sink gives them.
      SinkWrittenPages.store(store, index, 0, 40, 5, START_MILLIS, (w, o) -> "events-0-" + o);
      SinkWrittenPages.store(store, index, 0, 40, 5, START_MILLIS + DAY, (w, o) -> "events-0-" + o);
      List<String> before = SinkWrittenPages.replay(store, index, "w");
      assertThat(before).as("replay shows both topics' events").hasSize(40);

      Compactor compactor =
          new Compactor(
              store,
              index,
              WriterPages.fromIndex(index),
              new CompactionSettings(
                  Duration.ofDays(1), 1_000_000, 1_000_000, PageFormat.PROTOBUF, Compression.ZSTD),
              Clock.fixed(Instant.ofEpochMilli(START_MILLIS + 30 * DAY), ZoneOffset.UTC));
      compactor.run("w", false);

      List<StoredPages.StoredPage> merged = new ArrayList<>();
      for (StoredPages.StoredPage page : StoredPages.readAll(store, "")) {
        if (page.page().metadata().writerId().equals("w")) {
          merged.add(page);
        }
      }
      assertThat(merged).hasSize(1);
      assertThat(CompactedKeys.looksMerged(merged.get(0).key())).isTrue();
      assertThat(merged.get(0).page().events()).as("both topics' 20 events of w").hasSize(40);
      assertThat(merged.get(0).tag(RecordTimes.TAG)).isEqualTo(RecordTimes.RECORD);
      assertThat(SinkWrittenPages.replay(store, index, "w"))
          .containsExactlyInAnyOrderElementsOf(before);
    }
  }
}
