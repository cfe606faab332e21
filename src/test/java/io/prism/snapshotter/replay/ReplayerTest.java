package io.prism.snapshotter.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.RecordTimes;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayerTest {
  @TempDir Path dir;

  private Replayer replayer(FilesystemObjectStore store, String template, ReplaySettings settings) {
    return new Replayer(
        pool -> new StorageScanLocator(store, KeyTemplate.parse(template), pool),
        new StorePageSource(store),
        settings,
        store);
  }

  private static List<String> ids(Replayer replayer, String writer, EventFilter filter) {
    List<String> ids = new ArrayList<>();
    try (ReplayStream events = replayer.replay(writer, filter)) {
      while (events.hasNext()) {
        ids.add(events.next().event().eventId());
      }
    }
    return ids;
  }

  private static List<String> expectedIds(int partition, long first, long last) {
    return LongStream.rangeClosed(first, last)
        .mapToObj(o -> "events-" + partition + "-" + o)
        .toList();
  }

  @Test
  void eventsComeOutInWriterOrderWhateverTheFetchOrder() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    // 40 pages, stored under keys whose listing order is the reverse of writer order.
    for (int page = 0; page < 40; page++) {
      long first = page * 25L;
      Pages.store(
          store,
          "snapshots/" + (1000 - page) + "/w/" + first + ".pb.zst",
          "w",
          0,
          first,
          first + 24,
          PageFormat.PROTOBUF,
          Compression.ZSTD);
    }
    try (Replayer replayer =
        replayer(store, KeyTemplate.DEFAULT, new ReplaySettings(3, 4, 1 << 20, 16))) {
      assertThat(ids(replayer, "w", EventFilter.ALL))
          .containsExactlyElementsOf(expectedIds(0, 0, 999));
    }
  }

  @Test
  void pagesWithoutKafkaTagsAreOrderedByStartTime() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    for (int page = 2; page >= 0; page--) {
      List<Event> events = List.of(Pages.event("e" + page, 100L * page, page));
      byte[] bytes = Pages.encode("w", page, Map.of(), events, PageFormat.NDJSON, Compression.NONE);
      store.put(
          "w/" + (9 - page) + ".ndjson",
          new ByteArrayInputStream(bytes),
          bytes.length,
          PutOptions.defaults());
    }
    try (Replayer replayer =
        replayer(store, "{writer_id}/{sequence}{ext}", ReplaySettings.DEFAULT)) {
      assertThat(ids(replayer, "w", EventFilter.ALL)).containsExactly("e0", "e1", "e2");
    }
  }

  @Test
  void repeatedIdsFromOverlappingPagesAreDroppedAndTheSequenceIsThePositionInThePage() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    // A crash re-formed pages differently: [0..9] stored, then [6..20] (6..9 again), then [21..30].
    Pages.store(store, "w/0.pb", "w", 0, 0, 9, PageFormat.PROTOBUF, Compression.NONE);
    Pages.store(store, "w/6.pb.gz", "w", 0, 6, 20, PageFormat.PROTOBUF, Compression.GZIP);
    Pages.store(store, "w/21.pb", "w", 0, 21, 30, PageFormat.PROTOBUF, Compression.NONE);
    try (Replayer replayer =
            replayer(store, "{writer_id}/{start_offset}{ext}", ReplaySettings.DEFAULT);
        ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
      List<ReplayedEvent> out = new ArrayList<>();
      while (events.hasNext()) {
        out.add(events.next());
      }
      assertThat(out)
          .extracting(e -> e.event().eventId())
          .containsExactlyElementsOf(expectedIds(0, 0, 30));
      ReplayedEvent ten = out.get(10);
      assertThat(ten.page().key()).isEqualTo("w/6.pb.gz");
      assertThat(ten.sequence())
          .isEqualTo(4); // offset 10 is the fifth event of the page from offset 6
      assertThat(events.progress().repeatsDropped()).isEqualTo(4);
      assertThat(events.progress().pagesTotal()).isEqualTo(3);
    }
  }

  @Test
  void idsOfPagesThatCannotOverlapAreForgotten() {
    RepeatedIds repeats = new RepeatedIds(0);
    PageRef first = new PageRef("a", "w", 0, 0, 9, 1, new KafkaSpan("t", 0, 0, 9));
    PageRef overlapping = new PageRef("b", "w", 5, 5, 20, 1, new KafkaSpan("t", 0, 5, 20));
    PageRef later = new PageRef("c", "w", 21, 21, 30, 1, new KafkaSpan("t", 0, 21, 30));
    repeats.startPage(first);
    assertThat(repeats.firstTime("x")).isTrue();
    repeats.startPage(overlapping);
    assertThat(repeats.firstTime("x")).isFalse();
    assertThat(repeats.firstTime("y")).isTrue();
    repeats.startPage(later);
    assertThat(repeats.remembered()).isZero();
    assertThat(repeats.firstTime("x")).isTrue();
  }

  @Test
  void theRecentWindowHoldsItsCountOfShortIdsButOnlyItsCharsOfLongOnes() {
    PageRef page = new PageRef("a", "w", 0, 0, 9, 1, null);
    RepeatedIds shortIds = new RepeatedIds(100, 1_000);
    shortIds.startPage(page, false, RecordTimes.IDS_ONLY);
    for (int i = 0; i < 150; i++) {
      assertThat(shortIds.firstTime("e" + i)).isTrue();
    }
    assertThat(shortIds.remembered()).isEqualTo(100);
    assertThat(shortIds.firstTime("e149")).as("still in the window").isFalse();
    assertThat(shortIds.firstTime("e0")).as("pushed out by count").isTrue();

    RepeatedIds longIds = new RepeatedIds(100, 1_000);
    longIds.startPage(page, false, RecordTimes.IDS_ONLY);
    for (int i = 0; i < 10; i++) {
      assertThat(longIds.firstTime(i + "x".repeat(299))).isTrue(); // 300 chars each
    }
    assertThat(longIds.remembered()).as("1,000 chars hold three").isEqualTo(3);
    assertThat(longIds.firstTime(9 + "x".repeat(299))).isFalse();

    RepeatedIds byDefault = new RepeatedIds(65_536);
    byDefault.startPage(page, false, RecordTimes.IDS_ONLY);
    String megabyte = "y".repeat(1 << 20);
    for (int i = 0; i < 40; i++) {
      byDefault.firstTime(i + megabyte);
    }
    assertThat(byDefault.remembered()).isLessThanOrEqualTo(16);
  }

  @Test
  void theRecentWindowCatchesARetriedPublishInAnotherPage() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    byte[] a =
        Pages.encode(
            "w",
            0,
            Pages.kafkaTags(0, 0, 0),
            List.of(Pages.event("retry-me", 1, 0)),
            PageFormat.PROTOBUF,
            Compression.NONE);
    byte[] b =
        Pages.encode(
            "w",
            7,
            Pages.kafkaTags(0, 7, 7),
            List.of(Pages.event("retry-me", 2, 0)),
            PageFormat.PROTOBUF,
            Compression.NONE);
    store.put("w/0.pb", new ByteArrayInputStream(a), a.length, PutOptions.defaults());
    store.put("w/7.pb", new ByteArrayInputStream(b), b.length, PutOptions.defaults());
    try (Replayer replayer =
        replayer(store, "{writer_id}/{start_offset}{ext}", ReplaySettings.DEFAULT)) {
      assertThat(ids(replayer, "w", EventFilter.ALL)).containsExactly("retry-me");
    }
  }

  @Test
  void theTimeRangeFiltersEachEventBothEndsIncluded() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    Pages.store(store, "w/0.pb.zst", "w", 0, 0, 49, PageFormat.PROTOBUF, Compression.ZSTD);
    Pages.store(store, "w/50.pb.zst", "w", 0, 50, 99, PageFormat.PROTOBUF, Compression.ZSTD);
    try (Replayer replayer =
        replayer(store, "{writer_id}/{start_offset}{ext}", ReplaySettings.DEFAULT)) {
      assertThat(ids(replayer, "w", new EventFilter(new TimeRange(1040, 1060), List.of())))
          .containsExactlyElementsOf(expectedIds(0, 40, 60));
    }
  }

  @Test
  void attributeFiltersMustAllMatch() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    Pages.store(store, "w/0.ndjson", "w", 0, 0, 9, PageFormat.NDJSON, Compression.NONE);
    try (Replayer replayer =
        replayer(store, "{writer_id}/{start_offset}{ext}", ReplaySettings.DEFAULT)) {
      assertThat(
              ids(
                  replayer,
                  "w",
                  new EventFilter(TimeRange.ALL, List.of(Map.entry("parity", "odd")))))
          .containsExactly("events-0-1", "events-0-3", "events-0-5", "events-0-7", "events-0-9");
      assertThat(
              ids(
                  replayer,
                  "w",
                  new EventFilter(
                      TimeRange.ALL,
                      List.of(Map.entry("parity", "odd"), Map.entry("missing", "x")))))
          .isEmpty();
    }
  }

  @Test
  void aCorruptPageIsNamed() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    Pages.store(store, "w/0.pb", "w", 0, 0, 9, PageFormat.PROTOBUF, Compression.NONE);
    byte[] page =
        Pages.encode(
            "w",
            10,
            Pages.kafkaTags(0, 10, 19),
            Pages.offsets(0, 10, 19),
            PageFormat.PROTOBUF,
            Compression.NONE);
    byte[] truncated = java.util.Arrays.copyOf(page, page.length - 7);
    store.put(
        "w/10.pb", new ByteArrayInputStream(truncated), truncated.length, PutOptions.defaults());
    try (Replayer replayer =
            replayer(store, "{writer_id}/{start_offset}{ext}", ReplaySettings.DEFAULT);
        ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
      List<String> seen = new ArrayList<>();
      assertThatThrownBy(
              () -> {
                while (events.hasNext()) {
                  seen.add(events.next().event().eventId());
                }
              })
          .isInstanceOf(CorruptPageException.class)
          .hasMessageContaining("w/10.pb");
      assertThat(seen).containsExactlyElementsOf(expectedIds(0, 0, 9));
    }
  }

  @Test
  void aWriterWithoutPagesReplaysNothing() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    try (Replayer replayer = replayer(store, KeyTemplate.DEFAULT, ReplaySettings.DEFAULT)) {
      assertThat(ids(replayer, "nobody", EventFilter.ALL)).isEmpty();
    }
  }
}
