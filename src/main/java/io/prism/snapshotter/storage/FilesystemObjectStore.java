package io.prism.snapshotter.storage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectStore} in a local (or mounted) directory: key {@code a/b/c} is the file {@code
 * baseDir/a/b/c}.
 *
 * <ul>
 *   <li><b>Atomic writes.</b> Content goes to a temp file in the target directory, is fsynced, then
 *       renamed over the target, and the directory is fsynced. Create-only puts use a hard link
 *       instead of the rename, which fails when the target exists (a rename would replace it), so
 *       the claim is atomic too.
 *   <li><b>Metadata sidecars.</b> Content type, user metadata and the etag live in {@code
 *       baseDir/.prism-meta/<key>} (the object's own path there), written atomically (temp file,
 *       rename) after the object. The sidecar records the object file's identity (device and
 *       inode), so a sidecar left from an older version of the object (a crash between the two
 *       renames) is recognised as stale and ignored instead of describing the wrong content.
 *       <p>The sidecar is <em>not</em> fsynced, nor its directory: a put costs two fsyncs (the
 *       object's file and directory) instead of four, which on a disk is most of a page's cost.
 *       What a crash can do to it (lose it, leave it empty) reads as no sidecar: the default
 *       content type, no user metadata, the etag computed from the content. Nothing in this project
 *       depends on a page's sidecar: a page carries its own metadata, offsets included.
 *   <li><b>Reserved names.</b> Segments starting with {@value ObjectKeys#RESERVED_SEGMENT_PREFIX}
 *       (temp files, the sidecar tree) are never listed and never accepted as keys; {@link
 *       ObjectKeys#validate} keeps every key inside the base directory.
 *   <li><b>Listing</b> walks the tree in S3 order (UTF-8 byte order of whole keys); the
 *       continuation token is the last key returned.
 * </ul>
 *
 * A key cannot also be a "directory" of another key ({@code a/b} and {@code a/b/c}): S3 allows
 * that, a filesystem does not, and the second put fails as fatal. Key templates never produce such
 * pairs.
 */
public final class FilesystemObjectStore implements ObjectStore {

  private static final Logger log = LoggerFactory.getLogger(FilesystemObjectStore.class);

  /** The sidecar tree's directory under the base directory ({@code pages cat} tells it apart). */
  public static final String META_DIR = ObjectKeys.RESERVED_SEGMENT_PREFIX + "meta";

  static final String TEMP_PREFIX = ObjectKeys.RESERVED_SEGMENT_PREFIX + "tmp-";

  /** What sidecars' names ended with before they mirrored their object's path exactly. */
  private static final String LEGACY_META_SUFFIX = ".json";

  private static final int COPY_BUFFER_BYTES = 64 * 1024;

  /** See {@link #createInItsDirectory}: a delete removing the directory each time is unlikely. */
  private static final int DIRECTORY_RACE_ATTEMPTS = 5;

  private final Path baseDir;

  /** See {@link #tempName()}. */
  private final String instanceId = UUID.randomUUID().toString();

  private final AtomicLong tempCounter = new AtomicLong();
  private final Path metaDir;
  private final String description;
  private final ObjectMapper json =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * What the sidecar holds. {@code fileKey} identifies the object file it describes (may be null).
   */
  record Sidecar(
      String contentType, Map<String, String> userMetadata, String etag, String fileKey) {}

  /** Opens (and creates if needed) a store rooted at {@code baseDir}. */
  public FilesystemObjectStore(Path baseDir) {
    this(baseDir, true);
  }

  /**
   * Opens the store rooted at {@code baseDir} only if that directory is there: for the commands
   * that read what the sink stored, where a missing directory is a mistyped path, not a store to
   * start. Creates nothing.
   *
   * @throws StorageException (not retriable) {@code baseDir} is not a directory
   */
  public static FilesystemObjectStore openExisting(Path baseDir) {
    return new FilesystemObjectStore(baseDir, false);
  }

  private FilesystemObjectStore(Path baseDir, boolean create) {
    this.baseDir = Objects.requireNonNull(baseDir, "baseDir").toAbsolutePath().normalize();
    this.metaDir = this.baseDir.resolve(META_DIR);
    this.description = "file:" + this.baseDir;
    if (create) {
      try {
        Files.createDirectories(this.baseDir);
      } catch (IOException e) {
        throw FilesystemErrors.classify("open", "", description, e);
      }
    } else if (!Files.isDirectory(this.baseDir)) {
      throw new StorageException(
          "Cannot open " + description + ": the store's directory is not there", false);
    }
    log.debug("Filesystem object store at {}", this.baseDir);
  }

  /**
   * The store's directory must still be there and writable: a head of a missing key answers
   * "absent" even when the whole directory (an unmounted volume, a removed path) is gone.
   */
  @Override
  public void probe() {
    if (!Files.isDirectory(baseDir)) {
      throw new StorageException(
          "Cannot use " + description + ": the store's directory is missing", true);
    }
    if (!Files.isWritable(baseDir)) {
      throw new StorageException(
          "Cannot use " + description + ": the store's directory is not writable", true);
    }
    head(PROBE_KEY);
  }

  @Override
  public PutResult put(String key, InputStream body, long length, PutOptions options) {
    StoreArguments.checkPut(key, body, length, options);
    String operation = options.createOnly() ? "create-only put" : "put";
    Path target = objectPath(key);
    Path dir = target.getParent();
    Path temp = dir.resolve(tempName());
    try {
      String etag = writeDurably(temp, body, length, key);
      String fileKey = fileKey(temp);
      // Files.isDirectory without options first: for the usual absent target it costs no exception
      if (Files.isDirectory(target) && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        // Left empty by deleting the keys under it, it is no object; a non-empty one is a key clash
        // (fatal).
        Files.delete(target);
      }
      if (options.createOnly()) {
        try {
          // A hard link, unlike a rename, fails when the target exists: the atomic claim of the
          // key.
          Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
          throw new FailedCall(operation, key, description).keyTaken("", e);
        }
      } else {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      fsyncDirectory(dir);
      writeSidecar(key, new Sidecar(options.contentType(), options.userMetadata(), etag, fileKey));
      return new PutResult(etag, length, null);
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw (IllegalArgumentException) e;
      }
      throw FilesystemErrors.classify(operation, key, description, e);
    } finally {
      deleteQuietly(temp);
    }
  }

  @Override
  public InputStream get(String key) {
    return open(key, 0, Long.MAX_VALUE);
  }

  @Override
  public InputStream get(String key, long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "offset and length must not be negative: " + offset + ", " + length);
    }
    return open(key, offset, length);
  }

  @Override
  public boolean delete(String key) {
    ObjectKeys.validate(key);
    Path target = objectPath(key);
    try {
      if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      String fileKey = fileKey(target);
      boolean existed = Files.deleteIfExists(target);
      Path sidecar = sidecarPath(key);
      if (!Files.isDirectory(sidecar, LinkOption.NOFOLLOW_LINKS)) {
        Files.deleteIfExists(sidecar); // (a directory there holds other keys' legacy sidecars)
      }
      deleteLegacySidecar(key, fileKey);
      removeEmptyDirectories(target.getParent(), baseDir);
      // Up to the store's directory, .prism-meta included: `check` probes a store the sink has
      // not written to yet, often as another user (root); a .prism-meta it left behind would be
      // that user's, and the sink's first sidecar write would be refused. A later put makes it
      // again (createInItsDirectory).
      removeEmptyDirectories(sidecar.getParent(), baseDir);
      return existed;
    } catch (IOException e) {
      throw FilesystemErrors.classify("delete", key, description, e);
    }
  }

  @Override
  public ListPage list(String prefix, int maxKeys, String continuationToken) {
    StoreArguments.checkList(maxKeys);
    String safePrefix = prefix == null ? "" : prefix;
    String startAfter = continuationToken == null ? null : decodeToken(continuationToken);
    int pageSize = Math.min(maxKeys, MAX_KEYS_PER_PAGE);
    List<ObjectInfo> found = new ArrayList<>();
    try {
      walk(baseDir, "", safePrefix, startAfter, pageSize + 1, found);
    } catch (IOException | UncheckedIOException e) {
      throw FilesystemErrors.classify("list", safePrefix + "*", description, e);
    }
    if (found.size() <= pageSize) {
      return new ListPage(found, null);
    }
    List<ObjectInfo> page = found.subList(0, pageSize);
    return new ListPage(page, encodeToken(page.get(page.size() - 1).key()));
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    ObjectKeys.validate(key);
    Path target = objectPath(key);
    try {
      BasicFileAttributes attributes;
      try {
        attributes =
            Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return Optional.empty();
      } catch (FileSystemException e) {
        if (FilesystemErrors.notADirectory(e)) {
          return Optional.empty(); // a segment of the key is a file: no object below it
        }
        throw e;
      }
      if (!attributes.isRegularFile()) {
        return Optional.empty();
      }
      Sidecar sidecar =
          readSidecar(key)
              .filter(
                  s ->
                      s.fileKey() == null
                          || s.fileKey().equals(String.valueOf(attributes.fileKey())))
              .orElse(null);
      String contentType =
          sidecar == null ? PutOptions.DEFAULT_CONTENT_TYPE : sidecar.contentType();
      Map<String, String> metadata = sidecar == null ? Map.of() : sidecar.userMetadata();
      String etag = sidecar == null ? md5Of(target) : sidecar.etag();
      return Optional.of(
          new ObjectInfo(
              key,
              attributes.size(),
              attributes.lastModifiedTime().toMillis(),
              etag,
              contentType,
              metadata));
    } catch (IOException e) {
      throw FilesystemErrors.classify("head", key, description, e);
    }
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    // Nothing held open between calls.
  }

  @Override
  public String toString() {
    return "FilesystemObjectStore[" + description + "]";
  }

  private InputStream open(String key, long offset, long length) {
    ObjectKeys.validate(key);
    Path target = objectPath(key);
    try {
      if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new NoSuchFileException(target.toString());
      }
      FileChannel channel = FileChannel.open(target, StandardOpenOption.READ);
      channel.position(offset);
      InputStream stream = Channels.newInputStream(channel);
      return length == Long.MAX_VALUE ? stream : new LimitedInputStream(stream, length);
    } catch (IOException e) {
      throw FilesystemErrors.classify("get", key, description, e);
    }
  }

  /**
   * Copies exactly {@code length} bytes into a new file, fsyncs it and returns the MD5 hex of the
   * content.
   */
  private String writeDurably(Path file, InputStream body, long length, String key)
      throws IOException {
    MessageDigest md5 = Md5.newDigest();
    try (FileChannel channel = createInItsDirectory(file);
        OutputStream out = Channels.newOutputStream(channel)) {
      InputStream in = new DigestInputStream(body, md5);
      byte[] buffer = new byte[COPY_BUFFER_BYTES];
      long remaining = length;
      while (remaining > 0) {
        int read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
        if (read < 0) {
          throw StoreArguments.bodyEndedEarly(key, description, length - remaining, length);
        }
        out.write(buffer, 0, read);
        remaining -= read;
      }
      out.flush();
      channel.force(true);
    }
    return HexFormat.of().formatHex(md5.digest());
  }

  private void writeSidecar(String key, Sidecar sidecar) throws IOException {
    Path path = sidecarPath(key);
    Path dir = path.getParent();
    Path temp = dir.resolve(tempName());
    try {
      byte[] bytes = json.writeValueAsBytes(sidecar);
      // Not fsynced, nor is its directory: see the class comment (two fsyncs a put, not four).
      try (FileChannel channel = createInItsDirectory(temp)) {
        channel.write(ByteBuffer.wrap(bytes));
      }
      if (Files.isDirectory(path) && Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        Files.delete(path); // left empty by deletes of keys under it, before they removed theirs
      }
      Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      deleteQuietly(temp);
    }
  }

  private Optional<Sidecar> readSidecar(String key) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(sidecarPath(key));
    } catch (AccessDeniedException e) {
      throw e;
    } catch (FileSystemException e) {
      // None there (NoSuchFile), or a directory: the sidecars of keys under it, written before
      // sidecars mirrored their objects' paths.
      bytes = readLegacySidecar(key);
    }
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(json.readValue(bytes, Sidecar.class));
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      log.warn(
          "Ignoring unreadable metadata sidecar of '{}' in {}: {}",
          ObjectKeys.printable(key),
          description,
          e.getOriginalMessage());
      return Optional.empty();
    }
  }

  /**
   * Depth-first walk in S3 order. Within one directory, entries sort by name, with {@code /}
   * appended to directories: every key below directory {@code d} starts with {@code d/}, so this is
   * the byte order of whole keys. Subtrees wholly outside the prefix or wholly before {@code
   * startAfter} are skipped unread.
   *
   * @return true once {@code limit} keys were collected
   */
  private boolean walk(
      Path dir, String dirKey, String prefix, String startAfter, int limit, List<ObjectInfo> out)
      throws IOException {
    List<String[]> entries = new ArrayList<>(); // {sort name, file name}
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path child : stream) {
        String name = child.getFileName().toString();
        if (name.startsWith(ObjectKeys.RESERVED_SEGMENT_PREFIX)) {
          continue; // temp files and the sidecar tree are never objects
        }
        if (cannotMatch(dirKey + name, prefix, startAfter)) {
          continue; // decided by name alone, without a stat: keeps deep pagination cheap
        }
        BasicFileAttributes attributes;
        try {
          attributes =
              Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          continue; // deleted while we walked
        }
        boolean isDir = attributes.isDirectory();
        if (!isDir && !attributes.isRegularFile()) {
          continue;
        }
        entries.add(new String[] {isDir ? name + "/" : name, name});
      }
    } catch (NoSuchFileException e) {
      return false; // removed while we walked
    }
    entries.sort((a, b) -> ObjectKeys.UTF8_ORDER.compare(a[0], b[0]));
    for (String[] entry : entries) {
      String childKey = dirKey + entry[0];
      Path child = dir.resolve(entry[1]);
      if (childKey.endsWith("/")) {
        boolean overlapsPrefix = childKey.startsWith(prefix) || prefix.startsWith(childKey);
        boolean whollyBeforeStart =
            startAfter != null
                && ObjectKeys.UTF8_ORDER.compare(childKey, startAfter) < 0
                && !startAfter.startsWith(childKey);
        if (overlapsPrefix
            && !whollyBeforeStart
            && walk(child, childKey, prefix, startAfter, limit, out)) {
          return true;
        }
      } else if (childKey.startsWith(prefix)
          && (startAfter == null || ObjectKeys.UTF8_ORDER.compare(childKey, startAfter) > 0)
          && ObjectKeys.problem(childKey) == null) {
        try {
          BasicFileAttributes attributes =
              Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          out.add(
              ObjectInfo.listed(
                  childKey, attributes.size(), attributes.lastModifiedTime().toMillis(), null));
        } catch (NoSuchFileException e) {
          continue; // deleted while we walked
        }
        if (out.size() >= limit) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * True when neither the file {@code key} nor anything under the directory {@code key/} can be in
   * the listing: outside the prefix, or not after {@code startAfter}.
   */
  private static boolean cannotMatch(String key, String prefix, String startAfter) {
    String asDir = key + "/";
    boolean fileMatchesPrefix = key.startsWith(prefix);
    boolean dirOverlapsPrefix = asDir.startsWith(prefix) || prefix.startsWith(asDir);
    if (!fileMatchesPrefix && !dirOverlapsPrefix) {
      return true;
    }
    if (startAfter == null) {
      return false;
    }
    boolean fileNotAfter = ObjectKeys.UTF8_ORDER.compare(key, startAfter) <= 0;
    boolean dirWhollyBefore =
        ObjectKeys.UTF8_ORDER.compare(asDir, startAfter) < 0 && !startAfter.startsWith(asDir);
    return fileNotAfter && dirWhollyBefore;
  }

  private Path objectPath(String key) {
    Path path = baseDir.resolve(key).normalize();
    // ObjectKeys.validate already rules out escapes; this is the belt to its braces.
    if (!path.startsWith(baseDir) || path.equals(baseDir)) {
      throw new IllegalArgumentException(
          "key '" + ObjectKeys.printable(key) + "' resolves outside " + baseDir);
    }
    return path;
  }

  /**
   * Where the key's metadata sidecar is: the object's own path under {@link #META_DIR}. No suffix,
   * so any key the object tree can hold the sidecar tree can too (with {@code .json} added, a last
   * segment of 251 to 255 bytes had a sidecar name too long for the filesystem, and keys {@code a}
   * and {@code a.json/b} could not both have sidecars).
   */
  private Path sidecarPath(String key) {
    return metaDir.resolve(key);
  }

  /**
   * The sidecar as stores before 2026-11-27 wrote it ({@code <key>.json}), or null. Another key's
   * sidecar may sit there now (key {@code a}'s old one is key {@code a.json}'s new one): the file
   * identity in it tells them apart ({@link #head}).
   */
  private byte[] readLegacySidecar(String key) throws IOException {
    try {
      return Files.readAllBytes(metaDir.resolve(key + LEGACY_META_SUFFIX));
    } catch (AccessDeniedException e) {
      throw e;
    } catch (FileSystemException e) {
      return null; // none, a name too long for one, a directory: there is none
    }
  }

  /** Deletes the key's legacy sidecar if it is the deleted object's ({@code fileKey}) only. */
  private void deleteLegacySidecar(String key, String fileKey) throws IOException {
    byte[] bytes = readLegacySidecar(key);
    if (bytes == null || fileKey == null) {
      return;
    }
    try {
      if (fileKey.equals(json.readValue(bytes, Sidecar.class).fileKey())) {
        Files.deleteIfExists(metaDir.resolve(key + LEGACY_META_SUFFIX));
      }
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      // not a sidecar this store wrote: leave it
    }
  }

  private static String fileKey(Path file) throws IOException {
    Object fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    return fileKey == null ? null : fileKey.toString();
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some filesystems (and platforms) cannot open or fsync a directory; the rename is still
      // atomic.
      log.debug("Could not fsync directory {}: {}", dir, e.toString());
    }
  }

  /**
   * Creates {@code file} (which must not exist) for writing, and its directory if needed. A delete
   * of the directory's last object removes the directory ({@link #removeEmptyDirectories}), maybe
   * between our making sure it exists and creating the file in it: then we make it again. Once the
   * file exists, its directory is not empty and stays.
   */
  private static FileChannel createInItsDirectory(Path file) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        // Making the directory fails too: when a parent goes while it makes the next one down
        // (NoSuchFile), or when another put makes it first and a delete removes it before
        // createDirectories looks again (FileAlreadyExists). Temp names are unique: the file
        // itself never exists already.
        ensureDirectory(file.getParent());
        return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (NoSuchFileException | FileAlreadyExistsException e) {
        if (attempt == DIRECTORY_RACE_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /**
   * Removes {@code dir} and then its parents, up to but not including {@code root}, while they are
   * empty: the directories a key's last object leaves behind. Without it, deleting pages
   * (compaction, {@code check}'s probe) would leave one empty directory per writer and day forever,
   * each walked by every listing. Best effort: the object is deleted whatever happens here.
   */
  private void removeEmptyDirectories(Path dir, Path root) {
    for (Path d = dir; d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
      try {
        Files.delete(d);
      } catch (NoSuchFileException e) {
        // another delete removed it: its parent may be empty now too
      } catch (DirectoryNotEmptyException e) {
        return;
      } catch (IOException e) {
        log.debug("Could not remove empty directory {} in {}: {}", d, description, e.toString());
        return;
      }
    }
  }

  /**
   * Creates {@code dir} and its parents unless it is a directory already. {@code createDirectories}
   * alone would, for a directory that exists, throw and catch a {@code FileAlreadyExistsException}
   * (with its stack trace) on every put.
   */
  private static void ensureDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
    }
  }

  /**
   * A temp file name unique among every writer of this directory, other processes included: a
   * random prefix per store instance and a counter. {@code UUID.randomUUID()} per file read {@code
   * /dev/urandom} under a lock twice per stored page.
   */
  private String tempName() {
    return TEMP_PREFIX + instanceId + "-" + tempCounter.incrementAndGet();
  }

  private static String md5Of(Path file) throws IOException {
    MessageDigest md5 = Md5.newDigest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md5)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md5.digest());
  }

  /**
   * Deletes {@code path} if it is there. Not {@code Files.exists} first: on JDK 17 it answers "no"
   * by throwing and catching an exception with a full stack trace, once per stored page.
   */
  private static void deleteQuietly(Path path) {
    if (path == null) {
      return;
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      log.warn("Could not delete temp file {}: {}", path, e.toString());
    }
  }

  private static String encodeToken(String lastKey) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeToken(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid continuation token '" + token + "'", e);
    }
  }

  /** Reads at most {@code limit} bytes of a stream. */
  private static final class LimitedInputStream extends FilterInputStream {
    private long remaining;

    LimitedInputStream(InputStream in, long limit) {
      super(in);
      this.remaining = limit;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int read = super.read(b, off, (int) Math.min(len, remaining));
      if (read > 0) {
        remaining -= read;
      }
      return read;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(Math.min(n, remaining));
      remaining -= skipped;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(super.available(), remaining);
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
