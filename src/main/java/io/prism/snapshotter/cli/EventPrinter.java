package io.prism.snapshotter.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.google.protobuf.ByteString;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.NdjsonLines;
import io.prism.snapshotter.replay.ReplayedEvent;
import java.io.IOException;
import java.io.OutputStream;

/** Writes replayed events in one {@link ReplayOutput} format. */
abstract class EventPrinter implements AutoCloseable {
  private static final JsonFactory JSON =
      new JsonFactoryBuilder()
          .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
          .rootValueSeparator((String) null)
          .build();

  abstract void print(ReplayedEvent e) throws IOException;

  @Override
  public abstract void close() throws IOException;

  static EventPrinter of(ReplayOutput format, OutputStream out) throws IOException {
    return switch (format) {
      case NDJSON -> new Ndjson(JSON.createGenerator(out));
      case RAW -> new Raw(out);
      case PROTOBUF_DELIMITED -> new Delimited(out);
    };
  }

  private static final class Ndjson extends EventPrinter {
    private final JsonGenerator gen;

    Ndjson(JsonGenerator gen) {
      this.gen = gen;
    }

    @Override
    void print(ReplayedEvent e) throws IOException {
      NdjsonLines.writeEventLine(gen, e.event(), e.sequence());
    }

    @Override
    public void close() throws IOException {
      gen.close();
    }
  }

  private static final class Raw extends EventPrinter {
    private final OutputStream out;

    Raw(OutputStream out) {
      this.out = out;
    }

    @Override
    void print(ReplayedEvent e) throws IOException {
      out.write(e.event().payload());
      out.write('\n');
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }

  private static final class Delimited extends EventPrinter {
    private final OutputStream out;

    Delimited(OutputStream out) {
      this.out = out;
    }

    @Override
    void print(ReplayedEvent e) throws IOException {
      Event event = e.event();
      io.prism.snapshotter.proto.Event.newBuilder()
          .setEventId(event.eventId())
          .setTimestamp(event.timestampMillis())
          .setPayload(ByteString.copyFrom(event.payload()))
          .putAllAttributes(event.attributes())
          .setSequence(e.sequence())
          .build()
          .writeDelimitedTo(out);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
