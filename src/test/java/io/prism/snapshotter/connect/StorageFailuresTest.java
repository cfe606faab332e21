package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.buffer.FlushLimits;
import io.prism.snapshotter.buffer.FlushPolicy;
import io.prism.snapshotter.buffer.MemoryBudget;
import io.prism.snapshotter.buffer.PageAssembler;
import io.prism.snapshotter.buffer.PageBuffer;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.storage.StorageException;
import io.prism.snapshotter.testing.BufferedPages;
import io.prism.snapshotter.testing.CapturedLogs;
import io.prism.snapshotter.testing.StubSinkTaskContext;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.Test;

class StorageFailuresTest {
  private static final String STORE = "s3://bucket";
  private static final String INDEX = "clickhouse http://localhost:8123/pages";

  private final AtomicInteger retries = new AtomicInteger();
  private final StubSinkTaskContext context = new StubSinkTaskContext(Map.of(), Set.of());
  private final List<Long> timeouts = context.timeouts();
  private final StorageFailures failures =
      new StorageFailures(STORE, INDEX, failure -> null, retries::incrementAndGet);

  private static StorageException unreachable(String detail) {
    return new StorageException(
        "Cannot reach " + STORE, true, new IOException(detail, new ConnectException("refused")));
  }

  @Test
  void connectGetsTheReasonInOneLineWithoutStackOrCause() {
    RuntimeException thrown = failures.onFailure(unreachable("connection reset"), context);

    assertThat(thrown).isInstanceOf(RetriableException.class).hasNoCause();
    assertThat(thrown.getStackTrace()).isEmpty();
    assertThat(thrown.getMessage())
        .isEqualTo(
            "Storing pages in s3://bucket failed; will retry: "
                + "io.prism.snapshotter.storage.StorageException: Cannot reach s3://bucket");
    assertThat(retries).hasValue(1);
  }

  @Test
  void theStackTraceIsLoggedOncePerOutageAndPerKindOfFailure() {
    try (CapturedLogs logs = CapturedLogs.capture()) {
      for (int i = 0; i < 5; i++) {
        failures.onFailure(unreachable("attempt " + i), context);
      }
      failures.onFailure(new StorageException("Slow down", true), context);
      failures.recovered();
      failures.onFailure(unreachable("next outage"), context);

      List<String> warnings =
          logs.lines().stream()
              .filter(line -> line.startsWith("WARN " + StorageFailures.class.getName()))
              .toList();
      assertThat(warnings).hasSize(7);
      assertThat(warnings).allSatisfy(line -> assertThat(line).contains("retrying in at most"));
      assertThat(warnings)
          .extracting(line -> line.contains("\tat "))
          .as("a stack trace: first failure, a new kind of failure, first of the next outage")
          .containsExactly(true, false, false, false, false, true, true);
      assertThat(warnings.get(0)).contains("Caused by: java.net.ConnectException: refused");
      assertThat(warnings.get(3)).contains("4 in a row");
      assertThat(logs.lines()).anyMatch(line -> line.contains("works again after 6 failures"));
    }
  }

  @Test
  void theBackOffGrowsToItsMaximumAndStartsAgainAfterRecovery() {
    for (int i = 0; i < 9; i++) {
      failures.onFailure(unreachable("down"), context);
    }
    failures.recovered();
    failures.onFailure(unreachable("down"), context);

    assertThat(timeouts)
        .containsExactly(
            500L, 1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L, 30_000L, 500L);
  }

  @Test
  void aFatalFailureStopsTheTaskWithItsCause() {
    StorageException denied = new StorageException("Access Denied", false);

    RuntimeException thrown = failures.onFailure(denied, context);

    assertThat(thrown)
        .isNotInstanceOf(RetriableException.class)
        .isInstanceOf(org.apache.kafka.connect.errors.ConnectException.class)
        .hasCause(denied)
        .hasMessageContaining("Access Denied");
    assertThat(retries).hasValue(0);
    assertThat(timeouts).isEmpty();
  }

  @Test
  void aFailedLookupOfStoredPagesIsRetriedInOneLineToo() {
    TopicPartition partition = new TopicPartition("events", 3);

    RuntimeException thrown =
        failures.onIndexLookupFailure(
            partition, new IndexException("no such table: pages"), context);

    assertThat(thrown).isInstanceOf(RetriableException.class).hasNoCause();
    assertThat(thrown.getStackTrace()).isEmpty();
    assertThat(thrown.getMessage()).contains("events-3").contains("no such table: pages");
    assertThat(timeouts).containsExactly(500L);
  }

  private static final String LOG = "INFO " + StorageFailures.class.getName() + " - ";

  @Test
  void anOutageOfIndexLookupsEndsSayingTheLookupsWorkNotStorage() {
    TopicPartition partition = new TopicPartition("events", 3);
    try (CapturedLogs logs = CapturedLogs.capture()) {
      failures.onIndexLookupFailure(partition, new IndexException("down"), context);
      failures.onIndexLookupFailure(partition, new IndexException("down"), context);
      failures.recovered();

      assertThat(logs.lines())
          .filteredOn(line -> line.startsWith("INFO " + StorageFailures.class.getName()))
          .containsExactly(
              LOG
                  + "Looking up the stored pages of assigned partitions in "
                  + INDEX
                  + " works again after 2 failures");
    }
  }

