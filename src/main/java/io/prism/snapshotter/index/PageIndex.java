package io.prism.snapshotter.index;

import java.util.List;

/**
 * The page index (the RFC's index slot): where a page's metadata is published once the page is
 * durable, so pages can be found by writer and time. Publishing the same entry again must be
 * harmless: a re-delivered page is published again.
 */
public interface PageIndex extends AutoCloseable {
  /** Publishes entries of durable pages. Throws when the index cannot take them now. */
  void publish(List<IndexEntry> entries) throws Exception;

  /** A short description for logs and health, e.g. "clickhouse http://host:8123/db.table". */
  String describe();

  @Override
  default void close() throws Exception {}

  /** {@code index.backend=none}: pages are stored but not indexed. */
  static PageIndex none() {
    return new PageIndex() {
      @Override
      public void publish(List<IndexEntry> entries) {}

      @Override
      public String describe() {
        return "none";
      }
    };
  }
}
