package io.prism.snapshotter.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corrupt page in the middle of a replay: {@link OnCorrupt#FAIL} stops there naming it; {@link
 * OnCorrupt#SKIP} goes on with the other pages, each event once and in order, and lists the page.
 */
class ReplayOnCorruptTest {
  static final String DAMAGED = "snapshots/w/10.pb";

  @TempDir Path dir;
  FilesystemObjectStore store;

  /** Pages of offsets 0-9, 10-19 (the damaged one), 20-29; uncompressed, so damage is local. */
  @BeforeEach
  void storePages() {
    store = new FilesystemObjectStore(dir);
    for (long first : new long[] {0, 10, 20}) {
      Pages.store(
          store,
          "snapshots/w/" + first + ".pb",
          "w",
          0,
          first,
          first + 9,
          PageFormat.PROTOBUF,
          Compression.NONE);
    }
  }

  /** Cuts the last bytes off the page: its last event no longer decodes. */
  void truncateTheMiddlePage() throws Exception {
    byte[] whole;
    try (var in = store.get(DAMAGED)) {
      whole = in.readAllBytes();
    }
    byte[] cut = Arrays.copyOf(whole, whole.length - 5);
    store.delete(DAMAGED);
    store.put(DAMAGED, new ByteArrayInputStream(cut), cut.length, PutOptions.defaults());
  }

  Replayer replayer(ReplaySettings settings) {
    return new Replayer(
        pool ->
            new StorageScanLocator(
                store, KeyTemplate.parse("snapshots/{writer_id}/{start_offset}{ext}"), pool),
        new StorePageSource(store),
        settings,
        null);
  }

  record Outcome(List<String> ids, List<SkippedPage> skipped) {}

  static Outcome replay(Replayer replayer) {
    List<String> ids = new ArrayList<>();
    try (ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
      while (events.hasNext()) {
        ids.add(events.next().event().eventId());
      }
      return new Outcome(ids, events.skippedPages());
    }
  }

  static List<String> ids(long first, long last) {
    return LongStream.rangeClosed(first, last).mapToObj(o -> "events-0-" + o).toList();
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  @Test
  void failStopsAtTheDamagedPageNamingIt() throws Exception {
    truncateTheMiddlePage();
    try (Replayer replayer = replayer(new ReplaySettings(2, 2, 1 << 20, 0))) {
      assertThatThrownBy(() -> replay(replayer))
          .isInstanceOf(CorruptPageException.class)
          .hasMessageContaining(DAMAGED);
    }
  }

  @Test
  void skipLeavesOutAPageDecodedWholeAndGivesEveryOtherEventOnce() throws Exception {
    truncateTheMiddlePage();
    try (Replayer replayer =
        replayer(new ReplaySettings(2, 2, 1 << 20, 0).withOnCorrupt(OnCorrupt.SKIP))) {
      Outcome outcome = replay(replayer);

      assertThat(outcome.ids()).containsExactlyElementsOf(concat(ids(0, 9), ids(20, 29)));
      assertThat(outcome.skipped())
          .singleElement()
          .satisfies(
              page -> {
                assertThat(page.key()).isEqualTo(DAMAGED);
                assertThat(page.eventsReplayed()).isZero();
                assertThat(page.reason()).contains(DAMAGED);
              });
    }
  }

  @Test
  void skipKeepsTheEventsOfAStreamedPageReadBeforeTheDamage() throws Exception {
    truncateTheMiddlePage();
    // No page is held whole: each is streamed event by event, and the damage is met part-way.
    try (Replayer replayer =
        replayer(new ReplaySettings(1, 1, 0, 0).withOnCorrupt(OnCorrupt.SKIP))) {
      Outcome outcome = replay(replayer);

      SkippedPage skipped = outcome.skipped().get(0);
      assertThat(outcome.skipped()).hasSize(1);
      assertThat(skipped.eventsReplayed()).isBetween(1L, 9L);
      int before = (int) skipped.eventsReplayed();
      assertThat(outcome.ids())
          .containsExactlyElementsOf(
              concat(concat(ids(0, 9), ids(10, 10 + before - 1)), ids(20, 29)));
    }
  }

  @Test
  void skipLeavesOutAPageWhoseMetadataCannotBeReadWhileLocating() throws Exception {
    byte[] junk = "not a page at all".getBytes();
    store.delete(DAMAGED);
    store.put(DAMAGED, new ByteArrayInputStream(junk), junk.length, PutOptions.defaults());

    try (Replayer replayer =
        replayer(new ReplaySettings(2, 2, 1 << 20, 0).withOnCorrupt(OnCorrupt.SKIP))) {
      Outcome outcome = replay(replayer);

      assertThat(outcome.ids()).containsExactlyElementsOf(concat(ids(0, 9), ids(20, 29)));
      assertThat(outcome.skipped()).extracting(SkippedPage::key).containsExactly(DAMAGED);
    }
    try (Replayer failing = replayer(new ReplaySettings(2, 2, 1 << 20, 0))) {
      assertThatThrownBy(() -> replay(failing))
          .isInstanceOf(CorruptPageException.class)
          .hasMessageContaining(DAMAGED);
    }
  }

  @Test
  void aLocatorThatReadsNoPageLeavesTheDamageToTheFetch() throws Exception {
    // As an index locates: refs from elsewhere, the page's metadata first read when fetched.
    byte[] junk = "not a page at all".getBytes();
    store.delete(DAMAGED);
    store.put(DAMAGED, new ByteArrayInputStream(junk), junk.length, PutOptions.defaults());
    List<PageRef> refs =
        List.of(
            new PageRef(
                "snapshots/w/0.pb", "w", 0, 1000, 1009, -1, new KafkaSpan("events", 0, 0, 9)),
            new PageRef(DAMAGED, "w", 10, 1010, 1019, -1, new KafkaSpan("events", 0, 10, 19)),
            new PageRef(
                "snapshots/w/20.pb", "w", 20, 1020, 1029, -1, new KafkaSpan("events", 0, 20, 29)));
    try (Replayer replayer =
        new Replayer(
            pool -> (writer, range) -> refs,
            new StorePageSource(store),
            new ReplaySettings(2, 2, 1 << 20, 0).withOnCorrupt(OnCorrupt.SKIP),
            null)) {
      Outcome outcome = replay(replayer);

      assertThat(outcome.ids()).containsExactlyElementsOf(concat(ids(0, 9), ids(20, 29)));
      assertThat(outcome.skipped()).extracting(SkippedPage::key).containsExactly(DAMAGED);
    }
  }
}
