package io.prism.snapshotter.compact;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.page.PageFormatException;
import io.prism.snapshotter.page.PageMetadata;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.sink.PageCommitter;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ListPage;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.WriterIds;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A writer's pages from a listing of storage, as replay's storage scan finds them: under the key
 * template's writer prefix when it has one, else every key containing the encoded writer id, each
 * page's metadata read from its head. An object that is not a readable page is skipped with a
 * warning (compaction leaves it alone).
 */
final class StoredWriterPages implements WriterPages {
  private static final Logger log = LoggerFactory.getLogger(StoredWriterPages.class);
  private static final int HEAD_BYTES = 64 * 1024;

  private final ObjectStore store;
  private final KeyTemplate template;
  private final PageReader reader = new PageReader();

  StoredWriterPages(ObjectStore store, KeyTemplate template) {
    this.store = store;
    this.template = template;
  }

  @Override
  public boolean indexed() {
    return false;
  }

  @Override
  public List<IndexEntry> of(String writerId) {
    List<IndexEntry> pages = new ArrayList<>();
    walk(writerId, pages::add);
    return pages;
  }

  /** One listed batch of keys at a time ({@link ObjectStore#MAX_KEYS_PER_PAGE}). */
  @Override
  public void walk(String writerId, Consumer<IndexEntry> pages) {
    Optional<String> prefix = template.writerPrefix(writerId);
    String encoded = WriterIds.encode(writerId);
    String token = null;
    do {
      ListPage listed = store.list(prefix.orElse(""), ObjectStore.MAX_KEYS_PER_PAGE, token);
      for (ObjectInfo object : listed.objects()) {
        if (prefix.isPresent() || object.key().contains(encoded)) {
          PageMetadata metadata = readMetadata(object);
          if (metadata != null && metadata.writerId().equals(writerId)) {
            pages.accept(PageCommitter.entryFromPage(object.key(), metadata, object.size()));
          }
        }
      }
      token = listed.nextContinuationToken();
    } while (token != null);
  }

  private PageMetadata readMetadata(ObjectInfo object) {
    try {
      if (object.size() > HEAD_BYTES) {
        try (InputStream head = store.get(object.key(), 0, HEAD_BYTES)) {
          return reader.readMetadata(head, object.key());
        } catch (PageFormatException | IOException truncated) {
          log.debug(
              "Metadata of {} is not within its first {} bytes; reading it whole",
              object.key(),
              HEAD_BYTES);
        }
      }
      try (InputStream whole = store.get(object.key())) {
        return reader.readMetadata(whole, object.key());
      }
    } catch (PageFormatException | IOException e) {
      log.warn("Skipping {}: not a readable page ({})", object.key(), e.getMessage());
      return null;
    }
  }
}
