package io.prism.snapshotter.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.sink.PageUploader;
import io.prism.snapshotter.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.apache.kafka.common.TopicPartition;

/**
 * Grouping and offsets under random traffic, random thresholds and a storage that fails at random:
 * every event lands in exactly one page of its writer, in order, and no committable offset ever
 * passes a record that is only in memory.
 */
class PageAssemblerPropertiesTest {

  @Property(tries = 200)
  void everyEventInExactlyOnePageAndOffsetsNeverPassMemory(
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
      @ForAll @IntRange(min = 1, max = 4) int partitionCount,
      @ForAll @IntRange(min = 1, max = 30) int writerCount,
      @ForAll @IntRange(min = 1, max = 20) int maxEvents,
      @ForAll @IntRange(min = 0, max = 40) int failurePercent,
      @ForAll boolean onUploadThreads)
      throws Exception {
    Random random = new Random(seed);
    ManualClock clock = new ManualClock();
    FailingSink sink = new FailingSink(new Random(seed + 1), failurePercent);
    // Pages stored on two threads complete in any order; inline, in the order they closed.
    PageUploads uploads =
        onUploadThreads ? new PageUploader(2, () -> sink, "test") : PageUploads.inline(sink);
    try {
      run(random, clock, sink, uploads, partitionCount, writerCount, maxEvents);
    } finally {
      uploads.close();
    }
  }

  private static void run(
      Random random,
      ManualClock clock,
      FailingSink sink,
      PageUploads uploads,
      int partitionCount,
      int writerCount,
      int maxEvents)
      throws Exception {
    PageAssembler assembler =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(maxEvents, 2_000, Duration.ofSeconds(5))),
            new MemoryBudget(20_000, 0.75),
            EvictionOrder.OLDEST_FIRST,
            uploads,
            clock);

    Map<TopicPartition, Long> nextOffset = new HashMap<>();
    // Upload threads remove from it: every access under its lock.
    Map<TopicPartition, TreeSet<Long>> inMemory = new HashMap<>();
    Map<String, List<String>> sentPerWriter = new HashMap<>();
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < partitionCount; p++) {
      TopicPartition tp = new TopicPartition("events", p);
      partitions.add(tp);
      nextOffset.put(tp, 0L);
      inMemory.put(tp, new TreeSet<>());
    }
    sink.onWrite =
        page -> {
          synchronized (inMemory) {
            for (int i = 0; i < page.eventCount(); i++) {
              inMemory.get(page.partition()).remove(page.offsetAt(i));
            }
          }
        };

    for (int step = 0; step < 400; step++) {
      TopicPartition tp = partitions.get(random.nextInt(partitionCount));
      long offset = nextOffset.get(tp);
      String writer = "w" + random.nextInt(writerCount);
      int kind = random.nextInt(100);
      if (kind < 5) {
        assembler.endSession(tp, offset, writer);
      } else if (kind < 8) {
        assembler.skip(tp, offset);
      } else {
        int size = random.nextInt(100) < 2 ? 3_000 : random.nextInt(200); // some oversized
        String id = tp.partition() + ":" + offset;
        assembler.accept(
            tp, offset, writer, new Event(id, clock.millis(), new byte[size], Map.of()));
        // Connect re-delivers after a failure: offering the same record again changes nothing.
        assembler.accept(
            tp, offset, writer, new Event(id, clock.millis(), new byte[size], Map.of()));
        synchronized (inMemory) {
          inMemory.get(tp).add(offset);
        }
        sentPerWriter
            .computeIfAbsent(tp.partition() + "/" + writer, k -> new ArrayList<>())
            .add(id);
      }
      nextOffset.put(tp, offset + 1);
      clock.advance(random.nextInt(300));
      if (random.nextInt(10) == 0) {
        assembler.closeExpiredPages();
        assembler.closePagesOverBudget();
        try {
          assembler.writeClosedPages();
        } catch (Exception storageDown) {
          // kept, tried again later
        }
      }
      assertOffsetsNeverPassMemory(assembler, inMemory);
    }

    sink.failurePercent = 0;
    try {
      assembler.flushPartitions(partitions, FlushReason.TASK_STOP);
    } catch (java.io.IOException failedBeforeTheStorageCameBack) {
      assembler.flushPartitions(
          partitions, FlushReason.TASK_STOP); // each page is tried once per flush
    }
    assertOffsetsNeverPassMemory(assembler, inMemory);
    for (TopicPartition tp : partitions) {
      assertThat(inMemory.get(tp)).isEmpty();
      assertThat(assembler.committableOffsets().getOrDefault(tp, 0L)).isEqualTo(nextOffset.get(tp));
    }
    assertThat(sink.writtenPerWriter()).isEqualTo(sentPerWriter);
    assertThat(assembler.memory().usedBytes()).isZero();
  }

  private static void assertOffsetsNeverPassMemory(
      PageAssembler assembler, Map<TopicPartition, TreeSet<Long>> inMemory) {
    // Offsets first: pages stored meanwhile only leave less in memory, which cannot fail this.
    Map<TopicPartition, Long> committableOffsets = assembler.committableOffsets();
    synchronized (inMemory) {
      committableOffsets.forEach(
          (tp, committable) -> {
            TreeSet<Long> pending = inMemory.get(tp);
            if (!pending.isEmpty()) {
              assertThat(committable)
                  .as("committable offset of %s", tp)
                  .isLessThanOrEqualTo(pending.first());
            }
          });
    }
  }

  /** Safe for the upload threads: it is shared by all of them. */
  private static final class FailingSink implements PageSink {
    final Random random;
    volatile int failurePercent;
    volatile java.util.function.Consumer<PageBuffer> onWrite = page -> {};

    /**
     * Per partition/writer, the stored pages' event ids by first offset: upload threads store them
     * in any order.
     */
    private final Map<String, TreeMap<Long, List<String>>> pagesPerWriter = new HashMap<>();

    FailingSink(Random random, int failurePercent) {
      this.random = random;
      this.failurePercent = failurePercent;
    }

    @Override
    public void write(PageBuffer page) throws Exception {
      synchronized (this) {
        if (random.nextInt(100) < failurePercent) {
          throw new java.io.IOException("storage down");
        }
        List<String> ids = new ArrayList<>();
        for (Event event : page.decodedEvents()) {
          ids.add(event.eventId());
        }
        List<String> before =
            pagesPerWriter
                .computeIfAbsent(
                    page.partition().partition() + "/" + page.writerId(), k -> new TreeMap<>())
                .put(page.firstOffset(), ids);
        assertThat(before).as("%s stored once", page).isNull();
      }
      onWrite.accept(page);
    }

    /** Every stored event id per partition/writer, pages in offset order. */
    synchronized Map<String, List<String>> writtenPerWriter() {
      Map<String, List<String>> written = new HashMap<>();
      pagesPerWriter.forEach(
          (writer, pages) -> {
            List<String> ids = new ArrayList<>();
            pages.values().forEach(ids::addAll);
            written.put(writer, ids);
          });
      return written;
    }
  }
}
