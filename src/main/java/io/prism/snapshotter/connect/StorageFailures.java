package io.prism.snapshotter.connect;

import io.prism.snapshotter.buffer.PageBuffer;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.storage.StorageException;
import io.prism.snapshotter.util.Causes;
import io.prism.snapshotter.util.Printable;
import java.time.Duration;
import java.util.function.Function;
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
 *
 * <p><b>Log volume during an outage.</b> Connect logs every {@link RetriableException} a task
 * throws at ERROR, with its whole stack trace and causes, at every retry: an S3 client's trace is a
 * hundred lines or more, so an outage of an hour filled the worker's log with the same trace. The
 * exception handed to Connect therefore carries the reason in its message only (no cause, no stack:
 * one line in Connect's log), and this class logs the failure's stack trace itself, at WARN, once
 * per outage and again only when the kind of failure changes (another chain of exception types);
 * every other retry gets a one-line WARN with the reason.
 */
final class StorageFailures {
  private static final Logger log = LoggerFactory.getLogger(StorageFailures.class);
  static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final String store;
  private final String index;
  private final Function<Exception, PageBuffer> failedPage;
  private final Runnable countRetry;
  private Duration backoff = FIRST_BACKOFF;
  private int consecutive;

  /** What failed in this outage: the line that ends it names what works again. */
  private boolean storingFailed;

  private boolean indexingFailed;
  private boolean lookupFailed;

  /** The exception types of the last failure whose stack trace was logged, in this outage. */
  private String loggedKind;

  /**
   * @param failedPage the page whose write failed with a given failure, if known, for the log
   * @param countRetry counts a retriable failure in the task's metrics
   */
  StorageFailures(
      String store, String index, Function<Exception, PageBuffer> failedPage, Runnable countRetry) {
    this.store = store;
    this.index = index;
    this.failedPage = failedPage;
    this.countRetry = countRetry;
  }

  RuntimeException onFailure(Exception failure, SinkTaskContext context) {
    PageBuffer failedPage = this.failedPage.apply(failure);
    String page = describe(failedPage);
    if (isFatal(failure)) {
      log.error("Cannot store {} in {}; the task stops: {}", page, store, failure.toString());
      return new ConnectException(
          "Cannot store pages in " + store + ": " + failure.getMessage(), failure);
    }
    consecutive++;
    // A page is stored, then its entry published (PageCommitter): only the index throws an
    // IndexException, and only once the page is stored; anything else failed while storing it.
    boolean publishing = failure instanceof IndexException;
    if (publishing) {
      indexingFailed = true;
    } else {
      storingFailed = true;
    }
    countRetry.run();
    // "At most": Connect waits for the back-off or its next offset commit, whichever comes first.
    String retry =
        (publishing ? publishingTheEntryOf(failedPage) : "Storing " + page + " in " + store)
            + " failed ("
            + consecutive
            + " in a row"
            + (publishing && failedPage != null ? "; the page itself is stored" : "")
            + "), retrying in at most "
            + backoff.toMillis()
            + " ms: "
            + failure;
    logRetry(retry, failure);
    backOff(context);
    return new RetryAfterBackOff(
        (publishing ? "Publishing index entries to " + index : "Storing pages in " + store)
            + " failed; will retry: "
            + failure);
  }

  /**
   * "Publishing the index entry of the page of writer 'w-17' at events-0 offsets 0..99 to
   * clickhouse ...", or "Publishing index entries to ..." when the page is not known.
   */
  private String publishingTheEntryOf(PageBuffer page) {
    return page == null
        ? "Publishing index entries to " + index
        : "Publishing the index entry of " + describe(page) + " to " + index;
  }

  /**
   * The index could not say which pages of a newly assigned partition are stored already: its
   * records wait (nothing is committed past them), and Connect delivers them again after a
   * back-off.
   */
  RuntimeException onIndexLookupFailure(
      TopicPartition partition, IndexException failure, SinkTaskContext context) {
    consecutive++;
    lookupFailed = true;
    logRetry(
        "Looking up in "
            + index
            + " the pages of "
            + partition
            + " stored before its assignment failed ("
            + consecutive
            + " in a row), retrying in at most "
            + backoff.toMillis()
            + " ms: "
            + failure.getMessage(),
        failure);
    backOff(context);
    return new RetryAfterBackOff(
        "Looking up in "
            + index
            + " the stored pages of "
            + partition
            + " failed; will retry: "
            + failure.getMessage());
  }

  /** One line per retry; the stack trace only for a kind of failure not logged in this outage. */
  private void logRetry(String line, Exception failure) {
    String kind = kindOf(failure);
    if (kind.equals(loggedKind)) {
      log.warn(line);
    } else {
      loggedKind = kind;
      log.warn(line, failure);
    }
  }

  /**
   * The chain of exception types, cause after cause: what tells one kind of failure from another.
   */
  private static String kindOf(Throwable failure) {
    StringBuilder kind = new StringBuilder();
    for (Throwable t : Causes.chain(failure)) {
      kind.append(t.getClass().getName()).append('<');
    }
    return kind.toString();
  }

  private void backOff(SinkTaskContext context) {
    context.timeout(backoff.toMillis());
    backoff =
        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
  }

  /**
   * A page was stored (and indexed): what failed in this outage works again. A lookup too: put
   * stores pages only after every record of its batch, the one whose lookup failed included, was
   * taken.
   */
  void recovered() {
    if (consecutive > 0) {
      log.info("{} again after {} failures", whatFailed(), consecutive);
    }
    reset();
  }

  /** "Storing pages in s3://b works", "Storing pages in s3://b and indexing pages in ... work". */
  private String whatFailed() {
    StringBuilder what = new StringBuilder();
    if (storingFailed) {
      what.append("storing pages in ").append(store);
    }
    if (indexingFailed) {
      what.append(what.isEmpty() ? "" : " and ").append("indexing pages in ").append(index);
    }
    if (lookupFailed) {
      what.append(what.isEmpty() ? "" : " and ")
          .append("looking up the stored pages of assigned partitions in ")
          .append(index);
    }
    int parts = (storingFailed ? 1 : 0) + (indexingFailed ? 1 : 0) + (lookupFailed ? 1 : 0);
    what.setCharAt(0, Character.toUpperCase(what.charAt(0)));
    return what.append(parts > 1 ? " work" : " works").toString();
  }

  /**
   * Whether retriable failures happened since the last page stored (or {@link #nothingToRetry}).
   */
  boolean inOutage() {
    return consecutive > 0;
  }

  /**
   * No page waits to be stored, and none was stored since the failures: those that failed were
   * dropped with their partitions (revoked), or the failure was an index lookup that has since
   * answered. Nothing is retried any more, so the outage ends here for the task: the next failure,
   * however much later, starts a new one (the first back-off, its stack trace logged, counted from
   * 1). Nothing is said to work again (nothing was stored), unless only lookups failed: this
   * batch's have answered.
   */
  void nothingToRetry() {
    if (consecutive > 0 && lookupFailed && !storingFailed && !indexingFailed) {
      // Only lookups failed, and this batch's have answered: that is a recovery.
      recovered();
    } else if (consecutive > 0) {
      log.info(
          "No page waits to be stored in {} any more after {} failures in a row; the next failure"
              + " starts a new count",
          store,
          consecutive);
      reset();
    }
  }

  private void reset() {
    consecutive = 0;
    backoff = FIRST_BACKOFF;
    loggedKind = null;
    storingFailed = false;
    indexingFailed = false;
    lookupFailed = false;
  }

  /**
   * Topic, partition, first offset and writer of a page, for the log; the page holds no secrets.
   */
  private static String describe(PageBuffer page) {
    if (page == null) {
      return "pages";
    }
    return "the page of writer "
        + Printable.quote(page.writerId())
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

  /**
   * What Connect gets for a retriable failure: the reason in one line, no stack trace and no cause,
   * because Connect logs both at every retry (this class logs them once).
   */
  static final class RetryAfterBackOff extends RetriableException {
    RetryAfterBackOff(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
