package io.prism.snapshotter.compact;

import io.prism.snapshotter.buffer.FlushLimits;
import io.prism.snapshotter.buffer.FlushPolicy;
import io.prism.snapshotter.buffer.FlushReason;
import io.prism.snapshotter.buffer.MemoryBudget;
import io.prism.snapshotter.buffer.PageAssembler;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.replay.EventFilter;
import io.prism.snapshotter.replay.IndexPageLocator;
import io.prism.snapshotter.replay.ReplaySettings;
import io.prism.snapshotter.replay.ReplayStream;
import io.prism.snapshotter.replay.Replayer;
import io.prism.snapshotter.replay.StorageScanLocator;
import io.prism.snapshotter.replay.StorePageSource;
import io.prism.snapshotter.sink.PageCommitter;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ListPage;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;

/**
 * Pages stored the way the sink stores them (the real {@link PageCommitter} behind the real {@link
 * PageAssembler}), and replay of them, for the compaction tests.
 */
final class SinkWrittenPages {
  static final TopicPartition PARTITION = new TopicPartition("events", 0);
  static final long START_MILLIS = 1_700_000_000_000L;

  /** Replay with no window of recent ids: only the page-overlap check may drop repeats. */
  static final ReplaySettings STRICT_REPLAY = new ReplaySettings(2, 4, 16L << 20, 0);

  private SinkWrittenPages() {}

  /**
   * Stores {@code events} events at offsets from {@code firstOffset}, alternating between writers
   * {@code w} and {@code other} (so a writer's offsets have gaps), {@code perPage} events of a
   * writer per page. Event ids are {@code <writer>-<offset>}; event times one second per offset
   * after {@code startMillis}.
   */
  static void store(
      ObjectStore store,
      PageIndex index,
      long firstOffset,
      int events,
      int perPage,
      long startMillis)
      throws Exception {
    store(
        store,
        index,
        firstOffset,
        events,
        perPage,
        startMillis,
        (writer, offset) -> writer + "-" + offset);
  }

  /** As above, with event ids from {@code ids} (given writer and offset). */
  static void store(
      ObjectStore store,
      PageIndex index,
      long firstOffset,
      int events,
      int perPage,
      long startMillis,
      java.util.function.BiFunction<String, Long, String> ids)
      throws Exception {
    store(store, index, List.of("w", "other"), firstOffset, events, perPage, startMillis, ids);
  }

  /**
   * As above, the offsets going round {@code writers} (offset {@code o} to {@code writers[o %
   * size]}), ids {@code <writer>-<offset>}.
   */
  static void store(
      ObjectStore store,
      PageIndex index,
      List<String> writers,
      long firstOffset,
      int events,
      int perPage,
      long startMillis)
      throws Exception {
    store(
        store,
        index,
        writers,
        firstOffset,
        events,
        perPage,
        startMillis,
        (writer, offset) -> writer + "-" + offset);
  }

  private static void store(
      ObjectStore store,
      PageIndex index,
      List<String> writers,
      long firstOffset,
      int events,
      int perPage,
      long startMillis,
      java.util.function.BiFunction<String, Long, String> ids)
      throws Exception {
    store(
        store,
        index,
        KeyTemplate.parse(KeyTemplate.DEFAULT),
        writers,
        firstOffset,
        events,
        perPage,
        startMillis,
        ids);
  }

  /** As above, under {@code template} instead of the default one. */
  static void store(
      ObjectStore store,
      PageIndex index,
      KeyTemplate template,
      List<String> writers,
      long firstOffset,
      int events,
      int perPage,
      long startMillis,
      java.util.function.BiFunction<String, Long, String> ids)
      throws Exception {
    PageCommitter committer =
        new PageCommitter(
            PageFormat.PROTOBUF,
            Compression.GZIP,
            Map.of("team", "ingest"),
            template,
            store,
            index);
    PageAssembler assembler =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(perPage, 50L << 20, Duration.ofDays(365))),
            new MemoryBudget(64L << 20, 0.75),
            committer,
            Clock.systemUTC());
    Random random = new Random(firstOffset);
    for (long offset = firstOffset; offset < firstOffset + events; offset++) {
      String writer = writers.get((int) (offset % writers.size()));
      byte[] payload = new byte[100];
      random.nextBytes(payload);
      assembler.accept(
          PARTITION,
          offset,
          writer,
          new Event(ids.apply(writer, offset), startMillis + offset * 1_000L, payload, Map.of()));
      assembler.writeClosedPages();
    }
    assembler.flushPartitions(List.of(PARTITION), FlushReason.TASK_STOP);
  }

  /**
   * The ids {@link #store} gave {@code writer}'s events at offsets {@code [first, first + events)}.
   */
  static List<String> ids(String writer, long firstOffset, int events) {
    List<String> ids = new ArrayList<>();
    for (long offset = firstOffset; offset < firstOffset + events; offset++) {
      if ((offset % 2 == 0) == writer.equals("w")) {
        ids.add(writer + "-" + offset);
      }
    }
    return ids;
  }

  /**
   * The ids {@link #store} gave {@code writer}'s events, going round {@code writers} from offset 0.
   */
  static List<String> ids(List<String> writers, String writer, int events) {
    List<String> ids = new ArrayList<>();
    for (long offset = 0; offset < events; offset++) {
      if (writers.get((int) (offset % writers.size())).equals(writer)) {
        ids.add(writer + "-" + offset);
      }
    }
    return ids;
  }

  /**
   * The writer's event ids as replay gives them, through the index ({@code null}: listing storage).
   */
  static List<String> replay(ObjectStore store, PageIndex index, String writer) {
    KeyTemplate template = KeyTemplate.parse(KeyTemplate.DEFAULT);
    List<String> ids = new ArrayList<>();
    try (Replayer replayer =
            new Replayer(
                pool ->
                    index == null
                        ? new StorageScanLocator(store, template, pool)
                        : new IndexPageLocator(index),
                new StorePageSource(store),
                STRICT_REPLAY,
                null);
        ReplayStream events = replayer.replay(writer, EventFilter.ALL)) {
      while (events.hasNext()) {
        ids.add(events.next().event().eventId());
      }
    }
    return ids;
  }

  /** Every key in the store. */
  static List<String> keys(ObjectStore store) {
    List<String> keys = new ArrayList<>();
    String token = null;
    do {
      ListPage page = store.list("", ObjectStore.MAX_KEYS_PER_PAGE, token);
      page.objects().stream().map(ObjectInfo::key).forEach(keys::add);
      token = page.nextContinuationToken();
    } while (token != null);
    return keys;
  }
}
