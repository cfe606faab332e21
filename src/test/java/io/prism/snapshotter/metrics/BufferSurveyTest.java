package io.prism.snapshotter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.buffer.FlushLimits;
import io.prism.snapshotter.buffer.FlushPolicy;
import io.prism.snapshotter.buffer.MemoryBudget;
import io.prism.snapshotter.buffer.PageAssembler;
import io.prism.snapshotter.buffer.PageBuffer;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.testing.BufferedPages;
import io.prism.snapshotter.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The buffer survey keeps totals over every writer but only the N oldest and N largest of them. */
class BufferSurveyTest {
  static final TopicPartition P0 = new TopicPartition("events", 0);
  final ManualClock clock = new ManualClock();
  final PageAssembler assembler =
      new PageAssembler(
          new FlushPolicy(new FlushLimits(2, 1 << 20, Duration.ofSeconds(60))),
          new MemoryBudget(1L << 32, 0.75),
          page -> {
            throw new IllegalStateException("storage down: closed pages stay queued");
          },
          clock);
  long offset;

  private void accept(String writer, int payloadBytes) {
    assembler.accept(
        P0,
        offset++,
        writer,
        new Event(writer + "-" + offset, clock.millis(), new byte[payloadBytes], Map.of()));
  }

  private BufferSnapshot survey(int topN) {
    BufferSurvey survey = new BufferSurvey(topN, clock.millis(), 60_000);
    assembler.survey(survey);
    return survey.result();
  }

  @Test
  void tenThousandWritersGiveTotalsAndOnlyTheThreeOldestAndLargest() {
    accept("ancient", 1);
    accept("ancient", 1); // two events: its page closes (count) and waits, storage being down
    accept("ancient", 1); // and a new open page of the same writer
    clock.advance(61_000);
    for (int w = 0; w < 10_000; w++) {
      accept("w" + w, w == 5_000 ? 50_000 : 10);
      clock.advance(1);
    }
    BufferSnapshot snapshot = survey(3);
    assertThat(snapshot.activeWriters()).isEqualTo(10_001);
    assertThat(snapshot.events()).isEqualTo(10_003);
    assertThat(snapshot.bytes()).isEqualTo(assembler.memory().usedBytes());
    assertThat(snapshot.oldestAgeMillis(clock.millis())).isEqualTo(71_000);
    assertThat(snapshot.writersOverAgeLimit()).isEqualTo(2); // ancient's closed and open pages
    // The same writer twice (closed and open page) is one series in the gauges; the survey keeps
    // both.
    assertThat(snapshot.oldest())
        .extracting(WriterBuffer::writerId)
        .containsExactly("ancient", "ancient", "w0");
    assertThat(snapshot.largest()).extracting(WriterBuffer::writerId).first().isEqualTo("w5000");
    assertThat(snapshot.largest()).hasSize(3);
    assertThat(snapshot.partitions())
        .singleElement()
        .satisfies(p -> assertThat(p.gap()).isEqualTo(10_003));
    assertThat(survey(0).oldest()).isEmpty();
    assertThat(survey(0).largest()).isEmpty();
  }

  /** The N kept are the N oldest and largest of all, ties and all, whatever the order walked. */
  @Test
  void keepsWhatSortingEveryPageWouldKeep() {
    Random random = new Random(11);
    for (int w = 0; w < 2_000; w++) {
      accept("w" + random.nextInt(500), 1 + random.nextInt(3) * 1_000);
      clock.advance(random.nextInt(3)); // many pages opened in the same millisecond
    }
    List<Long> ages = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    for (PageBuffer page : BufferedPages.all(assembler)) {
      if (!page.isEmpty()) {
        ages.add(page.openedAtMillis());
        sizes.add(page.heapBytes());
      }
    }
    ages.sort(null);
    sizes.sort(Comparator.reverseOrder());
    for (int topN : new int[] {1, 3, 10, 100}) {
      BufferSnapshot snapshot = survey(topN);
      assertThat(snapshot.oldest())
          .extracting(WriterBuffer::openedAtMillis)
          .containsExactlyElementsOf(ages.subList(0, topN));
      assertThat(snapshot.largest())
          .extracting(WriterBuffer::bytes)
          .containsExactlyElementsOf(sizes.subList(0, topN));
    }
  }
}
