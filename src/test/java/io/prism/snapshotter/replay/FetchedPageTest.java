package io.prism.snapshotter.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Which pages replay decodes whole on a fetch thread and which it streams: the decision is about
 * the heap the decoded page takes, so a page stored small but decoding large (compressible
 * payloads, a merged page of up to 128 MiB in a few MiB, a decompression bomb) is streamed.
 */
class FetchedPageTest {
  private static final int EVENT_BYTES = 16 * 1024;
  private static final int EVENTS = 20;

  /** Decoded pages up to 64 KiB are held whole; the pages here decode to 320 KiB. */
  private static final ReplaySettings SETTINGS = new ReplaySettings(1, 2, 64 * 1024, 1000);

  private final PageReader reader = new PageReader();

  @Test
  void aSmallPageIsDecodedWhole() {
    byte[] page = protobufPage(EVENTS, 100);
    PageRef ref = ref("w/page.pb.zst", page.length);

    FetchedPage fetched =
        FetchedPage.fetch(ref, r -> new ByteArrayInputStream(page), reader, SETTINGS);

    assertThat(fetched).isInstanceOf(FetchedPage.Decoded.class);
    assertThat(drain(fetched)).hasSize(EVENTS);
  }

  @Test
  void aPageStoredSmallButDecodingLargeIsStreamed() {
    byte[] page = protobufPage(EVENTS, EVENT_BYTES);
    assertThat((long) page.length).as("stored size").isLessThan(SETTINGS.maxInMemoryPageBytes());
    PageRef ref = ref("w/page.pb.zst", page.length);

    FetchedPage fetched =
        FetchedPage.fetch(ref, r -> new ByteArrayInputStream(page), reader, SETTINGS);

    assertThat(fetched).isInstanceOf(FetchedPage.Streamed.class);
    List<Event> events = drain(fetched);
    assertThat(events).hasSize(EVENTS);
    assertThat(events.get(EVENTS - 1).payloadLength()).isEqualTo(EVENT_BYTES);
  }

  @Test
  void aPageWhoseMetadataUnderstatesItsSizeIsStreamedOnceItDecodesLarge() throws Exception {
    // Other writers' pages need not state page_size_bytes exactly (PageInteropTest): the bytes
    // decoded decide, not only the metadata.
    byte[] page = ndjsonPageClaimingOneByte(EVENTS, EVENT_BYTES);
    assertThat((long) page.length).as("stored size").isLessThan(SETTINGS.maxInMemoryPageBytes());
    PageRef ref = ref("w/page.ndjson.gz", page.length);

    FetchedPage fetched =
        FetchedPage.fetch(ref, r -> new ByteArrayInputStream(page), reader, SETTINGS);

    assertThat(fetched).isInstanceOf(FetchedPage.Streamed.class);
    assertThat(drain(fetched)).hasSize(EVENTS);
  }

  @Test
  void aPageOfUnknownStoredSizeThatIsLargeIsStreamed() {
    byte[] page =
        Pages.encode(
            "w",
            0,
            Pages.kafkaTags(0, 0, EVENTS - 1),
            randomEvents(EVENTS, EVENT_BYTES),
            PageFormat.PROTOBUF,
            Compression.NONE);
    assertThat((long) page.length).isGreaterThan(SETTINGS.maxInMemoryPageBytes());
    PageRef ref = ref("w/page.pb", -1);

    FetchedPage fetched =
        FetchedPage.fetch(ref, r -> new ByteArrayInputStream(page), reader, SETTINGS);

    assertThat(fetched).isInstanceOf(FetchedPage.Streamed.class);
    assertThat(drain(fetched)).hasSize(EVENTS);
  }

  @Test
  void aPageOfManyTinyAttributesCountsTheHeapTheyTakeNotTheirBytes() {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      Map<String, String> attributes = new LinkedHashMap<>();
      for (int a = 0; a < 300; a++) {
        attributes.put(Integer.toString(a), "");
      }
      events.add(Event.wrap("events-0-" + i, i, new byte[0], attributes));
    }
    byte[] page =
        Pages.encode(
            "w",
            0,
            Pages.kafkaTags(0, 0, EVENTS - 1),
            events,
            PageFormat.PROTOBUF,
            Compression.NONE);
    assertThat((long) page.length)
        .as("stored and decoded size")
        .isLessThan(SETTINGS.maxInMemoryPageBytes());

    FetchedPage fetched =
        FetchedPage.fetch(
            ref("w/page.pb", page.length), r -> new ByteArrayInputStream(page), reader, SETTINGS);

    assertThat(fetched).isInstanceOf(FetchedPage.Streamed.class);
    assertThat(drain(fetched)).hasSize(EVENTS);
  }

  private static List<Event> randomEvents(int count, int payloadBytes) {
    Random random = new Random(7);
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] payload = new byte[payloadBytes];
      random.nextBytes(payload);
      events.add(Event.wrap("events-0-" + i, i, payload, Map.of()));
    }
    return events;
  }

  private static List<Event> drain(FetchedPage page) {
    List<Event> events = new ArrayList<>();
    try (page) {
      page.open();
      while (page.hasNext()) {
        events.add(page.next());
      }
    }
    return events;
  }

  private static PageRef ref(String key, long storedSize) {
    return new PageRef(
        key, "w", 0, 0, EVENTS - 1, storedSize, new KafkaSpan("events", 0, 0, EVENTS - 1));
  }

  private static byte[] protobufPage(int count, int payloadBytes) {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(Event.wrap("events-0-" + i, i, new byte[payloadBytes], Map.of()));
    }
    return Pages.encode(
        "w", 0, Pages.kafkaTags(0, 0, count - 1), events, PageFormat.PROTOBUF, Compression.ZSTD);
  }

  private static byte[] ndjsonPageClaimingOneByte(int count, int payloadBytes) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("writer_id", "w");
    metadata.put("page_sequence", 0);
    metadata.put("start_time", 0);
    metadata.put("end_time", count - 1);
    metadata.put("event_count", count);
    metadata.put("page_size_bytes", 1);
    metadata.put("format_version", "v1");
    metadata.put("compression", "gzip");
    metadata.put("tags", Pages.kafkaTags(0, 0, count - 1));
    StringBuilder text = new StringBuilder();
    text.append(mapper.writeValueAsString(Map.of("metadata", metadata))).append('\n');
    String payload = Base64.getEncoder().encodeToString(new byte[payloadBytes]);
    for (int i = 0; i < count; i++) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("event_id", "events-0-" + i);
      line.put("timestamp", i);
      line.put("payload", payload);
      line.put("sequence", i);
      text.append(mapper.writeValueAsString(line)).append('\n');
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
