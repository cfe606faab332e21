package io.prism.snapshotter.connect;

import io.prism.snapshotter.buffer.FlushPolicy;
import io.prism.snapshotter.buffer.FlushReason;
import io.prism.snapshotter.buffer.MemoryBudget;
import io.prism.snapshotter.buffer.PageAssembler;
import io.prism.snapshotter.buffer.PageBuffer;
import io.prism.snapshotter.buffer.PageSink;
import io.prism.snapshotter.buffer.PageUploads;
import io.prism.snapshotter.buffer.RevokedPages;
import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.metrics.IdleProbes;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.sink.IndexedPageLookup;
import io.prism.snapshotter.sink.PageCommitter;
import io.prism.snapshotter.sink.PageKeys;
import io.prism.snapshotter.sink.PageUploader;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.util.Printable;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink task: buffers records into per-writer pages, stores pages as they close (on a small pool
 * of upload threads, {@code storage.upload.threads}, while it keeps buffering), and commits a
 * partition's offset only up to its first record that is not yet in a durable page.
 *
 * <p>{@code flush()} does nothing: the task owns its offsets through {@link #preCommit}.
 */
public class SnapshotterSinkTask extends SinkTask {
  private static final Logger log = LoggerFactory.getLogger(SnapshotterSinkTask.class);
  private static final double LOW_WATER_FRACTION = 0.75;

  /** Connect's own keys, passed on to the task with the connector's settings. */
  private static final String ERRORS_TOLERANCE = "errors.tolerance";

  private static final String DEAD_LETTER_QUEUE_TOPIC = "errors.deadletterqueue.topic.name";

  /**
   * How long {@code put} waits for pages being stored when the buffers are over the memory budget,
   * before it pauses the partitions instead: long enough to ride out a slow moment, far below the
   * consumer's poll interval.
   */
  private static final Duration BACKPRESSURE_WAIT = Duration.ofSeconds(5);

  private final Clock clock;
  private SnapshotterConfig config;
  private ObjectStore store;
  private PageIndex index;
  private PageUploads uploads;
  private PageAssembler assembler;
  private WriterIdExtractor writers;
  private EventConverter events;
  private ErrantRecordReporter reporter;

  /**
   * {@code errors.tolerance=all}: a bad record is reported, or skipped when the worker gives no
   * reporter (no dead letter queue, no error log), as Connect skips records it cannot convert.
   * Otherwise ({@code none}, Connect's default) a bad record stops the task, reporter or not.
   */
  private boolean tolerateBadRecords;

  /**
   * What the task's error says under {@code errors.tolerance=none}: which setting would skip a bad
   * record, and where it would be kept.
   */
  private String toleranceNoneHint;

  private StorageFailures failures;
  private boolean pausedForMemory;

  /** A bad record reported whose skip has not succeeded yet (see skipBadRecord); else null. */
  private RecordPosition reportedNotSkipped;

  private TaskTelemetry telemetry;

  /** Probes of the store and index while they are idle, so their health stays current. */
  private IdleProbes probes;

  public SnapshotterSinkTask() {
    this(Clock.systemUTC());
  }

  /** For tests: a task whose page ages are measured on {@code clock}. */
  public SnapshotterSinkTask(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String version() {
    return Version.current();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new SnapshotterConfig(props);
    ObjectStore pages = ObjectStores.open(config.storage());
    // After the store opens, and closed if the index cannot open: a task whose config fails
    // leaves no metrics behind. Before the index, whose queues it meters from the inside.
    try {
      telemetry = TaskTelemetry.start(config, props, context, clock);
      index = telemetry.openIndex(config.index());
    } catch (RuntimeException e) {
      // Nor an open store: an S3 client's connection pool would outlive the failed task.
      closeQuietly(telemetry);
      telemetry = null;
      closeQuietly(pages);
      throw e;
    }
    store = telemetry.meter(pages);
    // The raw store, not the metered one: a probe is not a page write.
    probes =
        IdleProbes.start(telemetry.metrics(), pages, index, config.metrics().healthProbeInterval());
    int uploadThreads = config.storage().uploadThreads();
    // Closed pages are encoded and stored on their own threads (one PageCommitter each: its
    // encoder is single-threaded) while put() keeps converting and buffering records.
    uploads =
        uploadThreads == 0
            ? PageUploads.inline(newCommitter())
            : new PageUploader(
                uploadThreads, this::newCommitter, props.getOrDefault("name", "sink"));
    telemetry.metrics().watchUploads(uploads::waitingPages, uploads::pagesBeingStored);
    assembler =
        new PageAssembler(
            new FlushPolicy(config.buffer().limits()),
            new MemoryBudget(config.buffer().memoryMaxBytes(), LOW_WATER_FRACTION),
            config.buffer().evictionOrder(),
            uploads,
            // Async publishing already accepts an index that lags or is down; sync waits for it.
            new IndexedPageLookup(index, config.index().publishMode() == PublishMode.ASYNC),
            new PageKeys(
                    config.storage().keyTemplate(),
                    config.page().format(),
                    config.page().compression(),
                    config.storage().backend())
                .asNewPageCheck(),
            clock);
    ParsedHeaderWarning parsedHeaders = new ParsedHeaderWarning();
    writers =
        new WriterIdExtractor(
            config.writer().keySource(), parsedHeaders, config.writer().idMaxBytes());
    events =
        new EventConverter(
            config.page().includeMetadata(),
            config.writer().eventIdHeader(),
            config.writer().sessionHeader(),
            config.page().jsonDecimalFormat(),
            clock,
            parsedHeaders);
    failures =
        new StorageFailures(
            store.describe(),
            index.describe(),
            // The page of the failure thrown; else the one that failed last (inline uploads).
            failure -> {
              PageBuffer page = assembler.pageThatFailedWith(failure);
              return page != null ? page : telemetry.lastFailedPage();
            },
            () -> telemetry.metrics().storageRetry());
    reporter = errantRecordReporter();
    tolerateBadRecords =
        "all".equalsIgnoreCase(props.getOrDefault(ERRORS_TOLERANCE, "none").trim());
    toleranceNoneHint = toleranceNoneHint(props.getOrDefault(DEAD_LETTER_QUEUE_TOPIC, "").trim());
    // The thread count too: unset, it depends on the backend, and the worker logs it as null.
    log.info(
        "Started: pages to {} ({}), index {}",
        store.describe(),
        uploadThreads == 0 ? "stored on the task's thread" : uploadThreads + " upload threads",
        index.describe());
  }

  /** One metered committer per upload thread; they share the (thread-safe) store and index. */
  private PageSink newCommitter() {
    return telemetry.meter(
        new PageCommitter(
            config.page().format(),
            config.page().compression(),
            config.page().compressionLevel(),
            config.page().tags(),
            config.storage().keyTemplate(),
            config.storage().backend(),
            store,
            index));
  }

  private ErrantRecordReporter errantRecordReporter() {
    try {
      return context.errantRecordReporter();
    } catch (NoSuchMethodError | NoClassDefFoundError e) {
      return null; // a worker older than Kafka 2.6: bad records fail the task
    }
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    TopicPartition partition = null;
    try {
      for (SinkRecord record : records) {
        if (partition == null
            || record.kafkaPartition() != partition.partition()
            || !record.topic().equals(partition.topic())) {
          partition = new TopicPartition(record.topic(), record.kafkaPartition());
        }
        accept(partition, record);
      }
    } catch (IndexException storedPagesUnknown) {
      // Only a partition's first record after its assignment asks the index (which of its pages
      // are stored already). The records accepted before it are recognised on re-delivery.
      throw failures.onIndexLookupFailure(partition, storedPagesUnknown, context);
    }
    assembler.closeExpiredPages();
    assembler.closePagesOverBudget();
    try {
      writeClosedPages();
    } finally {
      telemetry.afterPut(records.size(), assembler);
    }
  }

  private void accept(TopicPartition partition, SinkRecord record) {
    long offset = record.kafkaOffset();
    // Connect re-delivers a batch after put fails retriably: a record taken already (buffered,
    // skipped, or sent to the dead letter queue) is done, and is not converted or reported again.
    if (assembler.alreadyAccepted(partition, offset)) {
      return;
    }
    try {
      if (events.isSessionEnd(record)) {
        // A control record whatever its value: it names the writer whose page it closes.
        assembler.endSession(partition, offset, writers.writerOf(record));
      } else if (record.value() == null) {
        // A tombstone carries no event, so it needs no writer id (nor could a field of its value
        // give one).
        assembler.skip(partition, offset);
      } else {
        String writerId = writers.writerOf(record);
        Event event = events.toEvent(record);
        assembler.accept(partition, offset, writerId, event, events.hasRecordTime(record));
      }
    } catch (BadRecordException bad) {
      skipBadRecord(partition, record, bad);
    } catch (IllegalArgumentException notAnEvent) {
      // e.g. an event id or header that is not valid Unicode: no page could hold it
      skipBadRecord(partition, record, new BadRecordException(record, notAnEvent.getMessage()));
    }
  }

  /**
   * Reports the record, then skips it: in that order, a report that fails leaves its offset
   * uncommitted. The skip of a partition's first record asks the index, and when that fails the
   * batch comes again: the record reported already is remembered so it is reported once.
   */
  private void skipBadRecord(TopicPartition partition, SinkRecord record, BadRecordException bad) {
    RecordPosition position = new RecordPosition(partition, record.kafkaOffset());
    if (!position.equals(reportedNotSkipped)) {
      reportBadRecord(record, bad);
      reportedNotSkipped = position;
    }
    assembler.skip(partition, record.kafkaOffset());
    reportedNotSkipped = null;
  }

  private record RecordPosition(TopicPartition partition, long offset) {}

  private static String toleranceNoneHint(String deadLetterQueue) {
    if (deadLetterQueue.isEmpty()) {
      return "errors.tolerance=none: set errors.tolerance=all to skip bad records, and"
          + " errors.deadletterqueue.topic.name to keep them";
    }
    return "errors.tolerance=none: Connect sends bad records to the dead letter queue "
        + Printable.quote(deadLetterQueue)
        + " (errors.deadletterqueue.topic.name) only with errors.tolerance=all; set it to send"
        + " them there and go on";
  }

  private void reportBadRecord(SinkRecord record, BadRecordException bad) {
    if (!tolerateBadRecords) {
      // errors.tolerance=none stops the task, with or without a dead letter queue, as Connect does
      // with a record it cannot convert. Its reporter is not asked: under none it writes the record
      // to the queue and then throws "Tolerance exceeded in error handler" (the record only in its
      // cause, the setting nowhere), and every restart of the task added another copy to the queue.
      // The exception's message names the record (topic, partition, offset, key) already.
      log.error("Cannot store {} ({})", bad.getMessage(), toleranceNoneHint);
      throw new ConnectException(bad.getMessage() + " (" + toleranceNoneHint + ")", bad);
    }
    if (reporter == null) {
      log.warn("Skipping {} (errors.tolerance=all, no dead letter queue)", bad.getMessage());
      return;
    }
    log.warn("Sending {} to the dead letter queue", bad.getMessage());
    try {
      reporter.report(record, bad).get();
      telemetry.metrics().deadLettered();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectException(
          "Interrupted while reporting " + BadRecordException.where(record), e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new ConnectException(
          "Could not report " + bad.getMessage() + " to the dead letter queue", e.getCause());
    }
  }

  /**
   * Hands closed pages to the uploads and takes in those that became durable. Pages being stored
   * count in the memory budget: over it, waits a little for them (backpressure), and if storage
   * still lags (or fails) pauses the partitions until the buffers fall below the low-water mark.
   */
  private void writeClosedPages() {
    try {
      int written = assembler.writeClosedPages();
      if (assembler.memory().overBudget()) {
        assembler.awaitStoredWithinBudget(BACKPRESSURE_WAIT);
        written += assembler.writeClosedPages();
      }
      if (written > 0) {
        failures.recovered();
      } else if (failures.inOutage() && !assembler.hasClosedPages()) {
        failures.nothingToRetry();
      }
      pauseIfOverBudget();
      resumeIfBelowLowWater();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectException("Interrupted while waiting for pages to be stored", e);
    } catch (Exception e) {
      pauseIfOverBudget();
      throw failures.onFailure(e, context);
    }
  }

  /**
   * Partitions assigned while the task is paused for memory are paused too: after a rebalance
   * Connect pauses again only those the task had paused, so a new one would keep delivering.
   */
  @Override
  public void open(Collection<TopicPartition> partitions) {
    if (pausedForMemory && !partitions.isEmpty()) {
      log.warn("Pausing the newly assigned partitions {} too: buffers over budget", partitions);
      context.pause(partitions.toArray(new TopicPartition[0]));
      telemetry.metrics().pausedPartitions(context.assignment().size());
    }
  }

  private void pauseIfOverBudget() {
    if (!pausedForMemory && assembler.memory().overBudget()) {
      pausedForMemory = true;
      log.warn(
          "Pausing {} partitions: {} bytes buffered, over the budget of {} while storage is failing or lagging",
          context.assignment().size(),
          assembler.memory().usedBytes(),
          assembler.memory().maxBytes());
      context.pause(context.assignment().toArray(new TopicPartition[0]));
      telemetry.metrics().pausedPartitions(context.assignment().size());
    }
  }

  private void resumeIfBelowLowWater() {
    if (pausedForMemory && assembler.memory().belowLowWater()) {
      pausedForMemory = false;
      log.info("Resuming partitions: buffers down to {} bytes", assembler.memory().usedBytes());
      context.resume(context.assignment().toArray(new TopicPartition[0]));
      telemetry.metrics().pausedPartitions(0);
    }
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(
      Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    Map<TopicPartition, Long> durable = assembler.committableOffsets();
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>(currentOffsets.size() * 2);
    for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : currentOffsets.entrySet()) {
      Long offset = durable.get(entry.getKey());
      // A partition that holds nothing in memory (it delivered nothing since it was assigned, or
      // all it delivered is durable): Connect's own position for it is safe, and it also passes
      // the records Connect dropped before put (a Filter SMT, a record its converter could not
      // read with errors.tolerance=all), which the task never saw: committing only up to the last
      // record put saw would leave those uncommitted, read (and dead-lettered) again after every
      // restart, and the partition's lag above 0 while it is idle. Durable pages can reach past
      // Connect's position while a batch fails (its first pages stored, a later one not: put
      // threw, so Connect has not counted the batch). Connect ignores such an offset with a WARN
      // on every commit and commits nothing for the partition; its own position is as safe and
      // lets it commit.
      long position = entry.getValue().offset();
      boolean connectsPosition =
          offset == null || offset > position || !assembler.holdsRecordsOf(entry.getKey());
      commit.put(
          entry.getKey(), connectsPosition ? entry.getValue() : new OffsetAndMetadata(offset));
    }
    telemetry.committing(commit, assembler);
    return commit;
  }

  @Override
  public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    // Nothing to do: offsets come from preCommit and follow durable pages only.
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
    try {
      if (config.buffer().flushOnDisconnect()) {
        long start = clock.millis();
        // Unless another task has stored some of their buffered records already (this one was
        // frozen and lost them): then they are left to it, not stored as copies.
        RevokedPages pages = assembler.flushRevokedPartitions(partitions);
        log.info(
            "{}", RevocationLine.of(partitions, pages, Duration.ofMillis(clock.millis() - start)));
      } else {
        // Open pages are dropped, but pages already closed (and maybe being stored) are
        // finished here, before the next owner starts on these partitions.
        assembler.storeClosedPagesOf(partitions);
      }
    } catch (Exception e) {
      log.warn(
          "Could not store the open pages of revoked partitions {}; their records will be re-delivered to the next owner",
          RevocationLine.names(partitions),
          e);
    } finally {
      if (pausedForMemory) {
        // Connect still counts them in the assignment while they are being closed.
        telemetry
            .metrics()
            .pausedPartitions(
                (int) context.assignment().stream().filter(p -> !partitions.contains(p)).count());
      }
      assembler.forgetPartitions(partitions);
      telemetry.closed(partitions, assembler);
    }
  }

  @Override
  public void stop() {
    try {
      if (assembler != null && config.buffer().flushOnDisconnect()) {
        assembler.flushPartitions(context.assignment(), FlushReason.TASK_STOP);
      } else if (assembler != null) {
        assembler.storeClosedPagesOf(context.assignment());
      }
    } catch (Exception e) {
      log.warn("Could not store every open page at stop; those records will be re-delivered", e);
    } finally {
      closeQuietly(probes); // before the store and index they call
      closeQuietly(uploads); // before the store and index its threads write to
      closeQuietly(index);
      closeQuietly(store);
      closeQuietly(telemetry);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      log.warn("Error closing {}", closeable, e);
    }
  }
}
