package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.testing.StoredPages;
import io.prism.snapshotter.testing.StoredPages.StoredPage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Compares what is in storage with what is in the index, for the end-to-end tests. */
final class IndexedPages {
  private IndexedPages() {}

  /** Every index entry of every writer that has a stored page, counted by page key. */
  static Map<String, Integer> entriesByKey(PageIndex index, Set<String> writers) {
    Map<String, Integer> counts = new HashMap<>();
    for (String writer : writers) {
      for (IndexEntry entry : index.entries(writer, TimeRange.ALL)) {
        counts.merge(entry.pageKey(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** The keys of the stored pages that have an index entry now. */
  static Set<String> indexedPageKeys(ObjectStore store, Map<String, String> connectorConfig)
      throws Exception {
    Set<String> writers =
        StoredPages.readAll(store, "").stream()
            .map(p -> p.page().metadata().writerId())
            .collect(Collectors.toSet());
    try (PageIndex index = new IndexConfig(connectorConfig).open(PublishMode.SYNC)) {
      return entriesByKey(index, writers).keySet();
    }
  }

  /** Every stored page has exactly one index entry, and the index has no entry of its own. */
  static void assertEveryPageIndexedOnce(ObjectStore store, Map<String, String> connectorConfig)
      throws Exception {
    List<StoredPage> stored = StoredPages.readAll(store, "");
    assertThat(stored).isNotEmpty();
    Set<String> writers =
        stored.stream().map(p -> p.page().metadata().writerId()).collect(Collectors.toSet());
    try (PageIndex index = new IndexConfig(connectorConfig).open(PublishMode.SYNC)) {
      Map<String, Integer> counts = entriesByKey(index, writers);
      List<String> notOnce = new ArrayList<>();
      for (StoredPage page : stored) {
        Integer count = counts.remove(page.key());
        if (count == null || count != 1) {
          notOnce.add(page.key() + " x" + count);
        }
      }
      assertThat(notOnce).as("stored pages without exactly one entry").isEmpty();
      assertThat(new TreeSet<>(counts.keySet())).as("entries without a stored page").isEmpty();
    }
  }

  /** Whether every stored page has an entry now (for waiting on async publishing). */
  static boolean allIndexed(ObjectStore store, Map<String, String> connectorConfig) {
    try {
      List<StoredPage> stored = StoredPages.readAll(store, "");
      Set<String> writers =
          stored.stream().map(p -> p.page().metadata().writerId()).collect(Collectors.toSet());
      try (PageIndex index = new IndexConfig(connectorConfig).open(PublishMode.SYNC)) {
        Map<String, Integer> counts = entriesByKey(index, writers);
        return stored.stream().allMatch(p -> counts.containsKey(p.key()));
      }
    } catch (Exception e) {
      return false;
    }
  }
}
