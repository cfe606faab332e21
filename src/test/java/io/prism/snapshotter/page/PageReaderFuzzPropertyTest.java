package io.prism.snapshotter.page;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Thousands of corrupted pages: each must be rejected with {@link PageFormatException} or decode to
 * a valid page (its event count as declared); nothing else may escape, hang or blow the heap
 * (surefire runs with -Xmx512m). Every decode runs under a timeout.
 */
class PageReaderFuzzPropertyTest {
  enum Mutation {
    FLIP_BITS,
    TRUNCATE,
    INSERT_BYTES,
    DELETE_BYTES,
    OVERWRITE_RANGE,
    HOSTILE_VARINT,
    REPEAT_RANGE
  }

  @Property(tries = 3000)
  void corruptPagesAreRejectedOrDecodeToValidPages(
      @ForAll PageFormat format,
      @ForAll Compression compression,
      @ForAll Mutation mutation,
      @ForAll boolean beforeCompression,
      @ForAll GuardedDecode.Hint hint,
      @ForAll long seed)
      throws Exception {
    Random random = new Random(seed);
    byte[] stored = TestPages.encode(format, compression, GuardedDecode.EVENTS).bytes();
    byte[] corrupt =
        beforeCompression
            ? TestPages.plainCompress(
                compression,
                mutate(TestPages.plainDecompress(compression, stored), mutation, random))
            : mutate(stored, mutation, random);

    GuardedDecode.decodeOrReject(corrupt, format, compression, hint);
  }

  static byte[] mutate(byte[] page, Mutation mutation, Random random) {
    int n = page.length;
    byte[] out;
    switch (mutation) {
      case FLIP_BITS -> {
        out = page.clone();
        int flips = 1 + random.nextInt(3);
        for (int i = 0; i < flips && n > 0; i++) {
          out[random.nextInt(n)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case TRUNCATE -> out = Arrays.copyOf(page, random.nextInt(Math.max(1, n)));
      case INSERT_BYTES -> {
        int at = random.nextInt(n + 1);
        byte[] inserted = new byte[1 + random.nextInt(8)];
        random.nextBytes(inserted);
        out = splice(page, at, at, inserted);
      }
      case DELETE_BYTES -> {
        int at = random.nextInt(Math.max(1, n));
        out = splice(page, at, Math.min(n, at + 1 + random.nextInt(8)), new byte[0]);
      }
      case OVERWRITE_RANGE -> {
        out = page.clone();
        int at = random.nextInt(Math.max(1, n));
        for (int i = at; i < Math.min(n, at + 1 + random.nextInt(16)); i++) {
          out[i] = (byte) random.nextInt(256);
        }
      }
      case HOSTILE_VARINT -> {
        // A maximal varint (2^63-ish or 2^32-1) where a length or a tag may be.
        byte[] varint =
            random.nextBoolean()
                ? new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}
                : new byte[] {
                  (byte) 0xff,
                  (byte) 0xff,
                  (byte) 0xff,
                  (byte) 0xff,
                  (byte) 0xff,
                  (byte) 0xff,
                  (byte) 0xff,
                  (byte) 0xff,
                  (byte) 0xff,
                  0x01
                };
        int at = random.nextInt(Math.max(1, n));
        out = splice(page, at, Math.min(n, at + 1), varint);
      }
      case REPEAT_RANGE -> {
        int from = random.nextInt(Math.max(1, n));
        int to = Math.min(n, from + 1 + random.nextInt(64));
        out = splice(page, to, to, Arrays.copyOfRange(page, from, to));
      }
      default -> throw new IllegalStateException();
    }
    return out;
  }

  private static byte[] splice(byte[] page, int from, int to, byte[] insert) {
    byte[] out = new byte[page.length - (to - from) + insert.length];
    System.arraycopy(page, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(page, to, out, from + insert.length, page.length - to);
    return out;
  }
}
