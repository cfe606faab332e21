package io.prism.snapshotter.page;

import java.util.ArrayDeque;

/**
 * Full-size chunks ({@link EncodedEvents#MAX_CHUNK_BYTES}) of stored pages, kept for the next
 * pages' events: in a steady stream a task then reuses the same arrays instead of allocating ~1 GB
 * of them per GB of events, arrays that would live long enough to reach the collector's old
 * generation and die there (its most expensive garbage). At most {@code maxChunks} are kept; the
 * rest are left to the collector. Thread-safe; the sink takes and gives on the task's thread.
 */
public final class ChunkPool {
  /** No pooling: every chunk is allocated, and dropped when its page is. */
  public static final ChunkPool NONE = new ChunkPool(0);

  private final int maxChunks;
  private final ArrayDeque<byte[]> free = new ArrayDeque<>();

  public ChunkPool(int maxChunks) {
    if (maxChunks < 0) {
      throw new IllegalArgumentException("maxChunks must be >= 0, was " + maxChunks);
    }
    this.maxChunks = maxChunks;
  }

  /** A pool that keeps at most {@code maxBytes} of chunks. */
  public static ChunkPool ofBytes(long maxBytes) {
    return new ChunkPool(
        (int) Math.min(Integer.MAX_VALUE, maxBytes / EncodedEvents.MAX_CHUNK_BYTES));
  }

  /** A full-size chunk; its content is whatever its last page left there. */
  synchronized byte[] take() {
    byte[] chunk = free.pollLast();
    return chunk != null ? chunk : new byte[EncodedEvents.MAX_CHUNK_BYTES];
  }

  /** Keeps {@code chunk} for a later page, if it is full-size and the pool has room. */
  synchronized void give(byte[] chunk) {
    if (chunk.length == EncodedEvents.MAX_CHUNK_BYTES && free.size() < maxChunks) {
      free.addLast(chunk);
    }
  }

  /** Chunks kept now. */
  public synchronized int size() {
    return free.size();
  }
}
