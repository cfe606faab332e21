package io.prism.snapshotter.replay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pages one replay skipped as corrupt, once each (a page met again after a re-location is not
 * counted twice), in the order met. Thread-safe: a storage listing reports from its fetch threads.
 */
final class SkippedPages {
  private final Map<String, SkippedPage> byKey = new LinkedHashMap<>();

  synchronized void add(SkippedPage page) {
    byKey.putIfAbsent(page.key(), page);
  }

  synchronized boolean contains(String key) {
    return byKey.containsKey(key);
  }

  synchronized List<SkippedPage> list() {
    return List.copyOf(new ArrayList<>(byKey.values()));
  }
}
