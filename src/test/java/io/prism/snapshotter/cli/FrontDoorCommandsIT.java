package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.frontdoor.FrontDoorConfig;
import io.prism.snapshotter.frontdoor.FrontDoorServer;
import io.prism.snapshotter.frontdoor.InJvmKafka;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code publish} and {@code frontdoor} commands, run as picocli runs them. */
class FrontDoorCommandsIT {
  private static InJvmKafka kafka;
  private static String topic;
  private static FrontDoorServer server;

  @BeforeAll
  static void start() throws Exception {
    kafka = InJvmKafka.start();
    topic = kafka.createTopic(1);
    server =
        FrontDoorServer.start(
            new FrontDoorConfig(
                Map.of(
                    "bootstrap.servers",
                    kafka.bootstrapServers(),
                    FrontDoorConfig.TOPIC,
                    topic,
                    FrontDoorConfig.LISTEN,
                    "127.0.0.1:0")));
    assertThat(server.awaitServing(Duration.ofSeconds(30))).as("Kafka answered").isTrue();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      server.close();
      kafka.close();
    } finally {
      server = null; // this class stays loaded for every IT after it (one fork): let them go
      kafka = null;
    }
  }

  @Test
  void publishSendsEachLineAndPrintsTheAnswers() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        publish(
            "one\ntwo\n",
            out,
            "--writer",
            "cli-writer",
            "--attr",
            "source=cli",
            "--target",
            "127.0.0.1:" + server.port());

    assertThat(exit).isZero();
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(2).allMatch(line -> line.matches(topic + "-0-\\d+ \\d+"));
    List<ConsumerRecord<String, byte[]>> records =
        kafka.read(topic, 2).stream().filter(r -> r.key().equals("cli-writer")).toList();
    assertThat(records)
        .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
        .containsExactly("one", "two");
    assertThat(
            new String(
                records.get(0).headers().lastHeader("source").value(), StandardCharsets.UTF_8))
        .isEqualTo("cli");
  }

  @Test
  void publishWithSessionPrintsTheSummary() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        publish(
            "a\nb\nc\n",
            out,
            "--writer",
            "cli-session",
            "--session",
            "--target",
            "127.0.0.1:" + server.port());

    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("session: 3 events stored, last " + topic + "-0-")
        .contains(", session end " + topic + "-0-");
  }

  @Test
  void publishPrintsARefusalAndExitsWithOne() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        publish(
            "x\n",
            out,
            "--writer",
            "w",
            "--attr",
            "prism.session=end",
            "--target",
            "127.0.0.1:" + server.port());

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith(
            "INVALID_ARGUMENT: attributes[\"prism.session\"]: names starting with \"prism.\" are reserved");
  }

  @Test
  void publishToAnAddressWhereNothingListensNamesItAndTheReason() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = publish("x\ny\n", out, "--writer", "w", "--target", "127.0.0.1:" + closedPort);

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8).lines().toList())
        .hasSize(2)
        .allSatisfy(
            line ->
                assertThat(line)
                    .startsWith("UNAVAILABLE: front door at 127.0.0.1:" + closedPort + ": ")
                    .containsIgnoringCase("connection refused")
                    .endsWith(
                        "; nothing listens there: is a front door running (bin/snapshotter"
                            + " frontdoor, or local), and is --target its frontdoor.listen?"));

    ByteArrayOutputStream sessionOut = new ByteArrayOutputStream();
    assertThat(
            publish(
                "x\n",
                sessionOut,
                "--writer",
                "w",
                "--session",
                "--target",
                "127.0.0.1:" + closedPort))
        .isEqualTo(1);
    assertThat(sessionOut.toString(StandardCharsets.UTF_8))
        .startsWith("UNAVAILABLE: front door at 127.0.0.1:" + closedPort + ": ")
        .containsIgnoringCase("connection refused");
  }

  @Test
  void frontdoorRefusesAMissingOrIncompleteConfig(@TempDir Path directory) throws Exception {
    assertThat(
            new CommandLine(new FrontdoorCommand())
                .execute("--config", directory.resolve("absent").toString()))
        .isEqualTo(FrontdoorCommand.EXIT_CONFIG);
    Path noTopic =
        Files.writeString(
            directory.resolve("frontdoor.properties"), "bootstrap.servers=127.0.0.1:1\n");
    assertThat(new CommandLine(new FrontdoorCommand()).execute("--config", noTopic.toString()))
        .isEqualTo(FrontdoorCommand.EXIT_CONFIG);
  }

  /**
   * The command as a user runs it ({@code bin/snapshotter frontdoor}): it says where it listens
   * once both ports are open (the CLI logs warnings only), answers there, and SIGTERM ends it.
   */
  @Test
  void frontdoorSaysWhereItListensAndStopsOnSigterm(@TempDir Path directory) throws Exception {
    Path config =
        Files.writeString(
            directory.resolve("frontdoor.properties"),
            "bootstrap.servers="
                + kafka.bootstrapServers()
                + "\nfrontdoor.topic="
                + topic
                + "\nfrontdoor.listen=127.0.0.1:0\nhttp.listen=127.0.0.1:0\n");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of("bin/snapshotter").toAbsolutePath().toString(),
                "frontdoor",
                "--config",
                config.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("SNAPSHOTTER_SKIP_BUILD", "1");
    builder.environment().put("SNAPSHOTTER_JAVA_OPTS", "-Xmx128m");
    Process process = builder.start();
    try {
      // Read on another thread: without the line, a blocking read would wait for ever.
      CompletableFuture<Matcher> listeningLine =
          CompletableFuture.supplyAsync(() -> awaitLine(process, LISTENING));
      Matcher listening = listeningLine.get(60, TimeUnit.SECONDS);
      assertThat(listening).as("a 'frontdoor: listening on' line on stderr").isNotNull();
      assertThat(listening.group(2)).isEqualTo(topic);
      // Both ports it names answer: the health endpoint, and gRPC (publish through it).
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + listening.group(3) + "/health/frontdoor"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(health.body()).contains("\"status\"");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(
              publish(
                  "via-the-command\n",
                  out,
                  "--writer",
                  "w-cmd",
                  "--target",
                  "127.0.0.1:" + listening.group(1)))
          .as(out.toString(StandardCharsets.UTF_8))
          .isZero();

      process.destroy(); // SIGTERM
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
    } finally {
      process.destroyForcibly();
    }
  }

  /** The first line of the process's stderr that matches, or null at its end. */
  private static Matcher awaitLine(Process process, Pattern pattern) {
    try (BufferedReader stderr =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line = stderr.readLine(); line != null; line = stderr.readLine()) {
        Matcher m = pattern.matcher(line);
        if (m.matches()) {
          return m;
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final Pattern LISTENING =
      Pattern.compile(
          "frontdoor: listening on 127\\.0\\.0\\.1:(\\d+) \\(gRPC, plaintext, topic (\\S+)\\),"
              + " metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics and health on /health/frontdoor;"
              + " Ctrl-C or SIGTERM stops it");

  private static int publish(String stdin, ByteArrayOutputStream out, String... arguments) {
    PublishCommand command =
        new PublishCommand(
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
    return new CommandLine(command).execute(arguments);
  }
}
