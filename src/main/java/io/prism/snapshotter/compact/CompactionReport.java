package io.prism.snapshotter.compact;

import java.util.List;

/**
 * What a compaction run did (or, with {@code dryRun}, would do).
 *
 * @param merges the merged pages written (or planned), in the writer's order
 * @param finished merged pages found from an earlier, interrupted run whose sources this run
 *     removed
 * @param orphans merged pages of an interrupted run that no index knew and no plan wanted, deleted
 */
public record CompactionReport(
    String writerId, boolean dryRun, List<Merge> merges, int finished, int orphans) {
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

  public long pagesReplaced() {
    return merges.stream().mapToLong(m -> m.sources().size()).sum();
  }

  /** The merged (or planned) pages' sources' stored size. */
  public long sourceBytes() {
    return merges.stream().mapToLong(Merge::sourceBytes).sum();
  }

  /** The merged pages' stored size; 0 in a dry run (nothing is encoded). */
  public long mergedBytes() {
    return merges.stream().mapToLong(m -> Math.max(0, m.mergedBytes())).sum();
  }

  /**
   * Whether the run merged pages, finished an interrupted merge or deleted leftovers (or would).
   */
  public boolean changedSomething() {
    return !merges.isEmpty() || finished > 0 || orphans > 0;
  }
}
