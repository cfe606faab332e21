package io.prism.snapshotter.compact;

import java.util.List;

/**
 * What a compaction run did (or, with {@code dryRun}, would do). Its figures count every merge of
 * the run; {@code merges} lists them only when the run was asked to keep them ({@link
 * Compactor#run(String, boolean)}): a run that hands each merge out as it is made ({@link
 * Compactor#run(String, boolean, java.util.function.Consumer)}) keeps none, so a writer of any size
 * is compacted in bounded memory.
 *
 * @param merges the merged pages written (or planned), in the writer's order, when kept; else empty
 * @param mergedPages merged pages written (or planned)
 * @param pagesReplaced their source pages
 * @param sourceBytes the sources' stored size
 * @param mergedBytes the merged pages' stored size; 0 in a dry run (nothing is encoded)
 * @param finished merged pages found from an earlier, interrupted run whose sources this run
 *     removed
 * @param orphans merged pages of an interrupted run that no index knew and no plan wanted, deleted
 */
public record CompactionReport(
    String writerId,
    boolean dryRun,
    List<Merge> merges,
    long mergedPages,
    long pagesReplaced,
    long sourceBytes,
    long mergedBytes,
    int finished,
    int orphans) {
  public CompactionReport {
    merges = List.copyOf(merges);
  }

  /**
   * One merged page.
   *
   * @param sources its source pages' keys, in the writer's order
   * @param sourceBytes the sources' stored size
   * @param mergedBytes its stored size; -1 in a dry run
   * @param events its events; -1 in a dry run
   * @param reused it was already stored by an interrupted run with the same sources
   */
  public record Merge(
      String key,
      List<String> sources,
      long sourceBytes,
      long mergedBytes,
      long events,
      boolean reused) {
    public Merge {
      sources = List.copyOf(sources);
    }
  }

  /**
   * Whether the run merged pages, finished an interrupted merge or deleted leftovers (or would).
   */
  public boolean changedSomething() {
    return mergedPages > 0 || finished > 0 || orphans > 0;
  }

  /** The figures of a run, added up merge by merge. */
  static final class Tally {
    private long mergedPages;
    private long pagesReplaced;
    private long sourceBytes;
    private long mergedBytes;

    void add(Merge merge) {
      mergedPages++;
      pagesReplaced += merge.sources().size();
      sourceBytes += merge.sourceBytes();
      mergedBytes += Math.max(0, merge.mergedBytes());
    }

    CompactionReport report(
        String writerId, boolean dryRun, List<Merge> kept, int finished, int orphans) {
      return new CompactionReport(
          writerId,
          dryRun,
          kept,
          mergedPages,
          pagesReplaced,
          sourceBytes,
          mergedBytes,
          finished,
          orphans);
    }
  }
}
