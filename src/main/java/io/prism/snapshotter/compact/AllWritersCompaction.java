package io.prism.snapshotter.compact;

import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.WriterPage;
import io.prism.snapshotter.page.PageFormatException;
import io.prism.snapshotter.storage.StorageException;
import io.prism.snapshotter.util.Printable;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts every writer the index knows, one after another, each by the same {@link Compactor#run}
 * as a single-writer run: so each writer's merges keep their order of steps and their crash safety,
 * and a writer whose run fails is left as an interrupted run is, finished by the next run.
 *
 * <p>A writer's failure is told to the {@link Listener} and the run goes on with the next writer: a
 * page that cannot be read stops only its writer. A store or index that fails for {@link
 * #MAX_CONSECUTIVE_UNAVAILABLE} writers in a row is taken to be down, and the run stops there
 * rather than fail the same way for every remaining writer.
 *
 * <p>Writers are read from {@link PageIndex#writers} a page at a time, so memory does not grow with
 * their number; the next page is asked for after the current one is compacted (a writer id does not
 * change, so paging by the last id seen stays correct while entries are removed and published).
 */
public final class AllWritersCompaction {
  private static final Logger log = LoggerFactory.getLogger(AllWritersCompaction.class);
  static final int WRITERS_PER_PAGE = 1_000;
  static final int MAX_CONSECUTIVE_UNAVAILABLE = 10;

  /** Why a writer's compaction failed; decides the command's exit code. */
  public enum FailureKind {
    /**
     * A page to merge is not readable or is indexed but not stored, or a merged key holds something
     * else: running again will not help.
     */
    BAD_DATA,
    /** Storage or the index failed: running again finishes the job. */
    UNAVAILABLE
  }

  /**
   * Told of each writer that changed something (or would, in a dry run) and of each that failed.
   */
  public interface Listener {
    void compacted(CompactionReport report);

    void failed(String writerId, FailureKind kind, Exception cause);
  }

  /**
   * What a run over all writers did.
   *
   * @param writersSeen writers the index listed and this run looked at
   * @param writersChanged writers whose pages were merged, or whose interrupted merges were
   *     finished
   * @param pagesReplaced source pages merged (or, in a dry run, planned to be)
   * @param mergedPages merged pages written (or planned)
   * @param bytesBefore the sources' stored size
   * @param bytesAfter the merged pages' stored size; 0 in a dry run
   * @param badData writers that failed on a page that cannot be read
   * @param unavailable writers that failed because storage or the index did
   * @param stoppedEarly the run stopped after {@link #MAX_CONSECUTIVE_UNAVAILABLE} unavailable
   *     writers in a row
   */
  public record Summary(
      long writersSeen,
      long writersChanged,
      long pagesReplaced,
      long mergedPages,
      long bytesBefore,
      long bytesAfter,
      long badData,
      long unavailable,
      boolean stoppedEarly) {
    public long failed() {
      return badData + unavailable;
    }
  }

  private final PageIndex index;
  private final Compactor compactor;

  /**
   * @param index where writers are listed (the one {@code compactor} finds their pages in)
   * @param compactor the per-writer compaction
   */
  public AllWritersCompaction(PageIndex index, Compactor compactor) {
    this.index = index;
    this.compactor = compactor;
  }

  /**
   * Compacts every writer in the index's order; a failing index listing ends the run with its
   * exception.
   */
  public Summary run(boolean dryRun, Listener listener) {
    Totals totals = new Totals();
    String after = null;
    do {
      WriterPage page = index.writers(after, WRITERS_PER_PAGE);
      for (String writerId : page.writers()) {
        compactOne(writerId, dryRun, listener, totals);
        if (totals.consecutiveUnavailable >= MAX_CONSECUTIVE_UNAVAILABLE) {
          log.error(
              "Storage or the index failed for {} writers in a row; stopping after writer {}",
              totals.consecutiveUnavailable,
              Printable.quote(writerId));
          return totals.summary(true);
        }
      }
      after = page.next();
    } while (after != null);
    return totals.summary(false);
  }

  private void compactOne(String writerId, boolean dryRun, Listener listener, Totals totals) {
    totals.seen++;
    try {
      // Each merge is counted, not kept: a writer of any size in bounded memory.
      CompactionReport report = compactor.run(writerId, dryRun, merge -> {});
      totals.consecutiveUnavailable = 0;
      if (report.changedSomething()) {
        totals.add(report);
        listener.compacted(report);
      }
    } catch (PageFormatException | IllegalStateException | DanglingEntryException e) {
      totals.consecutiveUnavailable = 0;
      totals.badData++;
      // The listener reports it (the command prints one line per failed writer); a WARN here
      // printed every failure twice. The stack trace is for SNAPSHOTTER_LOG_LEVEL=debug.
      log.debug("Compaction of writer {} failed", Printable.quote(writerId), e);
      listener.failed(writerId, FailureKind.BAD_DATA, e);
    } catch (StorageException | IndexException | IOException e) {
      totals.consecutiveUnavailable++;
      totals.unavailable++;
      log.debug("Compaction of writer {} failed", Printable.quote(writerId), e);
      listener.failed(writerId, FailureKind.UNAVAILABLE, e);
    }
  }

  private static final class Totals {
    long seen;
    long changed;
    long pagesReplaced;
    long mergedPages;
    long bytesBefore;
    long bytesAfter;
    long badData;
    long unavailable;
    int consecutiveUnavailable;

    void add(CompactionReport report) {
      changed++;
      pagesReplaced += report.pagesReplaced();
      mergedPages += report.mergedPages();
      bytesBefore += report.sourceBytes();
      bytesAfter += report.dryRun() ? 0 : report.mergedBytes();
    }

    Summary summary(boolean stoppedEarly) {
      return new Summary(
          seen,
          changed,
          pagesReplaced,
          mergedPages,
          bytesBefore,
          bytesAfter,
          badData,
          unavailable,
          stoppedEarly);
    }
  }
}
