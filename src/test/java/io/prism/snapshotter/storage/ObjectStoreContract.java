package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ObjectStore} backend must show. Each backend's test extends this class
 * and supplies a fresh, empty store per test; the large-object test expects the store to be
 * configured with a part size of {@link #PART_SIZE} where parts apply.
 */
public abstract class ObjectStoreContract {

  /** 5 MiB: the smallest S3 part, so a 12 MB object takes three parts. */
  protected static final long PART_SIZE = 5L * 1024 * 1024;

  protected ObjectStore store;

  /** A new, empty store. */
  protected abstract ObjectStore newStore() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  /** The health checks' probe of an idle store: it answers, and leaves nothing behind. */
  @Test
  void probeOfAWorkingStoreSucceedsAndWritesNothing() {
    store.probe();
    assertThat(store.list("", 10, null).objects()).isEmpty();
  }

  @Test
  void putThenGetReturnsTheExactBytes() throws IOException {
    byte[] content = randomBytes(300_000, 1);

    PutResult result = put("pages/a.bin", content, PutOptions.defaults());

    assertThat(result.size()).isEqualTo(content.length);
    assertThat(result.etag()).isNotBlank().doesNotContain("\"");
    assertThat(read(store.get("pages/a.bin"))).isEqualTo(content);
  }

  @Test
  void emptyObjectRoundTrips() throws IOException {
    PutResult result = put("empty", new byte[0], PutOptions.defaults());

    assertThat(result.size()).isZero();
    assertThat(read(store.get("empty"))).isEmpty();
    assertThat(store.head("empty")).hasValueSatisfying(info -> assertThat(info.size()).isZero());
  }

  @Test
  void largeObjectAboveThePartSizeRoundTrips() throws IOException {
    byte[] content = randomBytes((int) (PART_SIZE * 2 + 1_700_000), 2); // ~12 MB: three parts

    PutResult result =
        put(
            "big/object",
            content,
            PutOptions.builder().contentType("application/x-test").metadata("kind", "big").build());

    assertThat(result.size()).isEqualTo(content.length);
    assertThat(sha256(read(store.get("big/object")))).isEqualTo(sha256(content));
    ObjectInfo info = store.head("big/object").orElseThrow();
    assertThat(info.size()).isEqualTo(content.length);
    assertThat(info.contentType()).isEqualTo("application/x-test");
    assertThat(info.userMetadata()).containsEntry("kind", "big");
    assertThat(read(store.get("big/object", PART_SIZE - 10, 20)))
        .isEqualTo(slice(content, (int) PART_SIZE - 10, 20));
  }

  @Test
  void rangedReadsReturnTheRequestedSliceCutAtTheEnd() throws IOException {
    byte[] content = randomBytes(1000, 3);
    put("ranged", content, PutOptions.defaults());

    assertThat(read(store.get("ranged", 0, 10))).isEqualTo(slice(content, 0, 10));
    assertThat(read(store.get("ranged", 400, 123))).isEqualTo(slice(content, 400, 123));
    assertThat(read(store.get("ranged", 990, 10))).isEqualTo(slice(content, 990, 10));
    assertThat(read(store.get("ranged", 995, 100))).isEqualTo(slice(content, 995, 5));
    assertThat(read(store.get("ranged", 0, 5000))).isEqualTo(content);
    assertThat(read(store.get("ranged", 1000, 10))).isEmpty();
    assertThat(read(store.get("ranged", 5000, 10))).isEmpty();
    assertThat(read(store.get("ranged", 10, 0))).isEmpty();
  }

  @Test
  void rangedReadOfAnEmptyObjectIsEmpty() throws IOException {
    put("empty-ranged", new byte[0], PutOptions.defaults());

    assertThat(read(store.get("empty-ranged", 0, 10))).isEmpty();
  }

  @Test
  void negativeRangeIsRefused() {
    put("neg", bytes("x"), PutOptions.defaults());

    assertThatThrownBy(() -> store.get("neg", -1, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.get("neg", 0, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void putOverwritesByDefault() throws IOException {
    put("over", bytes("first"), PutOptions.defaults());
    put("over", bytes("second, longer"), PutOptions.builder().metadata("v", "2").build());

    assertThat(read(store.get("over"))).isEqualTo(bytes("second, longer"));
    assertThat(store.head("over").orElseThrow().userMetadata())
        .containsExactlyEntriesOf(Map.of("v", "2"));
  }

  @Test
  void createOnlyStoresANewKey() throws IOException {
    put("fresh", bytes("one"), PutOptions.ifAbsent());

    assertThat(read(store.get("fresh"))).isEqualTo(bytes("one"));
  }

  @Test
  void createOnlyRefusesAnExistingKeyAndKeepsTheOriginal() throws IOException {
    put(
        "taken",
        bytes("original"),
        PutOptions.builder().metadata("v", "1").contentType("text/plain").build());

    assertThatThrownBy(
            () ->
                put(
                    "taken",
                    bytes("intruder"),
                    PutOptions.builder().createOnly(true).metadata("v", "2").build()))
        .isInstanceOf(ObjectAlreadyExistsException.class)
        .hasMessageContaining("taken")
        .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());

    assertThat(read(store.get("taken"))).isEqualTo(bytes("original"));
    ObjectInfo info = store.head("taken").orElseThrow();
    assertThat(info.userMetadata()).containsExactlyEntriesOf(Map.of("v", "1"));
    assertThat(info.contentType()).isEqualTo("text/plain");
  }

  @Test
  void headReturnsSizeEtagContentTypeAndUserMetadata() {
    long before = System.currentTimeMillis() - 5_000;
    PutResult result =
        put(
            "meta/obj.pb",
            bytes("hello"),
            PutOptions.builder()
                .contentType("application/x-protobuf")
                .metadata("writer-id", "user-123")
                .metadata("page_sequence", "42")
                .build());

    ObjectInfo info = store.head("meta/obj.pb").orElseThrow();

    assertThat(info.key()).isEqualTo("meta/obj.pb");
    assertThat(info.size()).isEqualTo(5);
    assertThat(info.etag()).isEqualTo(result.etag());
    assertThat(info.contentType()).isEqualTo("application/x-protobuf");
    assertThat(info.userMetadata())
        .containsExactlyInAnyOrderEntriesOf(Map.of("writer-id", "user-123", "page_sequence", "42"));
    assertThat(info.lastModifiedMillis()).isBetween(before, System.currentTimeMillis() + 5_000);
  }

  @Test
  void headOfAMissingKeyIsEmpty() {
    assertThat(store.head("nothing/here")).isEmpty();
  }

  @Test
  void getOfAMissingKeyThrowsNoSuchObject() {
    assertThatThrownBy(() -> store.get("missing/key"))
        .isInstanceOf(NoSuchObjectException.class)
        .hasMessageContaining("missing/key")
        .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    assertThatThrownBy(() -> store.get("missing/key", 0, 10))
        .isInstanceOf(NoSuchObjectException.class);
  }

  @Test
  void deleteRemovesAnExistingKeyAndReportsAMissingOne() {
    put("doomed", bytes("x"), PutOptions.builder().metadata("a", "b").build());

    assertThat(store.delete("doomed")).isTrue();
    assertThat(store.head("doomed")).isEmpty();
    assertThatThrownBy(() -> store.get("doomed")).isInstanceOf(NoSuchObjectException.class);
    assertThat(store.delete("doomed")).isFalse();
    assertThat(store.delete("never/existed")).isFalse();
  }

  @Test
  void aBodyShorterThanItsLengthIsRefused() {
    assertThatThrownBy(
            () ->
                store.put(
                    "short", new ByteArrayInputStream(bytes("abc")), 10, PutOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "body of 'short' in " + store.describe() + " ended after 3 of the promised 10 bytes");
    assertThat(store.head("short")).isEmpty();
  }

  @Test
  void invalidKeysAreRefusedNamingTheKey() {
    for (String key :
        List.of(
            "../escape",
            "/absolute",
            "a//b",
            "a/./b",
            "a\\b",
            "nul\u0000",
            "",
            "trailing/",
            ".prism-meta/x")) {
      assertThatThrownBy(() -> put(key, bytes("x"), PutOptions.defaults()))
          .as("key %s", key)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("invalid object key");
    }
  }

  @Test
  void badRangesAndPageSizesAreRefusedBeforeAnyRequest() {
    assertThatThrownBy(() -> store.get("k", -1, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("offset and length must not be negative: -1, 2");
    assertThatThrownBy(() -> store.list("", 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxKeys must be at least 1: 0");
  }

  @Test
  void listingPaginatesPastAThousandKeysInByteOrderGivingEachKeyOnce() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      // '-' (0x2D) < '.' (0x2E) < '/' (0x2F): a directory-walking store must still list in key byte
      // order.
      String separator =
          switch (i % 3) {
            case 0 -> "a-";
            case 1 -> "a/";
            default -> "a.";
          };
      keys.add("many/" + separator + String.format("%04d", i));
    }
    putConcurrently(keys); // concurrent puts must be safe, and it keeps this test quick
    put("other/x", bytes("x"), PutOptions.defaults());
    List<String> expected = keys.stream().sorted(ObjectKeys.UTF8_ORDER).toList();

    assertThat(listAll("many/", 1000)).isEqualTo(expected);
    assertThat(listAll("many/", 7)).isEqualTo(expected);
    assertThat(listAll("many/", Integer.MAX_VALUE)).isEqualTo(expected);
    assertThat(store.list("many/", Integer.MAX_VALUE, null).objects())
        .hasSize(ObjectStore.MAX_KEYS_PER_PAGE);
    assertThat(listAll("many/a/", 1000))
        .isEqualTo(expected.stream().filter(k -> k.startsWith("many/a/")).toList());
    assertThat(listAll("", 1000)).hasSize(1501).contains("other/x");
  }

  @Test
  void listingReportsSizeAndTimeAndHonoursPartialSegmentPrefixes() {
    put("pre/ab/1", bytes("1"), PutOptions.defaults());
    put("pre/ab-2", bytes("22"), PutOptions.defaults());
    put("pre/ac", bytes("333"), PutOptions.defaults());
    put("pre/b", bytes("4444"), PutOptions.defaults());

    ListPage page = store.list("pre/ab", 100, null);

    assertThat(page.nextContinuationToken()).isNull();
    assertThat(page.objects()).extracting(ObjectInfo::key).containsExactly("pre/ab-2", "pre/ab/1");
    assertThat(page.objects()).extracting(ObjectInfo::size).containsExactly(2L, 1L);
    assertThat(page.objects())
        .allSatisfy(info -> assertThat(info.lastModifiedMillis()).isPositive());
    assertThat(store.list("nope/", 10, null).objects()).isEmpty();
  }

  @Test
  void listingOrdersNonAsciiKeysAfterAscii() {
    // Within the Basic Multilingual Plane, UTF-8 byte order and Java's String order agree; the
    // supplementary-plane case is checked by the filesystem test (S3Proxy's in-memory store sorts
    // by
    // String order there, unlike S3).
    List<String> keys = List.of("u/\uFF01", "u/z", "u/\u00e9", "u/Z");
    keys.forEach(key -> put(key, bytes("x"), PutOptions.defaults()));

    assertThat(listAll("u/", 2)).containsExactly("u/Z", "u/z", "u/\u00e9", "u/\uFF01");
  }

  @Test
  void hostileWriterIdsStayUnderTheirOwnPrefix() throws IOException {
    KeyTemplate template = KeyTemplate.parse("w/{writer_id}/{sequence}{ext}");
    List<String> ids =
        List.of(
            "../../etc/passwd",
            "a/b",
            "a",
            "a%2Fb",
            "",
            "~",
            ".",
            "..",
            ".prism-meta",
            "ctl\u0000\u0001\n\u007f",
            "C:\\windows",
            "x".repeat(1_000_000),
            "x".repeat(999_999) + "y",
            "日本語/ü");
    Set<String> keys = new HashSet<>();
    for (String id : ids) {
      String key =
          template.render(
              new KeyContext(id, 1_700_000_000_000L, 1, "t", 0, 0, "protobuf", ".pb", "none"));
      assertThat(keys.add(key))
          .as("distinct key for %s", id.length() > 40 ? id.substring(0, 40) : id)
          .isTrue();
      put(key, bytes(id.length() > 40 ? id.substring(0, 40) : id), PutOptions.defaults());
    }
    for (String id : ids) {
      String prefix = template.writerPrefix(id).orElseThrow();
      List<String> listed = listAll(prefix, 1000);
      assertThat(listed).hasSize(1);
      assertThat(read(store.get(listed.get(0))))
          .isEqualTo(bytes(id.length() > 40 ? id.substring(0, 40) : id));
    }
    assertThat(listAll("", 1000))
        .hasSize(ids.size())
        .allSatisfy(key -> assertThat(key).startsWith("w/"));
  }

  @Test
  void describeNamesTheStore() {
    assertThat(store.describe()).isNotBlank();
  }

  // ---- helpers ----

  protected PutResult put(String key, byte[] content, PutOptions options) {
    return store.put(key, new ByteArrayInputStream(content), content.length, options);
  }

  /** Puts each key (content = the key) from several threads, as several sink tasks would. */
  protected void putConcurrently(List<String> keys) {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<PutResult>> results = new ArrayList<>();
      for (String key : keys) {
        results.add(pool.submit(() -> put(key, bytes(key), PutOptions.defaults())));
      }
      for (Future<PutResult> result : results) {
        result.get(60, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new AssertionError("concurrent put failed", e);
    } finally {
      pool.shutdownNow();
    }
  }

  protected List<String> listAll(String prefix, int pageSize) {
    List<String> keys = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      ListPage page = store.list(prefix, pageSize, token);
      assertThat(page.objects().size()).isLessThanOrEqualTo(pageSize);
      if (page.hasMore()) {
        assertThat(page.objects()).as("a page with a continuation token").isNotEmpty();
      }
      page.objects().forEach(info -> keys.add(info.key()));
      token = page.nextContinuationToken();
      assertThat(++pages).as("pages").isLessThan(100_000);
    } while (token != null);
    return keys;
  }

  protected static byte[] read(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] slice(byte[] content, int from, int length) {
    byte[] out = new byte[length];
    System.arraycopy(content, from, out, 0, length);
    return out;
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