  @Test
  void anOutageOfLookupsWhoseBatchStoresNothingEndsAsARecoveryToo() {
    TopicPartition partition = new TopicPartition("events", 3);
    try (CapturedLogs logs = CapturedLogs.capture()) {
      failures.onIndexLookupFailure(partition, new IndexException("down"), context);
      failures.nothingToRetry();

      assertThat(logs.lines())
          .filteredOn(line -> line.startsWith("INFO " + StorageFailures.class.getName()))
          .containsExactly(
              LOG
                  + "Looking up the stored pages of assigned partitions in "
                  + INDEX
                  + " works again after 1 failures");
    }
  }

  @Test
  void anOutageOfStoringAndIndexingNamesBothWhenItEnds() {
    try (CapturedLogs logs = CapturedLogs.capture()) {
      failures.onFailure(new IndexException("Cannot reach " + INDEX), context);
      failures.recovered();
      failures.onFailure(unreachable("down"), context);
      failures.onFailure(new IndexException("Cannot reach " + INDEX), context);
      failures.recovered();

      assertThat(logs.lines())
          .filteredOn(line -> line.startsWith("INFO " + StorageFailures.class.getName()))
          .containsExactly(
              LOG + "Indexing pages in " + INDEX + " works again after 1 failures",
              LOG
                  + "Storing pages in s3://bucket and indexing pages in "
                  + INDEX
                  + " work again after 2 failures");
    }
  }

  private static final String WARN = "WARN " + StorageFailures.class.getName() + " - ";

  /** The first line a failure logs at WARN, without its stack trace. */
  private static String retryLine(CapturedLogs logs) {
    return logs.lines().stream()
        .filter(line -> line.startsWith(WARN))
        .findFirst()
        .orElseThrow()
        .lines()
        .findFirst()
        .orElseThrow();
  }

  /** An open page of writer 'w-17' at events-0 holding offsets 4200 and 4299. */
  private static PageBuffer pageOfW17() {
    PageAssembler assembler =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(10, 1_000_000, Duration.ofMinutes(1))),
            new MemoryBudget(1_000_000, 0.5),
            page -> {},
            Clock.systemUTC());
    TopicPartition events0 = new TopicPartition("events", 0);
    assembler.accept(events0, 4200, "w-17", new Event("e1", 1_000, new byte[10], Map.of()));
    assembler.accept(events0, 4299, "w-17", new Event("e2", 1_001, new byte[10], Map.of()));
    List<PageBuffer> pages = BufferedPages.all(assembler);
    assertThat(pages).hasSize(1);
    return pages.get(0);
  }

  @Test
  void aFailedStoreIsLoggedAsStoringThePageInTheStore() {
    PageBuffer page = pageOfW17();
    StorageFailures ofThePage = new StorageFailures(STORE, INDEX, failure -> page, () -> {});
    try (CapturedLogs logs = CapturedLogs.capture()) {
      RuntimeException thrown = ofThePage.onFailure(unreachable("down"), context);

      assertThat(retryLine(logs))
          .isEqualTo(
              WARN
                  + "Storing the page of writer 'w-17' at events-0 offsets 4200..4299 in"
                  + " s3://bucket failed (1 in a row), retrying in at most 500 ms:"
                  + " io.prism.snapshotter.storage.StorageException: Cannot reach s3://bucket");
      assertThat(thrown).hasMessageStartingWith("Storing pages in s3://bucket failed; will retry");
    }
  }

  @Test
  void aFailedPublishIsLoggedAsPublishingThePagesEntryToTheIndex() {
    PageBuffer page = pageOfW17();
    StorageFailures ofThePage = new StorageFailures(STORE, INDEX, failure -> page, () -> {});
    try (CapturedLogs logs = CapturedLogs.capture()) {
      RuntimeException thrown =
          ofThePage.onFailure(new IndexException("Cannot reach " + INDEX), context);

      assertThat(retryLine(logs))
          .isEqualTo(
              WARN
                  + "Publishing the index entry of the page of writer 'w-17' at events-0 offsets"
                  + " 4200..4299 to "
                  + INDEX
                  + " failed (1 in a row; the page itself is stored), retrying in at most 500 ms:"
                  + " io.prism.snapshotter.index.IndexException: Cannot reach "
                  + INDEX);
      assertThat(thrown)
          .hasMessage(
              "Publishing index entries to "
                  + INDEX
                  + " failed; will retry: io.prism.snapshotter.index.IndexException: Cannot reach "
                  + INDEX);
    }
  }

  @Test
  void aFailedPublishOfAPageNotKnownNamesTheIndexAlone() {
    try (CapturedLogs logs = CapturedLogs.capture()) {
      failures.onFailure(new IndexException("Cannot reach " + INDEX), context);

      assertThat(retryLine(logs))
          .startsWith(WARN + "Publishing index entries to " + INDEX + " failed (1 in a row), ");
    }
  }

  @Test
  void aFailedLookupIsLoggedAsLookingUpInTheIndex() {
    try (CapturedLogs logs = CapturedLogs.capture()) {
      RuntimeException thrown =
          failures.onIndexLookupFailure(
              new TopicPartition("events", 3), new IndexException("no such table: pages"), context);

      assertThat(retryLine(logs))
          .isEqualTo(
              WARN
                  + "Looking up in "
                  + INDEX
                  + " the pages of events-3 stored before its assignment failed (1 in a row),"
                  + " retrying in at most 500 ms: no such table: pages");
      assertThat(thrown)
          .hasMessage(
              "Looking up in "
                  + INDEX
                  + " the stored pages of events-3 failed; will retry: no such table: pages");
    }
  }
}
