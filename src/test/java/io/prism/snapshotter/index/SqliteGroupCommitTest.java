package io.prism.snapshotter.index;

import static io.prism.snapshotter.index.PageIndexContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit in {@link SqlitePageIndex}: publishes that arrive while a transaction commits are
 * committed together in the next one, each still returning only once its own entries are committed
 * (or failing with what kept them out). A {@link Gate} holds chosen transactions at their commit,
 * so the others queue behind them, and records the entries of every transaction that commits.
 */
class SqliteGroupCommitTest {
  private static final long TIMEOUT_SECONDS = 30;

  @TempDir Path dir;

  private final Gate gate = new Gate();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private SqlitePageIndex index;

  @BeforeEach
  void open() {
    index = SqlitePageIndex.open(dir.resolve("index.db"), gate);
  }

  @AfterEach
  void close() throws InterruptedException {
    gate.openAll();
    threads.shutdownNow();
    assertThat(threads.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    index.close();
  }

  @Test
  void publishesArrivingDuringACommitAreCommittedTogetherInTheNextTransaction() throws Exception {
    gate.hold(1);
    IndexEntry first = entry("w0", 0, 1_000, 2_000);
    Future<?> leader = publishInBackground(first);
    gate.awaitHeld(1);
    List<IndexEntry> later = new ArrayList<>();
    List<Future<?>> followers = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      IndexEntry e = entry("w" + i, i, 1_000, 2_000);
      later.add(e);
      followers.add(publishInBackground(e));
    }
    gate.awaitWaiting(7);
    assertThat(followers).noneMatch(Future::isDone);

    gate.release(1);
    leader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    for (Future<?> f : followers) {
      f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    assertThat(gate.commits()).hasSize(2);
    assertThat(gate.commits().get(0)).containsExactly(first);
    assertThat(gate.commits().get(1)).containsExactlyInAnyOrderElementsOf(later);
    for (IndexEntry e : later) {
      assertThat(index.entries(e.writerId(), TimeRange.ALL)).containsExactly(e);
    }
  }

  @Test
  void aRefusedPublishFailsAloneAndTheRestOfItsGroupIsCommitted() throws Exception {
    refuse("refused", "ABORT");
    gate.hold(1);
    Future<?> leader = publishInBackground(entry("w0", 0, 1_000, 2_000));
    gate.awaitHeld(1);
    IndexEntry beside = entry("w1", 1, 1_000, 2_000);
    Future<?> refused =
        publishInBackground(beside, withKey(entry("w1", 2, 1_000, 2_000), "refused"));
    IndexEntry other = entry("w2", 3, 1_000, 2_000);
    IndexEntry another = entry("w3", 4, 1_000, 2_000);
    Future<?> ok1 = publishInBackground(other);
    Future<?> ok2 = publishInBackground(another);
    gate.awaitWaiting(3);

    gate.release(1);
    leader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    ok1.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    ok2.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThatThrownBy(() -> refused.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("Cannot publish 2 entries in sqlite ")
        .hasMessageContaining("no page may be called refused")
        .hasCauseInstanceOf(SQLException.class);
    assertThat(index.entries("w1", TimeRange.ALL))
        .as("a publish is all or nothing: its other entry is left out with it")
        .isEmpty();
    assertThat(index.entries("w2", TimeRange.ALL)).containsExactly(other);
    assertThat(index.entries("w3", TimeRange.ALL)).containsExactly(another);
    assertThat(gate.commits()).hasSize(2);
    assertThat(gate.commits().get(1)).containsExactlyInAnyOrder(other, another);
  }

  @Test
  void aPublishWhoseErrorEndsTheTransactionFailsAloneAndTheOthersAreCommittedInANewOne()
      throws Exception {
    // RAISE(ROLLBACK) rolls back the whole transaction, as SQLite itself may on some I/O errors:
    // no savepoint is left to go back to.
    refuse("doomed", "ROLLBACK");
    gate.hold(1);
    Future<?> leader = publishInBackground(entry("w0", 0, 1_000, 2_000));
    gate.awaitHeld(1);
    // In this order: one applied before the doomed publish, one after it.
    IndexEntry before = entry("w1", 1, 1_000, 2_000);
    Future<?> appliedBefore = publishInBackground(before);
    gate.awaitWaiting(1);
    Future<?> doomed = publishInBackground(withKey(entry("w2", 2, 1_000, 2_000), "doomed"));
    gate.awaitWaiting(2);
    IndexEntry after = entry("w3", 3, 1_000, 2_000);
    Future<?> appliedAfter = publishInBackground(after);
    gate.awaitWaiting(3);

    gate.release(1);
    leader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    appliedBefore.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    appliedAfter.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThatThrownBy(() -> doomed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("Cannot publish 1 entries in sqlite ")
        .hasMessageContaining("no page may be called doomed");
    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(before);
    assertThat(index.entries("w2", TimeRange.ALL)).isEmpty();
    assertThat(index.entries("w3", TimeRange.ALL)).containsExactly(after);
    assertThat(gate.commits()).hasSize(2);
    assertThat(gate.commits().get(1)).containsExactly(before, after);

    IndexEntry next = entry("w4", 4, 1_000, 2_000);
    index.publish(List.of(next));
    assertThat(index.entries("w4", TimeRange.ALL))
        .as("the connection works on")
        .containsExactly(next);
  }

  @Test
  void aFailedCommitFailsEveryPublishInItWithItsError() throws Exception {
    gate.hold(1);
    IndexEntry first = entry("w0", 0, 1_000, 2_000);
    Future<?> leader = publishInBackground(first);
    gate.awaitHeld(1);
    gate.failCommit(2, new SQLException("disk I/O error (simulated)"));
    List<Future<?>> group = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      group.add(publishInBackground(entry("w" + i, i, 1_000, 2_000)));
    }
    gate.awaitWaiting(3);

    gate.release(1);
    leader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    for (Future<?> f : group) {
      assertThatThrownBy(() -> f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(IndexException.class)
          .hasMessageMatching(
              "Cannot publish 1 entries in sqlite .*: disk I/O error \\(simulated\\)")
          .cause()
          .hasMessage("disk I/O error (simulated)");
    }
    for (int i = 1; i <= 3; i++) {
      assertThat(index.entries("w" + i, TimeRange.ALL)).isEmpty();
    }
    assertThat(index.entries("w0", TimeRange.ALL)).containsExactly(first);

    IndexEntry next = entry("w4", 4, 1_000, 2_000);
    index.publish(List.of(next));
    assertThat(index.entries("w4", TimeRange.ALL))
        .as("the connection works on")
        .containsExactly(next);
  }

  @Test
  void anInterruptedPublishStillWaitingIsWithdrawnAndFails() throws Exception {
    gate.hold(1);
    Future<?> leader = publishInBackground(entry("w0", 0, 1_000, 2_000));
    gate.awaitHeld(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    Thread waiting =
        new Thread(
            () -> {
              try {
                index.publish(List.of(entry("w1", 1, 1_000, 2_000)));
              } catch (Throwable t) {
                thrown.set(t);
              }
              stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
    waiting.start();
    gate.awaitWaiting(1);

    waiting.interrupt(); // while the commit ahead of it is still held
    waiting.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    assertThat(waiting.isAlive()).as("returned without the commit ahead of it").isFalse();
    assertThat(thrown.get())
        .isInstanceOf(IndexException.class)
        .hasMessageMatching(
            "Cannot publish 1 entries in sqlite .*: interrupted while waiting for the transaction"
                + " before them; not published");
    assertThat(stillInterrupted).as("interrupt status kept").isTrue();

    gate.release(1);
    leader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(index.entries("w1", TimeRange.ALL)).isEmpty();
    assertThat(gate.commits()).hasSize(1);
  }

  @Test
  void anInterruptedPublishWhoseEntriesAreBeingCommittedReturnsOnceTheyAre() throws Exception {
    gate.hold(1);
    gate.hold(2);
    Future<?> leader = publishInBackground(entry("w0", 0, 1_000, 2_000));
    gate.awaitHeld(1);
    List<AtomicBoolean> stillInterrupted = List.of(new AtomicBoolean(), new AtomicBoolean());
    List<Future<?>> group = new ArrayList<>();
    List<Thread> groupThreads = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 2; i++) {
      int n = i;
      group.add(
          threads.submit(
              () -> {
                groupThreads.add(Thread.currentThread());
                try {
                  index.publish(List.of(entry("w" + (n + 1), n + 1, 1_000, 2_000)));
                } finally {
                  stillInterrupted.get(n).set(Thread.currentThread().isInterrupted());
                }
                return null;
              }));
    }
    gate.awaitWaiting(2);
    gate.release(1);
    gate.awaitHeld(2); // both publishes are in the second transaction, held at its commit

    groupThreads.forEach(Thread::interrupt); // the one committing and the one waiting for it
    gate.release(2);
    for (Future<?> f : group) {
      f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS); // returned normally: committed
    }
    leader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(stillInterrupted).allMatch(AtomicBoolean::get);
    assertThat(index.entries("w1", TimeRange.ALL)).hasSize(1);
    assertThat(index.entries("w2", TimeRange.ALL)).hasSize(1);
    assertThat(gate.commits()).hasSize(2);
    assertThat(gate.commits().get(1)).hasSize(2);
  }

  private Future<?> publishInBackground(IndexEntry... entries) {
    return threads.submit(() -> index.publish(List.of(entries)));
  }

  /**
   * A trigger in the index file that refuses, with {@code how}, a page whose key is {@code key}.
   */
  private void refuse(String key, String how) throws SQLException {
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
        Statement statement = other.createStatement()) {
      statement.execute(
          "CREATE TRIGGER refuse_"
              + key
              + " BEFORE INSERT ON pages WHEN NEW.page_key = '"
              + key
              + "' BEGIN SELECT RAISE("
              + how
              + ", 'no page may be called "
              + key
              + "'); END");
    }
  }

  private static IndexEntry withKey(IndexEntry e, String key) {
    return PageIndexContract.withKey(e, key);
  }

  /**
   * Holds the transactions chosen by their number (1 = the first to commit) at their commit until
   * released, fails chosen ones, and records the entries of each transaction that commits.
   */
  private static final class Gate implements SqlitePageIndex.PublishObserver {
    private final List<List<IndexEntry>> commits = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> held = new ArrayList<>();
    private final List<CountDownLatch> released = new ArrayList<>();
    private final List<SQLException> failures = new ArrayList<>();
    private final Semaphore waiting = new Semaphore(0);
    private int transactions;

    Gate() {
      for (int i = 0; i <= 10; i++) {
        held.add(null);
        released.add(null);
        failures.add(null);
      }
    }

    synchronized void hold(int transaction) {
      held.set(transaction, new CountDownLatch(1));
      released.set(transaction, new CountDownLatch(1));
    }

    synchronized void failCommit(int transaction, SQLException failure) {
      failures.set(transaction, failure);
    }

    void awaitHeld(int transaction) throws InterruptedException {
      CountDownLatch latch;
      synchronized (this) {
        latch = held.get(transaction);
      }
      assertThat(latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS))
          .as("transaction %d held at its commit", transaction)
          .isTrue();
    }

    /** Waits until {@code count} publishes in all have queued behind a commit. */
    void awaitWaiting(int count) throws InterruptedException {
      assertThat(waiting.tryAcquire(count, TIMEOUT_SECONDS, TimeUnit.SECONDS))
          .as("%d publishes waiting", count)
          .isTrue();
      waiting.release(count);
    }

    synchronized void release(int transaction) {
      released.get(transaction).countDown();
    }

    synchronized void openAll() {
      released.stream().filter(l -> l != null).forEach(CountDownLatch::countDown);
    }

    List<List<IndexEntry>> commits() {
      return commits;
    }

    @Override
    public void waiting(int waitingNow) {
      waiting.release();
    }

    @Override
    public void committing(List<List<IndexEntry>> publishes) throws SQLException {
      CountDownLatch isHeld;
      CountDownLatch isReleased;
      SQLException failure;
      synchronized (this) {
        transactions++;
        isHeld = held.get(transactions);
        isReleased = released.get(transactions);
        failure = failures.get(transactions);
      }
      if (isHeld != null) {
        isHeld.countDown();
        try {
          if (!isReleased.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new SQLException("test gate never released");
          }
        } catch (InterruptedException e) {
          // The committing caller is interrupted by a test: a commit goes on regardless.
          awaitUninterruptibly(isReleased);
        }
      }
      if (failure != null) {
        throw failure;
      }
      commits.add(publishes.stream().flatMap(List::stream).toList());
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
      while (true) {
        try {
          latch.await();
          break;
        } catch (InterruptedException e) {
          // keep waiting, as the commit it stands for would
        }
      }
      Thread.currentThread().interrupt();
    }
  }
}
