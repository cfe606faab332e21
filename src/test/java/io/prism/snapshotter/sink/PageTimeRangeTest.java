package io.prism.snapshotter.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.buffer.EvictionOrder;
import io.prism.snapshotter.buffer.FlushLimits;
import io.prism.snapshotter.buffer.FlushPolicy;
import io.prism.snapshotter.buffer.FlushReason;
import io.prism.snapshotter.buffer.MemoryBudget;
import io.prism.snapshotter.buffer.PageAssembler;
import io.prism.snapshotter.buffer.PageUploads;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.CompressionLevel;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageMetadata;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.StorageBackend;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kafka record times need not grow within a writer (producers' clocks, times set by clients): a
 * page's time range is its earliest and latest event, whatever their order, so that it can be
 * indexed, found by a time range that holds any of its events, and recognised on re-delivery.
 */
class PageTimeRangeTest {
  private static final TopicPartition PARTITION = new TopicPartition("events", 0);

  /**
   * Offsets 10, 11, 12 of writer w: the first is the latest, the middle one the earliest, and the
   * last is older than the first (a range taken from first and last would be inverted).
   */
  private static final long[] TIMES = {1_700_000_005_000L, 1_700_000_003_000L, 1_700_000_004_000L};

  @TempDir Path dir;

  private ObjectStore store;
  private SqlitePageIndex index;

  @BeforeEach
  void open() {
    store = new FilesystemObjectStore(dir.resolve("pages"));
    index = SqlitePageIndex.open(dir.resolve("index.db"));
  }

  @AfterEach
  void close() throws Exception {
    index.close();
    store.close();
  }

  @ParameterizedTest
  @EnumSource(PageFormat.class)
  void aPageWhoseTimesGoBackwardsIsStoredAndIndexedWithItsEarliestAndLatestTimes(PageFormat format)
      throws Exception {
    deliverAndStore(format);

    List<ObjectInfo> objects = store.list("", ObjectStore.MAX_KEYS_PER_PAGE, null).objects();
    assertThat(objects).hasSize(1);
    PageMetadata metadata;
    try (InputStream in = store.get(objects.get(0).key())) {
      metadata = new PageReader().read(in, objects.get(0).key()).metadata();
    }
    assertThat(metadata.startTime()).isEqualTo(TIMES[1]);
    assertThat(metadata.endTime()).isEqualTo(TIMES[0]);

    // Replay asks the index for the pages overlapping a time range: one holding only the earliest
    // event (before the first event's time) finds the page.
    List<IndexEntry> found = index.entries("w", new TimeRange(TIMES[1], TIMES[1] + 1));
    assertThat(found).extracting(IndexEntry::pageKey).containsExactly(objects.get(0).key());
    assertThat(found.get(0).startTime()).isEqualTo(TIMES[1]);
    assertThat(found.get(0).endTime()).isEqualTo(TIMES[0]);
  }

  @Test
  void aPageStoredWithAnInvertedRangeByAnEarlierVersionStillGetsAnIndexEntry() {
    PageMetadata firstAndLast =
        new PageMetadata(
            "w",
            10,
            TIMES[0],
            TIMES[2],
            3,
            100,
            PageMetadata.FORMAT_VERSION_V1,
            Compression.ZSTD,
            Map.of(),
            PageFormat.PROTOBUF);

    IndexEntry entry = PageCommitter.entryFromPage("w/10.pb.zst", firstAndLast, 80);

    assertThat(entry.startTime()).isEqualTo(TIMES[2]);
    assertThat(entry.endTime()).isEqualTo(TIMES[0]);
  }

  @ParameterizedTest
  @EnumSource(PageFormat.class)
  void reDeliveredRecordsOfSuchAPageAreRecognisedAsStoredAndNotStoredAgain(PageFormat format)
      throws Exception {
    deliverAndStore(format);

    // After a restart the same records come again: the index says they are in a stored page.
    deliverAndStore(format);

    assertThat(store.list("", ObjectStore.MAX_KEYS_PER_PAGE, null).objects()).hasSize(1);
    assertThat(index.entries("w", TimeRange.ALL)).hasSize(1);
  }

  /** A task's life: records 10..12 of writer w, then the partition is revoked (pages stored). */
  private void deliverAndStore(PageFormat format) throws Exception {
    PageCommitter committer =
        new PageCommitter(
            format,
            Compression.ZSTD,
            CompressionLevel.CODEC_DEFAULT,
            Map.of(),
            KeyTemplate.parse(KeyTemplate.DEFAULT),
            StorageBackend.FILESYSTEM,
            store,
            index);
    PageAssembler assembler =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(100, 1L << 20, Duration.ofHours(1))),
            new MemoryBudget(16L << 20, 0.75),
            EvictionOrder.OLDEST_FIRST,
            PageUploads.inline(committer),
            new IndexedPageLookup(index, false),
            Clock.systemUTC());
    for (int i = 0; i < TIMES.length; i++) {
      long offset = 10 + i;
      assembler.accept(
          PARTITION, offset, "w", new Event("e" + offset, TIMES[i], new byte[] {1}, Map.of()));
    }
    assembler.flushPartitions(List.of(PARTITION), FlushReason.PARTITION_REVOKED);
  }
}
