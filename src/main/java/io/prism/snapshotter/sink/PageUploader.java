package io.prism.snapshotter.sink;

import io.prism.snapshotter.buffer.PageBuffer;
import io.prism.snapshotter.buffer.PageSink;
import io.prism.snapshotter.buffer.PageUploads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores closed pages on a small pool of threads ({@code storage.upload.threads}), so the sink task
 * keeps converting and buffering records while pages are encoded, compressed, written and indexed.
 *
 * <p>Each thread writes through a {@link PageSink} of its own (a {@link PageCommitter} keeps
 * encoder state between pages and is not thread-safe); the {@code ObjectStore} and {@code
 * PageIndex} behind them are shared, which their contracts allow. The queue of pages is not bounded
 * here: the task's memory budget counts every page until it is durable, and the task waits or
 * pauses when it is over.
 */
public final class PageUploader implements PageUploads {
  private static final Logger log = LoggerFactory.getLogger(PageUploader.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

  private final ThreadPoolExecutor pool;
  private final int threads;

  /** One sink per thread, lent to whichever thread stores the next page. */
  private final BlockingQueue<PageSink> idleSinks;

  private final LinkedBlockingQueue<PageOutcome> outcomes = new LinkedBlockingQueue<>();
  private final String name;

  /**
   * @param threads how many pages are stored at once, at least 1
   * @param sinks makes one sink per thread
   * @param name names the threads, e.g. the connector's task
   */
  public PageUploader(int threads, Supplier<? extends PageSink> sinks, String name) {
    if (threads < 1) {
      throw new IllegalArgumentException("upload threads must be at least 1, was " + threads);
    }
    this.name = name;
    this.threads = threads;
    this.idleSinks = new ArrayBlockingQueue<>(threads);
    for (int i = 0; i < threads; i++) {
      idleSinks.add(sinks.get());
    }
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            threadsNamed(name));
  }

  private static ThreadFactory threadsNamed(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "page-uploader-" + name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void submit(PageBuffer page) {
    pool.execute(() -> store(page));
  }

  private void store(PageBuffer page) {
    PageSink sink;
    try {
      sink = idleSinks.take(); // never waits: there are as many sinks as threads
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcomes.add(PageOutcome.failed(page, e));
      return;
    }
    try {
      sink.write(page);
      outcomes.add(PageOutcome.stored(page));
    } catch (Exception e) {
      outcomes.add(PageOutcome.failed(page, e));
    } catch (Error e) {
      // An Error here must not vanish with the thread: the page would hold its offset forever.
      outcomes.add(
          PageOutcome.failed(
              page, new IllegalStateException("Storing " + page + " failed: " + e, e)));
      throw e;
    } finally {
      idleSinks.add(sink);
    }
  }

  @Override
  public int waitingPages() {
    return pool.getQueue().size();
  }

  /** The sinks lent out: a thread holds one from before it stores a page until it is done. */
  @Override
  public int pagesBeingStored() {
    return threads - idleSinks.size();
  }

  @Override
  public List<PageOutcome> takeOutcomes() {
    if (outcomes.isEmpty()) {
      return List.of();
    }
    List<PageOutcome> taken = new ArrayList<>();
    outcomes.drainTo(taken);
    return taken;
  }

  @Override
  public List<PageOutcome> awaitOutcomes(Duration timeout) throws InterruptedException {
    PageOutcome first = outcomes.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (first == null) {
      return List.of();
    }
    List<PageOutcome> taken = new ArrayList<>();
    taken.add(first);
    outcomes.drainTo(taken);
    return taken;
  }

  @Override
  public void close() {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "Page uploads of {} still running after {} s; abandoning them (their offsets were not committed)",
            name,
            CLOSE_WAIT.toSeconds());
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow();
    }
  }
}
