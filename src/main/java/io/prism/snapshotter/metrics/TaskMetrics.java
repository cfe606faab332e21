package io.prism.snapshotter.metrics;

import io.prism.snapshotter.buffer.FlushReason;
import io.prism.snapshotter.buffer.PageAssembler;
import io.prism.snapshotter.buffer.PageBuffer;
import io.prism.snapshotter.index.PublishPath;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * One sink task's metrics and health: what the task's hooks call. Counters are bound to the task's
 * label values once, at start, so counting allocates nothing.
 *
 * <p>Thread-safety: counters and health may be updated from any thread; {@link #survey} runs on the
 * task thread (it walks the task's buffers) and publishes an immutable snapshot that the metrics
 * endpoint reads.
 */
public final class TaskMetrics implements AutoCloseable {
  /** Buffers are walked at most this often by {@link #survey}; {@link #surveyNow} ignores it. */
  static final long SURVEY_INTERVAL_MILLIS = 1000;

  private final TaskId id;
  private final Clock clock;
  private final int topWriters;
  private final long maxAgeMillis;
  private final String[] labels;
  private final CounterDataPoint recordsIn;
  private final CounterDataPoint eventsPaged;
  private final CounterDataPoint pageWrites;
  private final CounterDataPoint[] flushes = new CounterDataPoint[FlushReason.values().length];
  private final CounterDataPoint indexPublishErrors;
  private final CounterDataPoint indexBackgroundPublishErrors;
  private final CounterDataPoint storageErrors;
  private final CounterDataPoint storageRetries;
  private final CounterDataPoint sessionDisconnects;
  private final CounterDataPoint deadLetters;
  private final CounterDataPoint recordsAlreadyStored;
  private final CounterDataPoint recordsLeftToNewOwner;
  private final DistributionDataPoint pageWriteDuration;
  private final DistributionDataPoint pageSize;
  private final AtomicInteger pausedPartitions = new AtomicInteger();
  private final BackendHealth storage;
  private final BackendHealth index;
  private final DurableProgress progress = new DurableProgress();
  private volatile BufferSnapshot buffers = BufferSnapshot.EMPTY;
  private volatile IntSupplier indexQueue = () -> 0;
  private volatile IntSupplier uploadWaiting = () -> 0;
  private volatile IntSupplier uploadsInProgress = () -> 0;
  private volatile LongSupplier indexDropped = () -> 0;
  private final AtomicBoolean closed = new AtomicBoolean();
  private long lastSurveyMillis = Long.MIN_VALUE;
  private final LongAdder storedBytes = new LongAdder();

  /**
   * Per thread, so a page sink on an upload thread can measure its own page while others store
   * theirs.
   */
  private final ThreadLocal<long[]> storedBytesOfThread =
      ThreadLocal.withInitial(() -> new long[1]);

  private TaskMetrics(
      TaskId id,
      String storageBackend,
      String indexBackend,
      int topWriters,
      Duration maxAge,
      Clock clock) {
    if (topWriters < 0) {
      throw new IllegalArgumentException("top writers must be >= 0, got " + topWriters);
    }
    this.id = id;
    this.clock = clock;
    this.topWriters = topWriters;
    this.maxAgeMillis = maxAge.toMillis();
    this.labels = new String[] {id.connector(), id.task()};
    this.recordsIn = SnapshotterMetrics.RECORDS_IN.labelValues(labels);
    this.eventsPaged = SnapshotterMetrics.EVENTS_PAGED.labelValues(labels);
    this.pageWrites = SnapshotterMetrics.PAGE_WRITES.labelValues(labels);
    for (FlushReason reason : FlushReason.values()) {
      flushes[reason.ordinal()] =
          SnapshotterMetrics.FLUSHES.labelValues(id.connector(), id.task(), reason.label());
    }
    this.indexPublishErrors = SnapshotterMetrics.INDEX_PUBLISH_ERRORS.labelValues(labels);
    this.indexBackgroundPublishErrors =
        SnapshotterMetrics.INDEX_BACKGROUND_PUBLISH_ERRORS.labelValues(labels);
    this.storageErrors = SnapshotterMetrics.STORAGE_ERRORS.labelValues(labels);
    this.storageRetries = SnapshotterMetrics.STORAGE_RETRIES.labelValues(labels);
    this.sessionDisconnects = SnapshotterMetrics.SESSION_DISCONNECTS.labelValues(labels);
    this.deadLetters = SnapshotterMetrics.DEAD_LETTERS.labelValues(labels);
    this.recordsAlreadyStored = SnapshotterMetrics.RECORDS_ALREADY_STORED.labelValues(labels);
    this.recordsLeftToNewOwner = SnapshotterMetrics.RECORDS_LEFT_TO_NEW_OWNER.labelValues(labels);
    this.pageWriteDuration = SnapshotterMetrics.PAGE_WRITE_DURATION.labelValues(labels);
    this.pageSize = SnapshotterMetrics.PAGE_SIZE.labelValues(labels);
    this.storage = new BackendHealth(storageBackend, clock);
    this.index = new BackendHealth(indexBackend, clock);
  }

  /**
   * Starts the metrics of one task, replacing those of an earlier task with the same id.
   *
   * @param topWriters how many oldest and largest writers the buffer gauges show (never all)
   * @param maxAge the page age limit; older buffered pages count as over the limit
   */
  public static TaskMetrics open(
      TaskId id,
      String storageBackend,
      String indexBackend,
      int topWriters,
      Duration maxAge,
      Clock clock) {
    return SnapshotterMetrics.add(
        id, () -> new TaskMetrics(id, storageBackend, indexBackend, topWriters, maxAge, clock));
  }

  public TaskId id() {
    return id;
  }

  long nowMillis() {
    return clock.millis();
  }

  // ---- hooks the task calls ----

  /** The task received {@code count} records in one {@code put}. */
  public void recordsIn(int count) {
    recordsIn.inc(count);
  }

  /** {@code page} became durable, {@code nanos} after its write started. */
  public void pageDurable(PageBuffer page, long nanos, long pageStoredBytes) {
    pageWrites.inc();
    eventsPaged.inc(page.eventCount());
    FlushReason reason = page.closeReason();
    if (reason != null) {
      flushes[reason.ordinal()].inc();
      if (reason == FlushReason.SESSION_END) {
        sessionDisconnects.inc();
      }
    }
    pageWriteDuration.observe(nanos / 1e9);
    progress.pageDurable(page.partition(), page.eventCount(), pageStoredBytes);
  }

  /** The object store took {@code bytes} in {@code nanos}. */
  public void storageWrite(long bytes, long nanos) {
    storedBytes.add(bytes);
    storedBytesOfThread.get()[0] += bytes;
    pageSize.observe(bytes);
    storage.succeeded(nanos, 1);
  }

  public void storageFailed() {
    storageErrors.inc();
    storage.failed();
  }

  /**
   * A publish by {@code path} took {@code entries} in {@code nanos}. Only one that reached the
   * primary index counts for {@code /health/index}: in async mode the queue's publish, not the
   * task's enqueue, so its latency and last success are the index's own.
   */
  public void indexPublished(PublishPath path, int entries, long nanos) {
    if (path.reachesPrimary()) {
      index.succeeded(nanos, entries);
    }
  }

  /**
   * A publish by {@code path} failed. The task's own failed calls (sync publishes, refused
   * enqueues) count in one counter, the queues' failed attempts in another: one outage is then not
   * counted twice in one series (first as retries, then as the refusals they cause).
   */
  public void indexFailed(PublishPath path) {
    (path.background() ? indexBackgroundPublishErrors : indexPublishErrors).inc();
    if (path.reachesPrimary()) {
      index.failed();
    }
  }

  /**
   * Where {@link #indexQueueEntries} reads the index's queued entries (the task's opened index).
   */
  public void watchIndexQueue(IntSupplier queuedEntries) {
    this.indexQueue = queuedEntries;
  }

  /**
   * Where {@link #uploadQueuePages} and {@link #uploadsInProgress} read the task's page uploads:
   * pages waiting for an upload thread, and pages being stored.
   */
  public void watchUploads(IntSupplier waitingPages, IntSupplier pagesBeingStored) {
    this.uploadWaiting = waitingPages;
    this.uploadsInProgress = pagesBeingStored;
  }

  /**
   * Closed pages waiting for a free upload thread: more than a few for long, with {@link
   * #uploadsInProgress} at {@code storage.upload.threads}, says the threads are what holds the task
   * back.
   */
  public int uploadQueuePages() {
    return uploadWaiting.getAsInt();
  }

  /** Pages being stored right now, at most {@code storage.upload.threads}. */
  public int uploadsInProgress() {
    return uploadsInProgress.getAsInt();
  }

  /**
   * Where {@link #indexDroppedEntriesTotal} reads the entries the index gave up (a secondary's full
   * queue).
   */
  public void watchIndexDrops(LongSupplier droppedEntries) {
    this.indexDropped = droppedEntries;
  }

  /** The task asked Connect to retry a batch whose pages could not be written. */
  public void storageRetry() {
    storageRetries.inc();
  }

  public void deadLettered() {
    deadLetters.inc();
  }

  /** {@code count} re-delivered records were recognised as already in stored pages. */
  public void recordsAlreadyStored(long count) {
    if (count > 0) {
      recordsAlreadyStored.inc(count);
    }
  }

  /**
   * {@code count} buffered records were dropped at revocation: the partition's new owner had stored
   * some.
   */
  public void recordsLeftToNewOwner(long count) {
    if (count > 0) {
      recordsLeftToNewOwner.inc(count);
    }
  }

  public void pausedPartitions(int count) {
    pausedPartitions.set(count);
  }

  /** Walks the task's buffers when the last survey is older than a second. Task thread only. */
  public void survey(PageAssembler assembler) {
    long now = clock.millis();
    if (now - lastSurveyMillis >= SURVEY_INTERVAL_MILLIS || now < lastSurveyMillis) {
      surveyNow(assembler, now);
    }
  }

  /** Walks the task's buffers now. Task thread only. */
  public void surveyNow(PageAssembler assembler) {
    surveyNow(assembler, clock.millis());
  }

  private void surveyNow(PageAssembler assembler, long now) {
    BufferSurvey survey = new BufferSurvey(topWriters, now, maxAgeMillis);
    assembler.survey(survey);
    buffers = survey.result();
    lastSurveyMillis = now;
  }

  // ---- what exporters and health read ----

  public BufferSnapshot buffers() {
    return buffers;
  }

  public BackendHealth.Snapshot storageHealth() {
    return storage.snapshot();
  }

  public BackendHealth.Snapshot indexHealth() {
    return index.snapshot();
  }

  /** The object store's record, which {@link IdleProbes} adds its probes to. */
  BackendHealth storageRecord() {
    return storage;
  }

  /** The index's record, which {@link IdleProbes} adds its probes to. */
  BackendHealth indexRecord() {
    return index;
  }

  /** Pages, events and bytes made durable per partition since the last call for it. */
  public DurableProgress progress() {
    return progress;
  }

  /** Bytes the object store took from this task (every stored page). */
  public long storedBytes() {
    return storedBytes.sum();
  }

  /** Bytes the object store took from the calling thread. */
  public long storedBytesOnThisThread() {
    return storedBytesOfThread.get()[0];
  }

  public long maxAgeMillis() {
    return maxAgeMillis;
  }

  public long recordsInTotal() {
    return recordsIn.getLongValue();
  }

  public long eventsPagedTotal() {
    return eventsPaged.getLongValue();
  }

  public long pageWritesTotal() {
    return pageWrites.getLongValue();
  }

  public long flushesTotal(FlushReason reason) {
    return flushes[reason.ordinal()].getLongValue();
  }

  public long indexPublishErrorsTotal() {
    return indexPublishErrors.getLongValue();
  }

  public long indexBackgroundPublishErrorsTotal() {
    return indexBackgroundPublishErrors.getLongValue();
  }

  /** Entries waiting in the task's index queues (async publish queue and secondaries' queues). */
  public int indexQueueEntries() {
    return indexQueue.getAsInt();
  }

  /**
   * Index entries given up without reaching every backend: a secondary's queue was full, or a queue
   * still held them when the index closed. Includes those of this task id's earlier runs in this
   * JVM: a run's queues give up entries at its stop, after which its series are gone.
   */
  public long indexDroppedEntriesTotal() {
    return SnapshotterMetrics.indexDropsOfStoppedRuns(id) + indexDropped.getAsLong();
  }

  public long storageErrorsTotal() {
    return storageErrors.getLongValue();
  }

  public long storageRetriesTotal() {
    return storageRetries.getLongValue();
  }

  public long sessionDisconnectsTotal() {
    return sessionDisconnects.getLongValue();
  }

  public long deadLettersTotal() {
    return deadLetters.getLongValue();
  }

  public long recordsAlreadyStoredTotal() {
    return recordsAlreadyStored.getLongValue();
  }

  public long recordsLeftToNewOwnerTotal() {
    return recordsLeftToNewOwner.getLongValue();
  }

  public int pausedPartitions() {
    return pausedPartitions.get();
  }

  /** Count and sum (seconds) of the page write durations. */
  public long pageWriteCount() {
    return pageWriteDuration.getCount();
  }

  public double pageWriteSecondsSum() {
    return pageWriteDuration.getSum();
  }

  public long pageSizeCount() {
    return pageSize.getCount();
  }

  public double pageSizeBytesSum() {
    return pageSize.getSum();
  }

  /**
   * Stops exporting this task's series (unless a newer task with its id has them now); the index
   * entries it gave up (read now: the task closes its index first) carry over to its next run.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    SnapshotterMetrics.remove(this);
    SnapshotterMetrics.indexDropsOfStoppedRun(id, indexDropped.getAsLong());
  }

  void forgetSeries() {
    SnapshotterMetrics.RECORDS_IN.remove(labels);
    SnapshotterMetrics.EVENTS_PAGED.remove(labels);
    SnapshotterMetrics.PAGE_WRITES.remove(labels);
    for (FlushReason reason : FlushReason.values()) {
      SnapshotterMetrics.FLUSHES.remove(id.connector(), id.task(), reason.label());
    }
    SnapshotterMetrics.INDEX_PUBLISH_ERRORS.remove(labels);
    SnapshotterMetrics.INDEX_BACKGROUND_PUBLISH_ERRORS.remove(labels);
    SnapshotterMetrics.STORAGE_ERRORS.remove(labels);
    SnapshotterMetrics.STORAGE_RETRIES.remove(labels);
    SnapshotterMetrics.SESSION_DISCONNECTS.remove(labels);
    SnapshotterMetrics.DEAD_LETTERS.remove(labels);
    SnapshotterMetrics.RECORDS_ALREADY_STORED.remove(labels);
    SnapshotterMetrics.RECORDS_LEFT_TO_NEW_OWNER.remove(labels);
    SnapshotterMetrics.PAGE_WRITE_DURATION.remove(labels);
    SnapshotterMetrics.PAGE_SIZE.remove(labels);
  }
}
