package io.prism.snapshotter.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.storage.NoSuchObjectException;
import io.prism.snapshotter.testing.CapturedLogs;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How far a replay goes on when located pages vanish: the bound on re-locations, with a locator and
 * a source that stand in for storage (the compaction tests cover the real thing).
 */
class ReplayRelocationTest {
  private final Map<String, byte[]> stored = new ConcurrentHashMap<>();

  private final PageSource source =
      page -> {
        byte[] bytes = stored.get(page.key());
        if (bytes == null) {
          throw new NoSuchObjectException("get of '" + page.key() + "': no such object", null);
        }
        return new ByteArrayInputStream(bytes);
      };

  private PageRef store(String key, long first, long last) {
    byte[] bytes =
        Pages.encode(
            "w",
            first,
            Pages.kafkaTags(0, first, last),
            Pages.offsets(0, first, last),
            PageFormat.PROTOBUF,
            Compression.NONE);
    stored.put(key, bytes);
    return ref(key, first, last);
  }

  private static PageRef ref(String key, long first, long last) {
    return new PageRef(
        key, "w", first, 1000 + first, 1000 + last, 100, new KafkaSpan("events", 0, first, last));
  }

  @Test
  void pagesThatVanishAgainAndAgainFailTheReplayAfterABoundedNumberOfRelocations() {
    PageRef first = store("p0", 0, 9);
    // Each location names a new merged page of everything, gone before it is fetched.
    AtomicInteger locations = new AtomicInteger();
    PageLocator locator =
        (writer, range) -> {
          int n = locations.getAndIncrement();
          return n == 0 ? List.of(first, ref("p1", 10, 19)) : List.of(first, ref("m" + n, 0, 19));
        };
    List<String> ids = new ArrayList<>();
    try (Replayer replayer =
            new Replayer(pool -> locator, source, new ReplaySettings(1, 1, 1 << 20, 0), null);
        ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
      assertThatThrownBy(
              () -> {
                while (events.hasNext()) {
                  ids.add(events.next().event().eventId());
                }
              })
          .isInstanceOf(NoSuchObjectException.class)
          .hasMessageContaining("page m3 vanished during the replay after 3 re-locations in a row");
    }
    assertThat(ids).hasSize(10);
    assertThat(locations).hasValue(1 + ReplayStream.MAX_RELOCATES_WITHOUT_PROGRESS);
  }

  @Test
  void relocationsThatEachReadAPageAreNotBounded() {
    // Nine pages. Fetching page 2k-1 the first time "compacts" pages 2k-1 and 2k: a merged page of
    // both is stored and they are deleted (like a compaction working through its groups while the
    // replay reads): four re-locations, each followed by a page read.
    Map<String, PageRef> refs = new ConcurrentHashMap<>();
    for (int p = 0; p < 9; p++) {
      refs.put("p" + p, store("p" + p, p * 10L, p * 10L + 9));
    }
    PageSource compacting =
        page -> {
          String key = page.key();
          if (key.startsWith("p") && Integer.parseInt(key.substring(1)) % 2 == 1) {
            int p = Integer.parseInt(key.substring(1));
            if (refs.remove("p" + p) != null) {
              refs.put("m" + p, store("m" + p, p * 10L, p * 10L + 19));
              refs.remove("p" + (p + 1));
              stored.remove("p" + p);
              stored.remove("p" + (p + 1));
            }
          }
          return source.open(page);
        };
    AtomicInteger locations = new AtomicInteger();
    PageLocator locator =
        (writer, range) -> {
          locations.incrementAndGet();
          List<PageRef> fresh = new ArrayList<>(refs.values());
          fresh.sort(PageRef.WRITER_ORDER);
          return fresh;
        };
    List<String> ids = new ArrayList<>();
    try (Replayer replayer =
            new Replayer(pool -> locator, compacting, new ReplaySettings(1, 1, 1 << 20, 0), null);
        ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
      while (events.hasNext()) {
        ids.add(events.next().event().eventId());
      }
      assertThat(events.pages()).extracting(PageRef::key).containsExactly("m7");
    }
    assertThat(locations).hasValue(1 + 4);
    assertThat(ids)
        .containsExactlyElementsOf(Pages.offsets(0, 0, 89).stream().map(e -> e.eventId()).toList());
  }

  /**
   * The relocation WARN names the writer: a hostile id (ids come from producers) must not forge a
   * log line with its newline, as {@code Printable} promises for every log line.
   */
  @Test
  void theRelocationWarningQuotesAHostileWriterId() {
    String writer = "w\n2026-11-28 ERROR forged line";
    stored.put(
        "m",
        Pages.encode(
            writer,
            0,
            Pages.kafkaTags(0, 0, 19),
            Pages.offsets(0, 0, 19),
            PageFormat.PROTOBUF,
            Compression.NONE));
    PageRef p0 = new PageRef("p0", writer, 0, 1000, 1009, 100, new KafkaSpan("events", 0, 0, 9));
    PageRef merged =
        new PageRef("m", writer, 0, 1000, 1019, 100, new KafkaSpan("events", 0, 0, 19));
    // p0 is gone (merged into m) when fetched: the replay locates again and reads m.
    PageLocator locator = (w, range) -> range.equals(TimeRange.ALL) ? List.of(p0) : List.of(merged);
    List<String> ids = new ArrayList<>();
    try (CapturedLogs logs = CapturedLogs.capture()) {
      try (Replayer replayer =
              new Replayer(pool -> locator, source, new ReplaySettings(1, 1, 1 << 20, 0), null);
          ReplayStream events = replayer.replay(writer, EventFilter.ALL)) {
        while (events.hasNext()) {
          ids.add(events.next().event().eventId());
        }
      }
      List<String> warnings =
          logs.lines().stream().filter(l -> l.contains("vanished during the replay")).toList();
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0)).doesNotContain("\n").contains("'w\\u000a2026-11-28 ERROR");
    }
    assertThat(ids).hasSize(20);
  }
}
