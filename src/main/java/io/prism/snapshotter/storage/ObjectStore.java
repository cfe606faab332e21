package io.prism.snapshotter.storage;

import java.io.InputStream;
import java.util.Optional;

/**
 * The RFC's {@code storage_object} interface (proto/prism/interfaces/storage_object.proto) as a
 * Java interface: an S3-like key/object store. One implementation per backend, all passing one
 * contract test.
 *
 * <p>Keys follow {@link ObjectKeys#validate}: non-empty {@code /}-separated segments, no {@code
 * .}/{@code ..} segments, no backslash or control characters, at most 1024 UTF-8 bytes. A bad key
 * is refused with an {@link IllegalArgumentException} naming it.
 *
 * <p>Every method throws {@link StorageException} (unchecked) on failure, with {@link
 * StorageException#retriable()} telling whether trying again may help, and a message naming the
 * operation, the key and {@link #describe()}.
 *
 * <p>Implementations are safe for concurrent use by several threads.
 */
public interface ObjectStore extends AutoCloseable {

  /**
   * The most keys one {@link #list} call returns, whatever {@code maxKeys} asks (S3's own limit).
   */
  int MAX_KEYS_PER_PAGE = 1000;

  /**
   * Stores exactly {@code length} bytes read from {@code body} under {@code key}, replacing any
   * object there unless {@link PutOptions#createOnly()} is set. Readers see either the old or the
   * new object, never a partial one. The caller keeps ownership of {@code body}. A body that
   * supports {@link InputStream#mark mark/reset} without copying (a {@link
   * java.io.ByteArrayInputStream}) may be read again from where it stood: the S3 store does so to
   * start a multipart upload again that someone else aborted.
   *
   * <p>Create-only, a key that already holds exactly this object (these bytes, content type and
   * user metadata) may count as stored: that is what a retry of this very put finds when its first
   * attempt stored the object and the answer was lost. The S3, Azure and GCS stores tell so from
   * one look at the object's properties (its MD5) when they can (not under S3's SSE-KMS or SSE-C,
   * not for an Azure blob without Content-MD5 or a GCS object without md5Hash); otherwise, and on
   * the filesystem, such a put is refused like any other, so callers must still take an existing
   * object that is theirs for stored.
   *
   * @throws ObjectAlreadyExistsException create-only and the key exists (the existing object
   *     survives)
   * @throws IllegalArgumentException bad key, negative length, or {@code body} ends before {@code
   *     length} bytes
   */
  PutResult put(String key, InputStream body, long length, PutOptions options);

  /**
   * Streams the whole object. The caller must close the stream.
   *
   * @throws NoSuchObjectException the key does not exist
   */
  InputStream get(String key);

  /**
   * Streams bytes {@code [offset, offset + length)} of the object, cut short at its end: a range
   * that starts at or past the end gives an empty stream. The caller must close the stream.
   *
   * @throws NoSuchObjectException the key does not exist
   * @throws IllegalArgumentException negative offset or length
   */
  InputStream get(String key, long offset, long length);

  /** Deletes the object; returns whether it existed. Deleting a missing key is not an error. */
  boolean delete(String key);

  /**
   * Lists keys starting with {@code prefix} ({@code ""} for all) in ascending UTF-8 byte order, at
   * most {@code min(maxKeys, MAX_KEYS_PER_PAGE)} per page (a page may hold fewer even when more
   * remain: keep going until {@link ListPage#nextContinuationToken()} is {@code null}). Entries
   * carry key, size and modification time (see {@link ObjectInfo}).
   *
   * @param continuationToken {@code null} for the first page, else the previous page's token
   */
  ListPage list(String prefix, int maxKeys, String continuationToken);

  /** The object's metadata, or empty when the key does not exist. */
  Optional<ObjectInfo> head(String key);

  /**
   * The key {@link #probe} looks up. It need not exist, and the sink never writes it; a name no key
   * template makes (no extension) so it cannot stand for a page.
   */
  String PROBE_KEY = "prism-health-probe";

  /**
   * One cheap call that fails with a {@link StorageException} when the store cannot be used now (it
   * is unreachable, its bucket or directory is gone, its credentials are refused): how the health
   * checks tell an idle store's state, with no page to write. Writes nothing; by default, a {@link
   * #head} of {@link #PROBE_KEY} (a missing key is an answer, not a failure).
   */
  default void probe() {
    head(PROBE_KEY);
  }

  /**
   * How many requests at once this store serves without one waiting for another: its client's
   * connection pool, or {@link Integer#MAX_VALUE} when the client sets no such limit (each request
   * at once gets a connection of its own). What a caller that runs requests in parallel (pages
   * verify) sizes its threads by.
   */
  default int concurrentRequests() {
    return Integer.MAX_VALUE;
  }

  /**
   * Where this store keeps its objects, e.g. {@code s3://bucket} or {@code file:/var/lib/prism};
   * never a secret.
   */
  String describe();

  /** Releases clients and connections; never throws a checked exception. */
  @Override
  void close();
}
