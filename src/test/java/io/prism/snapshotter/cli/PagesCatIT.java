package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import com.google.protobuf.ByteString;
import io.prism.snapshotter.proto.Event;
import io.prism.snapshotter.proto.EventPage;
import io.prism.snapshotter.proto.PageMetadata;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/snapshotter pages cat}, run as a user runs it, on pages written from the RFC's schema
 * alone (plain protobuf-java and Jackson, not the project's codec).
 */
class PagesCatIT {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  record Result(int exit, String stdout, String stderr) {}

  private Result cat(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bin/snapshotter", "pages", "cat"));
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("pages cat finished").isTrue();
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static byte[] rfcProtobufPage() {
    return EventPage.newBuilder()
        .setMetadata(
            PageMetadata.newBuilder()
                .setWriterId("user-123")
                .setPageSequence(42)
                .setStartTime(1696800000000L)
                .setEndTime(1696800000001L)
                .setEventCount(2)
                .setFormatVersion("v1")
                .setCompression("zstd")
                .putTags("region", "eu"))
        .addEvents(
            Event.newBuilder()
                .setEventId("evt-001")
                .setTimestamp(1696800000000L)
                .setPayload(ByteString.copyFrom(new byte[] {0, (byte) 0xff, 'a'}))
                .putAttributes("type", "user.login")
                .setSequence(0))
        .addEvents(
            Event.newBuilder()
                .setEventId("evt-002")
                .setTimestamp(1696800000001L)
                .setPayload(ByteString.copyFromUtf8("héllo"))
                .setSequence(1))
        .build()
        .toByteArray();
  }

  @Test
  void decodesAProtobufZstdPageWrittenFromTheRfcSchema() throws Exception {
    Path page = dir.resolve("1696800000000_42.pb.zst");
    Files.write(page, Zstd.compress(rfcProtobufPage()));
    Result result = cat(page.toString(), "--with-metadata");
    assertThat(result.exit()).as(result.stderr()).isZero();
    String[] lines = result.stdout().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(JSON.readTree(lines[0]).path("metadata").path("writer_id").asText())
        .isEqualTo("user-123");
    JsonNode first = JSON.readTree(lines[1]);
    assertThat(first.path("event_id").asText()).isEqualTo("evt-001");
    assertThat(Base64.getDecoder().decode(first.path("payload").asText()))
        .containsExactly(0, 0xff, 'a');
    assertThat(first.path("attributes").path("type").asText()).isEqualTo("user.login");
    assertThat(
            new String(
                Base64.getDecoder().decode(JSON.readTree(lines[2]).path("payload").asText()),
                StandardCharsets.UTF_8))
        .isEqualTo("héllo");
  }

  @Test
  void decodesAGzipNdjsonPageWrittenWithPlainJacksonFromAStoreKey() throws Exception {
    ByteArrayOutputStream ndjson = new ByteArrayOutputStream();
    ndjson.write(
        JSON.writeValueAsBytes(
            Map.of(
                "metadata",
                Map.of(
                    "writer_id",
                    "w",
                    "page_sequence",
                    0,
                    "start_time",
                    5,
                    "end_time",
                    5,
                    "event_count",
                    1,
                    "page_size_bytes",
                    0,
                    "format_version",
                    "v1",
                    "compression",
                    "gzip",
                    "tags",
                    Map.of()))));
    ndjson.write('\n');
    ndjson.write(
        JSON.writeValueAsBytes(
            Map.of(
                "event_id",
                "e1",
                "timestamp",
                5,
                "payload",
                Base64.getEncoder().encodeToString("hi".getBytes(StandardCharsets.UTF_8)),
                "attributes",
                Map.of(),
                "sequence",
                0)));
    ndjson.write('\n');
    Path store = Files.createDirectories(dir.resolve("store/pages"));
    try (GZIPOutputStream gzip =
        new GZIPOutputStream(Files.newOutputStream(store.resolve("w.ndjson.gz")))) {
      gzip.write(ndjson.toByteArray());
    }
    Path config = dir.resolve("store.properties");
    Files.writeString(
        config,
        "storage.backend=filesystem\nstorage.filesystem.path=" + dir.resolve("store") + "\n");
    Result result = cat("pages/w.ndjson.gz", "--config", config.toString());
    assertThat(result.exit()).as(result.stderr()).isZero();
    assertThat(JSON.readTree(result.stdout().trim()).path("event_id").asText()).isEqualTo("e1");
  }

  @Test
  void aCorruptPageExitsNonZeroSayingWhatIsWrong() throws Exception {
    byte[] page = rfcProtobufPage();
    Path truncated = dir.resolve("broken.pb");
    Files.write(truncated, java.util.Arrays.copyOf(page, page.length - 5));
    Result result = cat(truncated.toString());
    assertThat(result.exit()).isEqualTo(65);
    assertThat(result.stderr()).contains("broken.pb").containsIgnoringCase("protobuf");
  }

  @Test
  void aMissingPageExitsNonZero() throws Exception {
    Result result = cat(dir.resolve("nope.pb").toString());
    assertThat(result.exit()).isEqualTo(66);
    assertThat(result.stderr()).contains("no such file");
  }
}
