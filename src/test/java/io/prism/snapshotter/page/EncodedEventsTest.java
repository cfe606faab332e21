package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EncodedEventsTest {

  @Test
  void eventsDecodeAsTheyWereAppendedWithTheirTimestampsAtHand() {
    List<Event> events = new ArrayList<>(TestPages.tricky());
    events.addAll(TestPages.many(50));
    EncodedEvents encoded = new EncodedEvents();
    for (Event event : events) {
      encoded.append(event);
    }

    assertThat(encoded.size()).isEqualTo(events.size());
    assertThat(encoded.decode(0)).containsExactlyElementsOf(events);
    assertThat(encoded.decode(3)).containsExactlyElementsOf(events.subList(3, events.size()));
    assertThat(encoded.decode(events.size())).isEmpty();
    for (int i = 0; i < events.size(); i++) {
      assertThat(encoded.timestampAt(i)).isEqualTo(events.get(i).timestampMillis());
      assertThat(encoded.eventAt(i)).isEqualTo(events.get(i));
    }
    assertThat(encoded.eventAt(2).attributes()).containsExactly(Map.entry("type", "user.login"));
    assertThatThrownBy(() -> encoded.eventAt(events.size()))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> encoded.timestampAt(-1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void theHeapItHoldsFollowsItsBytesWithoutPerEventObjects() {
    EncodedEvents encoded = new EncodedEvents();
    long empty = encoded.retainedBytes();
    int first = encoded.append(Event.wrap("e-0", 1L, new byte[1_000], Map.of()));

    assertThat(encoded.encodedBytes()).isEqualTo(first);
    assertThat(encoded.retainedBytes())
        .as("the first event gets an array of its size (and its header)")
        .isEqualTo(empty + first + 16);

    int events = 1_000;
    for (int i = 1; i < events; i++) {
      encoded.append(Event.wrap("e-" + i, 1L + i, new byte[1_000], Map.of()));
    }
    long chunks = encoded.encodedBytes() / 1_000; // at most one chunk per event
    assertThat(encoded.retainedBytes())
        .as("at most one spare chunk, and 16 bytes of index per event (twice, as its arrays grow)")
        .isBetween(
            encoded.encodedBytes(),
            encoded.encodedBytes()
                + EncodedEvents.MAX_CHUNK_BYTES
                + 20 * chunks
                + 16L * 2 * events
                + 64);
  }

  /**
   * The sink stores a page from a later event on when an earlier copy held the first ones: the same
   * bytes as a page made of those events alone, sequences from 0.
   */
  @ParameterizedTest
  @EnumSource(PageFormat.class)
  void aPageFromAnyEventOnIsThePageOfThoseEvents(PageFormat format) throws Exception {
    List<Event> events = new ArrayList<>(TestPages.tricky());
    events.addAll(TestPages.many(20));
    EncodedEvents encoded = EncodedEvents.of(events);
    PageEncoder encoder = new PageEncoder();

    for (int from : new int[] {0, 1, 4, events.size() - 1}) {
      ByteArrayOutputStream fromEncoded = new ByteArrayOutputStream();
      EncodedPage page =
          encoder.encode(
              format,
              Compression.NONE,
              CompressionLevel.CODEC_DEFAULT,
              TestPages.SPEC,
              encoded,
              from,
              fromEncoded);
      List<Event> tail = events.subList(from, events.size());

      assertThat(fromEncoded.toByteArray())
          .as("from event " + from)
          .isEqualTo(TestPages.encode(format, Compression.NONE, tail).bytes());
      assertThat(page.metadata().eventCount()).isEqualTo(tail.size());
      assertThat(page.metadata().startTime())
          .isEqualTo(tail.stream().mapToLong(Event::timestampMillis).min().orElseThrow());
      assertThat(page.metadata().endTime())
          .isEqualTo(tail.stream().mapToLong(Event::timestampMillis).max().orElseThrow());
    }
    assertThatThrownBy(
            () ->
                encoder.encode(
                    format,
                    Compression.NONE,
                    CompressionLevel.CODEC_DEFAULT,
                    TestPages.SPEC,
                    encoded,
                    events.size(),
                    new ByteArrayOutputStream()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one event");
  }

  @Test
  void aReleasedPagesFullSizeChunksServeTheNextPage() {
    ChunkPool pool = new ChunkPool(100);
    EncodedEvents first = new EncodedEvents(pool);
    List<Event> events = TestPages.many(5_000); // ~150 KB: several full-size chunks
    events.forEach(first::append);
    assertThat(pool.size()).isZero();

    first.release();

    int kept = pool.size();
    assertThat(kept).as("full-size chunks given back").isGreaterThanOrEqualTo(5);
    assertThat(first.size()).as("sizes stay readable").isEqualTo(5_000);
    assertThat(first.timestampAt(4_999)).isEqualTo(events.get(4_999).timestampMillis());
    assertThatThrownBy(() -> first.eventAt(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("released");
    assertThatThrownBy(() -> first.append(events.get(0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("released");

    EncodedEvents next = new EncodedEvents(pool);
    events.forEach(next::append);
    assertThat(pool.size()).as("the next page took them").isZero();
    assertThat(next.decode(0)).as("over the old bytes").containsExactlyElementsOf(events);

    ChunkPool small = new ChunkPool(2);
    EncodedEvents third = new EncodedEvents(small);
    events.forEach(third::append);
    third.release();
    assertThat(small.size()).as("a pool keeps no more than its limit").isEqualTo(2);
  }
}
