package io.prism.snapshotter.replay;

import io.prism.snapshotter.page.PageFormatException;
import io.prism.snapshotter.page.PageMetadata;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ListPage;
import io.prism.snapshotter.storage.NoSuchObjectException;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.StorageException;
import io.prism.snapshotter.storage.WriterIds;
import io.prism.snapshotter.util.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locates a writer's pages without an index, by listing the object store and reading each
 * candidate's metadata (only the head of the object: the metadata comes first in both page
 * formats).
 *
 * <p>Fast path: when the key template has a literal writer prefix ({@link
 * KeyTemplate#writerPrefix}, e.g. {@code {writer_id}/{date}/{sequence}.pb}), only the keys under it
 * are listed.
 *
 * <p>Slow path: otherwise (e.g. the default template, where the date comes first) the whole store
 * is listed. Every key of the writer contains its encoded id (that is how the template renders it),
 * so only keys containing it are read; their metadata decides. The cost grows with the store, not
 * the writer: for large stores use a template that starts with {@code {writer_id}/}, or a page
 * index.
 *
 * <p>Which keys are the writer's own, so that one that is no readable page fails the replay (or is
 * skipped as corrupt, when asked): those whose segment at the template's {@linkplain
 * KeyTemplate#writerSegment writer segment} is the encoded id. Any other key holding the id is only
 * a candidate, skipped with a WARN when it is no page: a writer named like another key segment (a
 * writer {@code events} of topic {@code events}, a writer {@code 2026}) then reads other writers'
 * pages to no avail, but a corrupt one of theirs does not fail its replay.
 */
public final class StorageScanLocator implements PageLocator {
  private static final Logger log = LoggerFactory.getLogger(StorageScanLocator.class);

  /** Bytes read to decode a page's metadata; a page whose metadata is larger is read whole. */
  static final int HEAD_BYTES = 64 * 1024;

  static final String TAG_TOPIC = "kafka.topic";
  static final String TAG_PARTITION = "kafka.partition";
  static final String TAG_FIRST_OFFSET = "kafka.offset.first";
  static final String TAG_LAST_OFFSET = "kafka.offset.last";

  private final ObjectStore store;
  private final KeyTemplate template;
  private final Executor executor;
  private final PageReader reader = new PageReader();

  /**
   * @param executor runs the metadata reads, several at once
   */
  public StorageScanLocator(ObjectStore store, KeyTemplate template, Executor executor) {
    this.store = Objects.requireNonNull(store, "store");
    this.template = Objects.requireNonNull(template, "template");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /** Listings in a row that may each meet a listed page gone before its metadata was read. */
  static final int MAX_LISTINGS = 3;

  /**
   * {@inheritDoc}
   *
   * <p>A listing is no snapshot: a page listed and then deleted before its metadata is read (a
   * compaction deleting the pages it merged) is gone, and the merged page holding its events may
   * sort before the point the listing had reached when it was stored. So the store is listed again
   * (the merged page is stored before its sources are deleted), up to {@value #MAX_LISTINGS} times.
   */
  @Override
  public List<PageRef> locate(String writerId, TimeRange range) {
    return locate(writerId, range, null);
  }

  /** {@inheritDoc} A page of the writer's own key segment whose metadata is corrupt is skipped. */
  @Override
  public List<PageRef> locate(String writerId, TimeRange range, Consumer<SkippedPage> corrupt) {
    for (int listing = 1; ; listing++) {
      try {
        return locateOnce(writerId, range, corrupt);
      } catch (NoSuchObjectException gone) {
        if (listing >= MAX_LISTINGS) {
          throw gone;
        }
        log.warn(
            "Writer {}: a listed page vanished before its metadata was read (compacted or deleted),"
                + " listing again: {}",
            Printable.quote(writerId),
            gone.getMessage());
      }
    }
  }

  /** {@code corrupt}: where a corrupt page of the writer goes; null: it fails the call. */
  private List<PageRef> locateOnce(
      String writerId, TimeRange range, Consumer<SkippedPage> corrupt) {
    Optional<String> prefix = template.writerPrefix(writerId);
    OptionalInt writerSegment = template.writerSegment();
    String encoded = WriterIds.encode(writerId);
    if (prefix.isEmpty()) {
      log.debug(
          "Key template {} has no literal writer prefix: listing the whole store {} for writer {}",
          template,
          store.describe(),
          Printable.quote(writerId));
    }
    List<CompletableFuture<Optional<PageRef>>> reads = new ArrayList<>();
    String token = null;
    do {
      ListPage listed = store.list(prefix.orElse(""), ObjectStore.MAX_KEYS_PER_PAGE, token);
      for (ObjectInfo object : listed.objects()) {
        if (prefix.isPresent() || isWritersOwnKey(object.key(), encoded, writerSegment)) {
          // Under the writer's prefix, or the writer's segment of the template is its id: it must
          // be a page (a corrupt one fails the replay, or is skipped when asked).
          reads.add(
              CompletableFuture.supplyAsync(
                  () -> describeOrSkip(object, writerId, range, corrupt), executor));
        } else if (object.key().contains(encoded)) {
          // Any other key holding the id: another writer's page ("user-12" for "user-1"; "events"
          // in every key of topic events), one stored under another template, or something that
          // is no page at all: skipped, with a WARN, when it is no page.
          reads.add(
              CompletableFuture.supplyAsync(
                  () -> describeIfPage(object, writerId, range), executor));
        }
      }
      token = listed.nextContinuationToken();
    } while (token != null);

    List<PageRef> pages = new ArrayList<>();
    for (CompletableFuture<Optional<PageRef>> read : reads) {
      try {
        read.join().ifPresent(pages::add);
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw e;
      }
    }
    pages.sort(PageRef.WRITER_ORDER);
    log.debug(
        "Writer {}: {} pages overlap {} (of {} candidates)",
        Printable.quote(writerId),
        pages.size(),
        range,
        reads.size());
    return pages;
  }

  /**
   * Whether {@code key} is one the template renders for the writer whose encoded id is {@code
   * encoded}: its segment at {@code writerSegment} is the id. Without such a segment in the
   * template, whether any segment of the key is the id.
   */
  static boolean isWritersOwnKey(String key, String encoded, OptionalInt writerSegment) {
    if (writerSegment.isEmpty()) {
      return hasSegment(key, encoded);
    }
    int start = 0;
    for (int segment = 0; segment < writerSegment.getAsInt(); segment++) {
      start = key.indexOf('/', start) + 1;
      if (start == 0) {
        return false; // fewer segments than the template has
      }
    }
    int end = start + encoded.length();
    return key.startsWith(encoded, start) && (end == key.length() || key.charAt(end) == '/');
  }

  private static boolean hasSegment(String key, String segment) {
    return key.equals(segment)
        || key.startsWith(segment + "/")
        || key.endsWith("/" + segment)
        || key.contains("/" + segment + "/");
  }

  /** As {@link #describe}; a corrupt page goes to {@code corrupt} when there is one. */
  private Optional<PageRef> describeOrSkip(
      ObjectInfo object, String writerId, TimeRange range, Consumer<SkippedPage> corrupt) {
    if (corrupt == null) {
      return describe(object, writerId, range);
    }
    try {
      return describe(object, writerId, range);
    } catch (CorruptPageException e) {
      log.warn(
          "Skipping corrupt page {} of writer {} (on corrupt: skip): {}",
          object.key(),
          Printable.quote(writerId),
          e.getMessage());
      corrupt.accept(new SkippedPage(object.key(), e.getMessage(), 0));
      return Optional.empty();
    }
  }

  /** As {@link #describe}, but an object that is not a readable page is skipped with a WARN. */
  private Optional<PageRef> describeIfPage(ObjectInfo object, String writerId, TimeRange range) {
    try {
      return describe(object, writerId, range);
    } catch (CorruptPageException e) {
      log.warn(
          "Skipping {} while listing the whole store for writer {}: not a readable page ({})",
          object.key(),
          Printable.quote(writerId),
          e.getMessage());
      return Optional.empty();
    }
  }

  /** The page's ref if it belongs to the writer and overlaps the range. */
  private Optional<PageRef> describe(ObjectInfo object, String writerId, TimeRange range) {
    PageMetadata m = readMetadata(object);
    long start = m.earliestTime();
    long end = m.latestTime();
    if (!m.writerId().equals(writerId) || !range.overlaps(start, end)) {
      return Optional.empty();
    }
    return Optional.of(
        new PageRef(
            object.key(),
            m.writerId(),
            m.pageSequence(),
            start,
            end,
            object.size(),
            spanOf(object.key(), m.tags())));
  }

  private PageMetadata readMetadata(ObjectInfo object) {
    try (InputStream head = store.get(object.key(), 0, HEAD_BYTES)) {
      return reader.readMetadata(head, object.key());
    } catch (PageFormatException e) {
      if (object.size() <= HEAD_BYTES) {
        throw new CorruptPageException(object.key(), e);
      }
    } catch (IOException e) {
      throw new StorageException(
          "reading the head of "
              + object.key()
              + " in "
              + store.describe()
              + " failed: "
              + e.getMessage(),
          true,
          e);
    }
    // The metadata did not fit in the head (huge tags): read on.
    try (InputStream whole = store.get(object.key())) {
      return reader.readMetadata(whole, object.key());
    } catch (PageFormatException e) {
      throw new CorruptPageException(object.key(), e);
    } catch (IOException e) {
      throw new StorageException(
          "reading " + object.key() + " in " + store.describe() + " failed: " + e.getMessage(),
          true,
          e);
    }
  }

  /**
   * The page's Kafka span from its tags; null when it has none; corrupt when they are there but
   * malformed.
   */
  static KafkaSpan spanOf(String key, Map<String, String> tags) {
    String partition = tags.get(TAG_PARTITION);
    String first = tags.get(TAG_FIRST_OFFSET);
    if (partition == null || first == null) {
      return null;
    }
    try {
      long firstOffset = Long.parseLong(first);
      String last = tags.get(TAG_LAST_OFFSET);
      long lastOffset = last == null ? Long.MAX_VALUE : Long.parseLong(last);
      return new KafkaSpan(
          tags.getOrDefault(TAG_TOPIC, ""), Integer.parseInt(partition), firstOffset, lastOffset);
    } catch (NumberFormatException e) {
      throw new CorruptPageException(
          key,
          "tag "
              + TAG_PARTITION
              + "="
              + partition
              + " or "
              + TAG_FIRST_OFFSET
              + "="
              + first
              + " is not a number");
    }
  }
}
