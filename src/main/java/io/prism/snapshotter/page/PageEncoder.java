package io.prism.snapshotter.page;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serializes and compresses one page, streaming the events into the compressor: the page never
 * exists whole in memory, neither as bytes nor as one {@code EventPage} object.
 *
 * <p>{@code pageSizeBytes} is the exact length of the uncompressed serialized page; each codec says
 * how it knows it before writing the first byte ({@link ProtobufPageWriter}, {@link
 * NdjsonPageWriter}). Reusable but not thread-safe: it keeps scratch space between pages, so use
 * one per thread (the sink has one per task).
 */
public final class PageEncoder {
  private static final Logger LOG = LoggerFactory.getLogger(PageEncoder.class);

  private final ProtobufPageWriter protobuf = new ProtobufPageWriter();
  private final NdjsonPageWriter ndjson = new NdjsonPageWriter();

  /** Created on the first zstd page; keeps zstd's workspace from page to page. */
  private ReusableZstdCompressor zstd;

  /**
   * Writes {@code events} as one page to {@code out} at the codec's default level; see {@link
   * #encode(PageFormat, Compression, CompressionLevel, PageSpec, List, OutputStream)}.
   */
  public EncodedPage encode(
      PageFormat format,
      Compression compression,
      PageSpec spec,
      List<Event> events,
      OutputStream out)
      throws IOException {
    return encode(format, compression, CompressionLevel.CODEC_DEFAULT, spec, events, out);
  }

  /**
   * Writes {@code events} as one page to {@code out}, which stays open (it is flushed), compressed
   * at {@code level}. The level changes only the stored bytes' size: readers need not know it.
   *
   * @throws IllegalArgumentException if {@code events} is empty (a page holds at least one event),
   *     or {@code compression} does not accept {@code level}
   * @throws IOException if {@code out} fails
   */
  public EncodedPage encode(
      PageFormat format,
      Compression compression,
      CompressionLevel level,
      PageSpec spec,
      List<Event> events,
      OutputStream out)
      throws IOException {
    Objects.requireNonNull(format, "format");
    requireEvents(events.size(), spec);
    if (format == PageFormat.PROTOBUF) {
      return encode(format, compression, level, spec, EncodedEvents.of(events), 0, out);
    }
    long earliest = Long.MAX_VALUE;
    long latest = Long.MIN_VALUE;
    for (Event event : events) {
      earliest = Math.min(earliest, event.timestampMillis());
      latest = Math.max(latest, event.timestampMillis());
    }
    PageMetadata draft = draft(format, compression, spec, earliest, latest, events.size());
    return encode(
        format,
        compression,
        level,
        draft,
        out,
        (metadata, compressed) -> ndjson.write(metadata, events, compressed));
  }

  /**
   * Writes the events of {@code events} from index {@code from} on as one page (the first of them
   * has sequence 0), as {@link #encode(PageFormat, Compression, CompressionLevel, PageSpec, List,
   * OutputStream)} does: how the sink stores the pages it buffered encoded. Protobuf pages copy the
   * encoded events as they are; NDJSON pages decode them first.
   */
  public EncodedPage encode(
      PageFormat format,
      Compression compression,
      CompressionLevel level,
      PageSpec spec,
      EncodedEvents events,
      int from,
      OutputStream out)
      throws IOException {
    Objects.requireNonNull(format, "format");
    requireEvents(events.size() - from, spec);
    PageMetadata draft =
        draft(
            format,
            compression,
            spec,
            events.earliestTimestamp(from),
            events.latestTimestamp(from),
            events.size() - from);
    return encode(
        format,
        compression,
        level,
        draft,
        out,
        (metadata, compressed) ->
            switch (format) {
              case PROTOBUF -> protobuf.write(metadata, events, from, compressed);
              case NDJSON -> ndjson.write(metadata, events.decode(from), compressed);
            });
  }

  /** Writes a page's uncompressed bytes into the compressing stream; returns its final metadata. */
  private interface PageBody {
    PageMetadata write(PageMetadata draft, OutputStream compressed) throws IOException;
  }

  private static void requireEvents(int count, PageSpec spec) {
    Objects.requireNonNull(spec, "spec");
    if (count <= 0) {
      throw new IllegalArgumentException(
          "A page holds at least one event (writer " + spec.writerId() + ")");
    }
  }

  private static PageMetadata draft(
      PageFormat format,
      Compression compression,
      PageSpec spec,
      long startTime,
      long endTime,
      int eventCount) {
    return new PageMetadata(
        spec.writerId(),
        spec.pageSequence(),
        startTime,
        endTime,
        eventCount,
        0,
        PageMetadata.FORMAT_VERSION_V1,
        Objects.requireNonNull(compression, "compression"),
        spec.tags(),
        format);
  }

  private EncodedPage encode(
      PageFormat format,
      Compression compression,
      CompressionLevel level,
      PageMetadata draft,
      OutputStream out,
      PageBody body)
      throws IOException {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(out, "out");
    int resolvedLevel = level.resolve(compression);
    CountingOutputStream stored = new CountingOutputStream(out);
    PageMetadata written;
    try (OutputStream compressed = compressing(compression, resolvedLevel, stored)) {
      written = body.write(draft, compressed);
    } // closing finishes the compressed frame; the shield keeps `out` open
    LOG.trace(
        "Encoded page {}#{}: {} events, {} bytes uncompressed, {} stored ({} {} level {})",
        draft.writerId(),
        draft.pageSequence(),
        draft.eventCount(),
        written.pageSizeBytes(),
        stored.count(),
        format,
        compression,
        resolvedLevel);
    return new EncodedPage(written, stored.count());
  }

  /**
   * The same bytes as {@link Compression#compress}; zstd on this encoder's reused native context.
   */
  private OutputStream compressing(Compression compression, int level, OutputStream out)
      throws IOException {
    if (compression != Compression.ZSTD) {
      return compression.compress(out, level);
    }
    if (zstd == null) {
      zstd = new ReusableZstdCompressor();
    }
    return zstd.open(out, level);
  }
}
