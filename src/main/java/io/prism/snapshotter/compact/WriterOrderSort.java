package io.prism.snapshotter.compact;

import io.prism.snapshotter.index.IndexEntry;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * A writer's entries in {@link CompactionPlanner#WRITER_ORDER}, sorted in bounded memory: the index
 * walks a writer by start time and storage lists by key, while the plan needs the writer's order
 * (topic, partition, first offset), which no index keeps. Up to {@code chunkEntries} entries are
 * held and sorted in memory; a writer with more is sorted a chunk at a time into temporary files
 * (compressed: keys repeat much), which are then merged, one entry of each file in memory. So a
 * writer of any size needs about one chunk of heap, and a writer within one chunk no file at all.
 *
 * <p>The sort is of a snapshot: every entry is added before the first is read, as the plan was made
 * from one listing before this class existed, so what the run itself publishes and removes does not
 * move it. {@link #entries()} may be read more than once.
 */
final class WriterOrderSort implements AutoCloseable {
  /** About 650 bytes of heap an entry: some 33 MB for a chunk. */
  static final int DEFAULT_CHUNK_ENTRIES = 50_000;

  /** Most files merged at once (each open while merging); more are merged in rounds. */
  static final int MAX_FILES_MERGED = 64;

  private static final Comparator<IndexEntry> ORDER = CompactionPlanner.WRITER_ORDER;

  private final int chunkEntries;
  private final List<IndexEntry> chunk = new ArrayList<>();
  private final List<Path> files = new ArrayList<>();
  private final List<Merge> merges = new ArrayList<>();
  private boolean sorted;
  private long size;
  private int maxHeld;

  WriterOrderSort(int chunkEntries) {
    if (chunkEntries < 1) {
      throw new IllegalArgumentException("a chunk needs 1 entry or more: " + chunkEntries);
    }
    this.chunkEntries = chunkEntries;
  }

  /** Adds an entry; all are added before {@link #entries()} is first read. */
  void add(IndexEntry entry) {
    if (sorted) {
      throw new IllegalStateException("entries added after the sort was read");
    }
    if (chunk.size() == chunkEntries) {
      // Only once a chunk is full and more come: a writer within one chunk writes no file.
      files.add(spill(chunk));
      chunk.clear();
    }
    chunk.add(entry);
    size++;
    maxHeld = Math.max(maxHeld, chunk.size());
  }

  long size() {
    return size;
  }

  /**
   * The most entries this sort held in memory at once: a chunk while adding, one entry per file
   * while merging.
   */
  int maxHeld() {
    return maxHeld;
  }

  /** Temporary files written so far. */
  int files() {
    return files.size();
  }

  /**
   * The entries in the writer's order. The iterator throws {@link UncheckedIOException} when a
   * temporary file cannot be read.
   */
  Iterator<IndexEntry> entries() {
    if (!sorted) {
      sorted = true;
      if (files.isEmpty()) {
        chunk.sort(ORDER);
      } else {
        if (!chunk.isEmpty()) {
          files.add(spill(chunk));
          chunk.clear();
        }
        while (files.size() > MAX_FILES_MERGED) {
          mergeRound();
        }
      }
    }
    if (files.isEmpty()) {
      return List.copyOf(chunk).iterator();
    }
    Merge merge = new Merge(files);
    merges.add(merge); // closed with the sort, in case it is not read to its end
    return merge;
  }

  /** Merges the first {@link #MAX_FILES_MERGED} files into one. */
  private void mergeRound() {
    List<Path> round = new ArrayList<>(files.subList(0, MAX_FILES_MERGED));
    Path merged;
    try (Merge merge = new Merge(round)) {
      merged = write(merge);
    }
    files.removeAll(round);
    files.add(merged);
    round.forEach(WriterOrderSort::delete);
  }

  private Path spill(List<IndexEntry> entries) {
    entries.sort(ORDER);
    return write(entries.iterator());
  }

  private static Path write(Iterator<IndexEntry> entries) {
    TempFileLeftovers.sweepOnce();
    try {
      Path file = TempFileLeftovers.create();
      try (DataOutputStream out =
          new DataOutputStream(
              new BufferedOutputStream(
                  new DeflaterOutputStream(
                      Files.newOutputStream(file), new Deflater(Deflater.BEST_SPEED), 64 * 1024),
                  64 * 1024))) {
        while (entries.hasNext()) {
          writeEntry(out, entries.next());
        }
      } catch (IOException | RuntimeException e) {
        delete(file);
        throw e;
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not write the plan's sorted entries to a temporary file (java.io.tmpdir)", e);
    }
  }

  @Override
  public void close() {
    merges.forEach(Merge::close);
    merges.clear();
    files.forEach(WriterOrderSort::delete);
    files.clear();
    chunk.clear();
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      file.toFile().deleteOnExit();
    }
  }

  private static void writeEntry(DataOutputStream out, IndexEntry e) throws IOException {
    writeString(out, e.pageKey());
    writeString(out, e.writerId());
    out.writeLong(e.pageSequence());
    out.writeLong(e.startTime());
    out.writeLong(e.endTime());
    out.writeLong(e.eventCount());
    out.writeLong(e.pageSizeBytes());
    out.writeLong(e.storageSizeBytes());
    writeString(out, e.format());
    writeString(out, e.compression());
    writeString(out, e.topic());
    out.writeInt(e.partition());
    out.writeLong(e.firstOffset());
    out.writeLong(e.lastOffset());
  }

  /** The next entry, or null at the end of the file. */
  private static IndexEntry readEntry(DataInputStream in) throws IOException {
    String pageKey;
    try {
      pageKey = readString(in);
    } catch (EOFException end) {
      return null;
    }
    return new IndexEntry(
        pageKey,
        readString(in),
        in.readLong(),
        in.readLong(),
        in.readLong(),
        in.readLong(),
        in.readLong(),
        in.readLong(),
        readString(in),
        readString(in),
        readString(in),
        in.readInt(),
        in.readLong(),
        in.readLong());
  }

  // Not writeUTF: it refuses strings over 65,535 bytes.
  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** A k-way merge of sorted files: one entry of each in memory. */
  private final class Merge implements Iterator<IndexEntry>, AutoCloseable {
    private final PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> compare(a, b));
    private final List<DataInputStream> open = new ArrayList<>();

    Merge(List<Path> sortedFiles) {
      try {
        for (int i = 0; i < sortedFiles.size(); i++) {
          DataInputStream in =
              new DataInputStream(
                  new BufferedInputStream(
                      new InflaterInputStream(Files.newInputStream(sortedFiles.get(i))),
                      64 * 1024));
          open.add(in);
          advance(new Head(i, in));
        }
      } catch (IOException e) {
        close();
        throw new UncheckedIOException("could not read the plan's sorted entries back", e);
      }
      maxHeld = Math.max(maxHeld, heads.size());
    }

    private int compare(Head a, Head b) {
      int order = ORDER.compare(a.entry, b.entry);
      // Equal entries (the same page listed twice) keep their files' order: a stable merge.
      return order != 0 ? order : Integer.compare(a.file, b.file);
    }

    private void advance(Head head) throws IOException {
      head.entry = readEntry(head.in);
      if (head.entry == null) {
        head.in.close();
      } else {
        heads.add(head);
      }
    }

    @Override
    public boolean hasNext() {
      return !heads.isEmpty();
    }

    @Override
    public IndexEntry next() {
      Head head = heads.poll();
      if (head == null) {
        throw new NoSuchElementException();
      }
      IndexEntry entry = head.entry;
      try {
        advance(head);
      } catch (IOException e) {
        close();
        throw new UncheckedIOException("could not read the plan's sorted entries back", e);
      }
      return entry;
    }

    @Override
    public void close() {
      heads.clear();
      for (DataInputStream in : open) {
        try {
          in.close();
        } catch (IOException ignored) {
          // a temporary file read to its end or abandoned; it is deleted with the sort
        }
      }
    }
  }

  private static final class Head {
    final int file;
    final DataInputStream in;
    IndexEntry entry;

    Head(int file, DataInputStream in) {
      this.file = file;
      this.in = in;
    }
  }
}
