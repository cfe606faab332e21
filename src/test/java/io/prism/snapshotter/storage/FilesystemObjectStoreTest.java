package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemObjectStoreTest extends ObjectStoreContract {

  @TempDir Path tempDir;

  private Path baseDir;

  @Override
  protected ObjectStore newStore() {
    baseDir = tempDir.resolve("store");
    return new FilesystemObjectStore(baseDir);
  }

  @Test
  void keysThatWouldLeaveTheBaseDirectoryAreRefusedAndNothingIsWrittenOutside() throws IOException {
    for (String key :
        List.of(
            "../outside",
            "a/../../outside",
            "/tmp/outside",
            "a\\..\\..\\outside",
            "..",
            "a/..",
            "./a")) {
      assertThatThrownBy(() -> put(key, bytes("x"), PutOptions.defaults()))
          .as(key)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(key);
      assertThatThrownBy(() -> store.get(key)).as(key).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.delete(key))
          .as(key)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.head(key))
          .as(key)
          .isInstanceOf(IllegalArgumentException.class);
    }
    try (Stream<Path> outside = Files.list(tempDir)) {
      assertThat(outside).containsExactly(baseDir);
    }
  }

  /** A failure of the store itself (no key involved) names its directory, not an empty key. */
  @Test
  void aDirectoryThatCannotBeCreatedIsNamedWithoutAnEmptyKey() throws IOException {
    Path file = Files.write(tempDir.resolve("a-file"), bytes("x"));
    Path underAFile = file.resolve("pages");

    assertThatThrownBy(() -> new FilesystemObjectStore(underAFile))
        .isInstanceOf(StorageException.class)
        .hasMessageStartingWith("open of file:" + underAFile + " failed")
        .hasMessageNotContaining("''");
  }

  @Test
  void aLeftoverTempFileFromACrashIsNotListed() throws IOException {
    put("a/real", bytes("x"), PutOptions.defaults());
    Files.write(
        baseDir.resolve("a").resolve(FilesystemObjectStore.TEMP_PREFIX + "crashed"),
        bytes("partial"));
    Files.write(
        baseDir.resolve(FilesystemObjectStore.TEMP_PREFIX + "crashed-too"), bytes("partial"));

    assertThat(listAll("", 10)).containsExactly("a/real");
  }

  @Test
  void sidecarsAreNeverListedNorAddressable() throws IOException {
    put("x/y", bytes("x"), PutOptions.builder().metadata("k", "v").build());

    assertThat(Files.isDirectory(baseDir.resolve(FilesystemObjectStore.META_DIR))).isTrue();
    assertThat(listAll("", 10)).containsExactly("x/y");
    assertThat(listAll(".prism", 10)).isEmpty();
    assertThatThrownBy(() -> store.get(FilesystemObjectStore.META_DIR + "/x/y.json"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void objectsAreStoredAsPlainFilesUnderTheirKey() throws IOException {
    put("plain/file.ndjson", bytes("{\"a\":1}\n"), PutOptions.defaults());

    assertThat(Files.readAllBytes(baseDir.resolve("plain/file.ndjson")))
        .isEqualTo(bytes("{\"a\":1}\n"));
    assertThat(store.describe()).isEqualTo("file:" + baseDir.toAbsolutePath().normalize());
  }

  @Test
  void aSidecarLeftFromAnOlderVersionIsIgnored() throws IOException {
    put(
        "stale",
        bytes("old"),
        PutOptions.builder().metadata("v", "old").contentType("text/old").build());
    // A crash after the object's rename but before its sidecar's: new content beside the old
    // sidecar.
    Path replacement = baseDir.resolve("replacement");
    Files.write(replacement, bytes("new"));
    Files.move(
        replacement,
        baseDir.resolve("stale"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);

    ObjectInfo info = store.head("stale").orElseThrow();

    assertThat(info.userMetadata()).isEmpty();
    assertThat(info.contentType()).isEqualTo(PutOptions.DEFAULT_CONTENT_TYPE);
    assertThat(info.etag()).isEqualTo("22af645d1859cb5ca6da0c484f1f37ea"); // MD5 of "new"
  }

  @Test
  void aSidecarACrashLeftEmptyOrMissingReadsAsNone() throws IOException {
    // A sidecar lost or emptied (a disk error, a tool that copied the objects only, a power loss
    // on a filesystem that does not keep the order of the two renames): the object must still
    // read, with the defaults and the etag from its content.
    for (boolean delete : new boolean[] {false, true}) {
      String key = delete ? "gone" : "emptied";
      put(key, bytes("new"), PutOptions.builder().metadata("v", "1").contentType("text/x").build());
      Path sidecar = baseDir.resolve(".prism-meta").resolve(key);
      assertThat(sidecar).as("the sidecar is where this test expects it").exists();
      if (delete) {
        Files.delete(sidecar);
      } else {
        Files.write(sidecar, new byte[0]);
      }

      ObjectInfo info = store.head(key).orElseThrow();

      assertThat(info.userMetadata()).as(key).isEmpty();
      assertThat(info.contentType()).as(key).isEqualTo(PutOptions.DEFAULT_CONTENT_TYPE);
      assertThat(info.etag()).as(key).isEqualTo("22af645d1859cb5ca6da0c484f1f37ea");
      try (var in = store.get(key)) {
        assertThat(in.readAllBytes()).as(key).isEqualTo(bytes("new"));
      }
    }
  }

  @Test
  void aDirectoryIsNotAnObject() {
    put("dir/child", bytes("x"), PutOptions.defaults());

    assertThat(store.head("dir")).isEmpty();
    assertThatThrownBy(() -> store.get("dir")).isInstanceOf(NoSuchObjectException.class);
    assertThat(store.delete("dir")).isFalse();
    assertThat(store.head("dir/child")).isPresent();
  }

  @Test
  void aKeyCanReuseTheNameOfADirectoryEmptiedByDeletes() throws IOException {
    put("d/child", bytes("x"), PutOptions.defaults());
    store.delete("d/child");

    put("d", bytes("now a file"), PutOptions.ifAbsent());

    assertThat(read(store.get("d"))).isEqualTo(bytes("now a file"));
  }

  @Test
  void deletingTheLastObjectOfADirectoryRemovesTheDirectoriesItLeavesEmpty() throws IOException {
    put("w/2026/11/27/page-1", bytes("x"), PutOptions.defaults());
    put("w/2026/other", bytes("y"), PutOptions.defaults());

    assertThat(store.delete("w/2026/11/27/page-1")).isTrue();

    assertThat(baseDir.resolve("w/2026/11")).doesNotExist();
    assertThat(baseDir.resolve("w/2026/other")).isRegularFile();
    Path metaDir = baseDir.resolve(FilesystemObjectStore.META_DIR);
    assertThat(metaDir.resolve("w/2026/11")).doesNotExist();
    assertThat(metaDir.resolve("w/2026/other")).isRegularFile();

    assertThat(store.delete("w/2026/other")).isTrue();

    try (Stream<Path> left = Files.list(baseDir)) {
      assertThat(left).as("the sidecar tree's directory too").isEmpty();
    }
    put("w/again", bytes("z"), PutOptions.builder().metadata("k", "v").build());
    assertThat(store.head("w/again").orElseThrow().userMetadata()).containsEntry("k", "v");
  }

  @Test
  void putsSucceedWhileDeletesRemoveTheirDirectory() throws Exception {
    // Two writers put and delete keys in the same directory: each delete of the directory's last
    // key removes it, often between the other's making sure it exists and writing into it.
    int keysPerWriter = 500;
    ExecutorService writers = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int writer = 0; writer < 2; writer++) {
        String prefix = "shared/dir/writer-" + writer + "-";
        done.add(
            writers.submit(
                () -> {
                  for (int i = 0; i < keysPerWriter; i++) {
                    put(prefix + i, bytes("event " + i), PutOptions.ifAbsent());
                    assertThat(read(store.get(prefix + i))).isEqualTo(bytes("event " + i));
                    assertThat(store.delete(prefix + i)).isTrue();
                  }
                  return null;
                }));
      }
      for (Future<?> writer : done) {
        writer.get(60, TimeUnit.SECONDS);
      }
    } finally {
      writers.shutdownNow();
    }
    assertThat(baseDir.resolve("shared")).doesNotExist();
  }

  @Test
  void aKeyWhoseLastSegmentIsTheLongestAllowedIsStoredWithItsMetadata() {
    // 255 bytes: the longest file name; sidecars once added ".json" and could not be written.
    String key = "p/" + "x".repeat(255);
    PutOptions options =
        PutOptions.builder().metadata("first-offset", "7").createOnly(true).build();

    put(key, bytes("page"), options);

    assertThat(store.head(key).orElseThrow().userMetadata()).containsEntry("first-offset", "7");
    assertThat(store.delete(key)).isTrue();
    assertThat(baseDir.resolve("p")).doesNotExist();
  }

  @Test
  void keysAAndADotJsonSlashBBothKeepTheirMetadata() {
    put("a", bytes("x"), PutOptions.builder().metadata("k", "a").build());
    put("a.json/b", bytes("y"), PutOptions.builder().metadata("k", "a.json/b").build());

    assertThat(store.head("a").orElseThrow().userMetadata()).containsEntry("k", "a");
    assertThat(store.head("a.json/b").orElseThrow().userMetadata()).containsEntry("k", "a.json/b");
  }

  @Test
  void aSidecarWrittenWithTheEarlierJsonSuffixIsStillReadAndDeleted() throws IOException {
    put("w/page", bytes("x"), PutOptions.builder().metadata("k", "v").build());
    // As stores before 2026-11-27 kept it: beside, with ".json" added.
    Path metaDir = baseDir.resolve(FilesystemObjectStore.META_DIR);
    Files.move(metaDir.resolve("w/page"), metaDir.resolve("w/page.json"));

    assertThat(store.head("w/page").orElseThrow().userMetadata()).containsEntry("k", "v");
    assertThat(store.delete("w/page")).isTrue();
    assertThat(metaDir.resolve("w")).doesNotExist();
  }

  @Test
  void headOfAKeyBelowAnObjectFindsNothing() {
    put("a/b", bytes("x"), PutOptions.defaults());

    assertThat(store.head("a/b/c")).isEmpty();
  }

  @Test
  void aKeyThatIsADirectoryOfOtherKeysIsAFatalError() {
    put("d/child", bytes("x"), PutOptions.defaults());

    assertThatThrownBy(() -> put("d", bytes("y"), PutOptions.defaults()))
        .isInstanceOf(StorageException.class)
        .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    assertThat(store.head("d/child")).isPresent();
  }

  @Test
  void aKeyUnderAnExistingObjectIsAFatalError() {
    put("file", bytes("x"), PutOptions.defaults());

    assertThatThrownBy(() -> put("file/child", bytes("y"), PutOptions.defaults()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("file/child")
        .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
  }

  @Test
  void listingOrdersKeysByUtf8BytesNotByJavaStringOrder() {
    // U+FF01 is EF BC 81 in UTF-8; U+1F600 is F0 9F 98 80. UTF-16 (Java's String order) puts them
    // the other way.
    List.of("u/\uD83D\uDE00", "u/\uFF01")
        .forEach(key -> put(key, bytes("x"), PutOptions.defaults()));

    assertThat(listAll("u/", 1)).containsExactly("u/\uFF01", "u/\uD83D\uDE00");
  }
}
