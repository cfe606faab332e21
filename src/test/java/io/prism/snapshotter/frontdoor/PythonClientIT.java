package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client in another language publishes using {@code proto/} alone: Debian's protoc and
 * grpc_python_plugin generate Python stubs from pubsub_basic.proto, and Debian's python3-grpcio
 * runs them against the front door (packages: python3-grpcio, python3-protobuf, protobuf-compiler,
 * protobuf-compiler-grpc).
 */
class PythonClientIT {
  @TempDir Path directory;

  @Test
  void aPythonClientGeneratedFromTheProtoPublishesThroughTheFrontDoor() throws Exception {
    Path generated = Files.createDirectories(directory.resolve("generated"));
    run(
        List.of(
            "protoc",
            "-I",
            Path.of("proto").toAbsolutePath().toString(),
            "--python_out=" + generated,
            "--grpc_python_out=" + generated,
            "--plugin=protoc-gen-grpc_python=" + Path.of("/usr/bin/grpc_python_plugin"),
            "prism/interfaces/pubsub_basic.proto"));
    Path script = directory.resolve("pubsub_client.py");
    try (InputStream in = getClass().getResourceAsStream("/interop/pubsub_client.py")) {
      Files.copy(in, script);
    }

    try (InJvmKafka kafka = InJvmKafka.start()) {
      String topic = kafka.createTopic(2);
      try (FrontDoorServer server = FrontDoorFixture.start(FrontDoorFixture.config(kafka, topic))) {
        String output =
            run(
                List.of(
                    python(),
                    script.toString(),
                    generated.toString(),
                    "127.0.0.1:" + server.port()));
        JsonNode answers = new ObjectMapper().readTree(output);

        assertThat(answers.path("publish").path("message_id").asText()).startsWith(topic + "-");
        assertThat(answers.path("batch")).hasSize(3);
        assertThat(answers.path("session").path("event_count").asLong()).isEqualTo(2);
        assertThat(answers.path("invalid").asText())
            .isEqualTo("INVALID_ARGUMENT topic: the writer id is empty");

        List<ConsumerRecord<String, byte[]>> records = kafka.read(topic, 7);
        assertThat(records).hasSize(7);
        Map<String, ConsumerRecord<String, byte[]>> byCoordinates = new java.util.HashMap<>();
        records.forEach(r -> byCoordinates.put(FrontDoorFixture.coordinates(r), r));
        ConsumerRecord<String, byte[]> single =
            byCoordinates.get(answers.path("publish").path("message_id").asText());
        assertThat(single.key()).isEqualTo("py-writer");
        assertThat(FrontDoorFixture.value(single)).isEqualTo("from python");
        assertThat(FrontDoorFixture.header(single, "lang")).isEqualTo("python");
        ConsumerRecord<String, byte[]> end =
            byCoordinates.get(answers.path("session").path("session_end").asText());
        assertThat(end.key()).isEqualTo("py-session");
        assertThat(FrontDoorFixture.header(end, FrontDoorHeaders.SESSION))
            .isEqualTo(FrontDoorHeaders.SESSION_END);
      }
    }
  }

  /**
   * Debian's python3 (where python3-grpcio lives), even when another python3 comes first on PATH.
   */
  private static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(false).start();
    byte[] stdout = process.getInputStream().readAllBytes();
    byte[] stderr = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue())
        .as("%s failed:\n%s", command, new String(stderr, StandardCharsets.UTF_8))
        .isZero();
    return new String(stdout, StandardCharsets.UTF_8);
  }
}
