package io.prism.snapshotter.page;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes the RFC's NDJSON layout with Jackson's streaming generator: a {@code {"metadata":{...}}}
 * line, then one {@code {"event_id","timestamp","payload","attributes", "sequence"}} object per
 * line, every line ending in '\n'. Payloads are standard base64 with padding; strings are UTF-8
 * with JSON escapes (so a newline in a value never splits a line).
 *
 * <p><b>Page size.</b> A counting pass runs the same generator over the events into a byte counter,
 * writing every payload as {@code ""}; the real line is longer by exactly the base64 length of the
 * payload, {@code 4 * ceil(n / 3)}, which is added arithmetically. This keeps Jackson the only
 * authority on escaping while skipping the expensive part (base64) of the counting pass. The
 * metadata line, which contains the total, is rendered (it is small) until its length is a fixed
 * point.
 */
final class NdjsonPageWriter {

  /** Thread-safe, shared with {@link #lineLength}. */
  private static final JsonFactory JSON =
      new JsonFactoryBuilder()
          .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
          // Flushing the compressor would end a zstd block early and cost ratio.
          .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
          // Lines are separated by our own '\n', not Jackson's default root separator (a space).
          .rootValueSeparator((String) null)
          .build();

  PageMetadata write(PageMetadata draft, List<Event> events, OutputStream out) throws IOException {
    long eventBytes = eventLinesLength(events);
    long pageSize = eventBytes;
    byte[] metadataLine;
    PageMetadata metadata;
    while (true) {
      metadata = draft.withPageSizeBytes(pageSize);
      metadataLine = metadataLine(metadata);
      long total = metadataLine.length + eventBytes;
      if (total == pageSize) {
        break;
      }
      pageSize = total;
    }
    out.write(metadataLine);
    // Its own compressed block (zstd ends a block on flush): readMetadata needs only the head.
    out.flush();
    try (JsonGenerator gen = JSON.createGenerator(out)) {
      writeEvents(gen, events, true);
    }
    return metadata;
  }

  private long eventLinesLength(List<Event> events) throws IOException {
    CountingOutputStream counter = CountingOutputStream.toNowhere();
    long base64Bytes = 0;
    try (JsonGenerator gen = JSON.createGenerator(counter)) {
      writeEvents(gen, events, false);
      for (Event e : events) {
        base64Bytes += base64Length(e.payloadLength());
      }
    }
    return counter.count() + base64Bytes;
  }

  /**
   * The length of {@code event}'s line at position {@code sequence} of a page, without its '\n'
   * (what {@link LineReader} holds to its limit): the same generator as the page's, so the same
   * escapes.
   */
  static long lineLength(Event event, long sequence) {
    CountingOutputStream counter = CountingOutputStream.toNowhere();
    try (JsonGenerator gen = JSON.createGenerator(counter)) {
      NdjsonLines.writeEventLine(gen, event, sequence, false);
    } catch (IOException e) {
      throw new UncheckedIOException("counting into nowhere failed", e);
    }
    return counter.count() - 1 + base64Length(event.payloadLength());
  }

  static long base64Length(int bytes) {
    return 4L * ((bytes + 2L) / 3);
  }

  private static void writeEvents(JsonGenerator gen, List<Event> events, boolean withPayload)
      throws IOException {
    int n = events.size();
    for (int i = 0; i < n; i++) {
      NdjsonLines.writeEventLine(gen, events.get(i), i, withPayload);
    }
  }

  private byte[] metadataLine(PageMetadata m) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (JsonGenerator gen = JSON.createGenerator(bytes)) {
      NdjsonLines.writeMetadataLine(gen, m);
    }
    return bytes.toByteArray();
  }
}
