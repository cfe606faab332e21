package io.prism.snapshotter.connect;

import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.storage.StorageException;
import java.time.Duration;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides what a failure to store or index a page means for the task: retriable
 * (Connect retries after a growing back-off; the buffers are kept) or fatal (the task stops with
 * the reason).
 */
final class StorageFailures {
  private static final Logger log = LoggerFactory.getLogger(StorageFailures.class);
  static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final String store;
  private final TaskTelemetry telemetry;
  private Duration backoff = FIRST_BACKOFF;
  private int consecutive;

  StorageFailures(String store, TaskTelemetry telemetry) {
    this.store = store;
    this.telemetry = telemetry;
  }

  RuntimeException onFailure(Exception failure, SinkTaskContext context) {
    String page = describe(telemetry.lastFailedPage());
    if (isFatal(failure)) {
      log.error("Cannot store {} in {}; the task stops: {}", page, store, failure.toString());
      return new ConnectException(
          "Cannot store pages in " + store + ": " + failure.getMessage(), failure);
    }
    consecutive++;
    telemetry.metrics().storageRetry();
    // "At most": Connect waits for the back-off or its next offset commit, whichever comes first.
    log.warn(
        "Storing or indexing {} failed ({} in a row), retrying in at most {} ms: {}",
        page,
        consecutive,
        backoff.toMillis(),
        failure.toString());
    backOff(context);
    return new RetriableException("Storing pages in " + store + " failed; will retry", failure);
  }

  /**
   * The index could not say which pages of a newly assigned partition are stored already: its
   * records wait (nothing is committed past them), and Connect delivers them again after a
   * back-off.
   */
  RuntimeException onIndexLookupFailure(
      TopicPartition partition, IndexException failure, SinkTaskContext context) {
    consecutive++;
    log.warn(
        "Cannot look up the pages of {} stored before its assignment ({} in a row), retrying in at most {} ms: {}",
        partition,
        consecutive,
        backoff.toMillis(),
        failure.getMessage());
    backOff(context);
    return new RetriableException(
        "Looking up the stored pages of " + partition + " failed; will retry", failure);
  }

  private void backOff(SinkTaskContext context) {
    context.timeout(backoff.toMillis());
    backoff =
        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
  }

  void recovered() {
    if (consecutive > 0) {
      log.info("Storing pages in {} works again after {} failures", store, consecutive);
    }
    consecutive = 0;
    backoff = FIRST_BACKOFF;
  }

  /**
   * Topic, partition, first offset and writer of a page, for the log; the page holds no secrets.
   */
  private static String describe(io.prism.snapshotter.buffer.PageBuffer page) {
    if (page == null) {
      return "pages";
    }
    return "the page of writer "
        + io.prism.snapshotter.util.Printable.quote(page.writerId())
        + " at "
        + page.partition()
        + " offsets "
        + page.firstOffset()
        + ".."
        + page.lastOffset();
  }

  /** Storage says fatal, or the page could not even be formed: retrying cannot help. */
  private static boolean isFatal(Exception failure) {
    if (failure instanceof StorageException storage) {
      return !storage.retriable();
    }
    return failure instanceof IllegalStateException || failure instanceof IllegalArgumentException;
  }
}
