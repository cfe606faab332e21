package io.prism.snapshotter.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageFormat;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Replays far more than the test JVM's heap (surefire runs at -Xmx512m): 1,000 pages of 200 events
 * of 4 KiB, about 800 MB of payload, made lazily by the page source. Replay must stream them, never
 * holding more than its prefetch window, and remember only a bounded number of ids.
 */
class ReplayBoundedMemoryTest {
  private static final int PAGES = 1_000;
  private static final int EVENTS_PER_PAGE = 200;
  private static final int PAYLOAD_BYTES = 4096;

  @Test
  void replaysMoreThanTheHeapInBoundedMemory() {
    List<PageRef> refs = new ArrayList<>();
    for (int p = 0; p < PAGES; p++) {
      long first = (long) p * EVENTS_PER_PAGE;
      long last = first + EVENTS_PER_PAGE - 1;
      refs.add(
          new PageRef(
              "w/" + first, "w", first, first, last, -1, new KafkaSpan("events", 0, first, last)));
    }
    AtomicInteger opened = new AtomicInteger();
    PageSource lazy =
        ref -> {
          opened.incrementAndGet();
          KafkaSpan span = ref.span();
          List<Event> events = new ArrayList<>(EVENTS_PER_PAGE);
          for (long o = span.firstOffset(); o <= span.lastOffset(); o++) {
            byte[] payload = new byte[PAYLOAD_BYTES];
            payload[0] = (byte) o;
            events.add(Event.wrap("events-0-" + o, o, payload, Map.of()));
          }
          return new ByteArrayInputStream(
              Pages.encode(
                  "w",
                  span.firstOffset(),
                  Pages.kafkaTags(0, span.firstOffset(), span.lastOffset()),
                  events,
                  PageFormat.PROTOBUF,
                  Compression.NONE));
        };
    ReplaySettings settings = new ReplaySettings(2, 4, 16L << 20, 1000);
    long count = 0;
    long expectedOffset = 0;
    int maxRemembered = 0;
    try (Replayer replayer = new Replayer(pool -> (writer, range) -> refs, lazy, settings, null);
        ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
      while (events.hasNext()) {
        ReplayedEvent e = events.next();
        assertThat(e.event().timestampMillis()).isEqualTo(expectedOffset++);
        count++;
        maxRemembered = Math.max(maxRemembered, events.rememberedIds());
      }
    }
    assertThat(count).isEqualTo((long) PAGES * EVENTS_PER_PAGE);
    assertThat(opened).hasValue(PAGES);
    // the recent window plus the current page: earlier pages do not overlap and are forgotten
    assertThat(maxRemembered).isLessThanOrEqualTo(1000 + EVENTS_PER_PAGE);
  }

  /**
   * Pages stored in a few KiB that decode to 64 MiB each (compressible payloads: a merged page may
   * hold 128 MiB of events in under 10 MiB): the prefetch window must not hold eight of them
   * decoded, which is more than the heap.
   */
  @Test
  void pagesStoredSmallButDecodingLargeAreStreamed() {
    int pages = 12;
    int eventsPerPage = 64;
    byte[] zeros = new byte[1 << 20];
    List<PageRef> refs = new ArrayList<>();
    Map<String, byte[]> stored = new HashMap<>();
    for (int p = 0; p < pages; p++) {
      long first = (long) p * eventsPerPage;
      long last = first + eventsPerPage - 1;
      List<Event> events = new ArrayList<>(eventsPerPage);
      for (long o = first; o <= last; o++) {
        events.add(Event.wrap("events-0-" + o, o, zeros, Map.of()));
      }
      byte[] page =
          Pages.encode(
              "w",
              first,
              Pages.kafkaTags(0, first, last),
              events,
              PageFormat.PROTOBUF,
              Compression.ZSTD);
      String key = "w/" + first;
      stored.put(key, page);
      refs.add(
          new PageRef(
              key, "w", first, first, last, page.length, new KafkaSpan("events", 0, first, last)));
    }
    long count = 0;
    try (Replayer replayer =
            new Replayer(
                pool -> (writer, range) -> refs,
                ref -> new ByteArrayInputStream(stored.get(ref.key())),
                ReplaySettings.DEFAULT,
                null);
        ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
      while (events.hasNext()) {
        assertThat(events.next().event().timestampMillis()).isEqualTo(count++);
      }
    }
    assertThat(count).isEqualTo((long) pages * eventsPerPage);
  }
}
