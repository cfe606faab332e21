package io.prism.snapshotter.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.config.ConfigFile;
import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.replay.EventFilter;
import io.prism.snapshotter.replay.ReplayStream;
import io.prism.snapshotter.replay.Replayer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/snapshotter local} as a user runs it: a separate process with its data in a clean
 * directory. 10,000 events of 50 writers go in through {@code bin/snapshotter publish} (every fifth
 * writer one call per event, the others in a session) and come back out of replay, each writer's
 * exactly and in order. Then the stack is killed (SIGKILL) while events stream in, restarted on the
 * same data, and every acknowledged event is replayed exactly once.
 */
class LocalStackIT {
  private static final Path ROOT = Path.of(System.getProperty("user.dir"));
  private static final Path LAUNCHER = ROOT.resolve("bin/snapshotter");
  private static final Pattern FRONT_DOOR = Pattern.compile("front door\\s+(127\\.0\\.0\\.1:\\d+)");
  private static final Pattern METRICS =
      Pattern.compile("metrics\\s+(http://127\\.0\\.0\\.1:\\d+)/metrics");
  private static final Pattern ACK = Pattern.compile("\\S+-\\d+-\\d+ \\d+");
  private static final int WRITERS = 50;
  private static final int EVENTS_PER_WRITER = 200;

  @TempDir Path dir;

  private Process stack;
  private String metricsBase;
  private int starts;
  private final ExecutorService pool = Executors.newFixedThreadPool(6);

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    if (stack != null && stack.isAlive()) {
      stack.destroy(); // SIGTERM: the graceful stop
      if (!stack.waitFor(60, TimeUnit.SECONDS)) {
        stack.destroyForcibly();
      }
    }
  }

  @Test
  // A guard against a hang, not a speed limit: the run takes 130-200 s on 2 cores (publishing its
  // 10,000 events through the CLI alone 60-100 s), and 240 s was hit under load.
  @Timeout(value = 420, unit = TimeUnit.SECONDS)
  void everyEventComesBackOnceInOrderAcrossASigkill() throws Exception {
    long t0 = System.nanoTime();
    String target = startStack();
    log(t0, "started");

    // 1. 50 writers x 200 events; pages close at 100 events, sessions flush at their end.
    List<Future<List<String>>> publishes = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      String writer = String.format("writer-%02d", w);
      publishes.add(
          pool.submit(
              () ->
                  publish(
                      target,
                      writer,
                      payloads(writer, 0, EVENTS_PER_WRITER),
                      !writer.endsWith("0") && !writer.endsWith("5"),
                      0)));
    }
    for (Future<List<String>> p : publishes) {
      assertThat(p.get(120, TimeUnit.SECONDS))
          .allMatch(
              line ->
                  ACK.matcher(line).matches()
                      || line.startsWith("session: " + EVENTS_PER_WRITER + " events stored"));
    }
    log(t0, "published");
    Map<String, List<String>> expected = new HashMap<>();
    for (int w = 0; w < WRITERS; w++) {
      String writer = String.format("writer-%02d", w);
      expected.put(writer, payloads(writer, 0, EVENTS_PER_WRITER));
    }
    Map<String, List<String>> replayed =
        awaitReplay(
            expected.keySet(),
            r -> r.entrySet().stream().allMatch(e -> e.getValue().size() >= EVENTS_PER_WRITER));
    assertThat(replayed).isEqualTo(expected);
    log(t0, "replayed");
    // The stack's own /metrics counted every event it paged (10,000 of them), from the one task.
    assertThat(httpGet(metricsBase + "/metrics"))
        .containsPattern(
            "snapshotter_events_paged_total\\{connector=\"prism-snapshotter\",task=\"0\"} 10000(\\.0)?\\n");
    assertThat(httpGet(metricsBase + "/health/storage"))
        .contains("\"status\":\"healthy\"")
        // What the in-process worker expects of its connector, as under a worker's REST API.
        .contains("\"scope\":\"worker\"")
        .contains(
            "\"connectors\":[{\"name\":\"prism-snapshotter\",\"state\":\"RUNNING\","
                + "\"expected_tasks\":1,\"running_tasks\":1,\"tasks_on_this_worker\":1}]");
    assertThat(replayCommand("writer-07")).hasSize(EVENTS_PER_WRITER);
    log(t0, "replay command");
    // The effective settings may hold secrets: only their owner reads them.
    assertThat(Files.getPosixFilePermissions(dir.resolve("data/connector.properties")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    // 2. Kill the stack with SIGKILL while 10 writers stream 300 events each.
    List<Future<List<String>>> late = new ArrayList<>();
    List<String> lateWriters = new ArrayList<>();
    for (int w = 0; w < 10; w++) {
      String writer = "late-" + w;
      lateWriters.add(writer);
      late.add(pool.submit(() -> publish(target, writer, payloads(writer, 0, 300), false, 10)));
    }
    long killAt = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (answeredLines("publish-late-") < 300 && System.nanoTime() < killAt) {
      Thread.sleep(100);
    }
    stack.destroyForcibly();
    assertThat(stack.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Map<String, Set<String>> acknowledged = new HashMap<>();
    long acks = 0;
    for (int w = 0; w < lateWriters.size(); w++) {
      String writer = lateWriters.get(w);
      List<String> answers = late.get(w).get(120, TimeUnit.SECONDS);
      List<String> sent = payloads(writer, 0, 300);
      Set<String> acked = new HashSet<>();
      for (int i = 0; i < answers.size(); i++) {
        if (ACK.matcher(answers.get(i)).matches()) {
          acked.add(sent.get(i));
        }
      }
      acks += acked.size();
      acknowledged.put(writer, acked);
    }
    log(t0, "killed");
    assertThat(acks).as("the kill came mid-stream").isBetween(1L, 2999L);

    // 3. Restart on the same data: every acknowledged event is replayed, once, in publish order.
    startStack();
    log(t0, "restarted");
    Map<String, List<String>> after =
        awaitReplay(
            acknowledged.keySet(),
            r ->
                r.entrySet().stream()
                    .allMatch(e -> e.getValue().containsAll(acknowledged.get(e.getKey()))));
    for (String writer : lateWriters) {
      List<String> events = after.get(writer);
      assertThat(events).containsAll(acknowledged.get(writer)).doesNotHaveDuplicates();
      assertThat(events).isSubsetOf(payloads(writer, 0, 300));
      assertThat(events).isSortedAccordingTo((a, b) -> Integer.compare(index(a), index(b)));
    }
    // The first writers are intact after the kill too.
    assertThat(awaitReplay(expected.keySet(), r -> true)).isEqualTo(expected);
  }

  /**
   * What a first-time user sees: a start on a clean directory, a few events published (a session
   * and single calls, whose open page the stop then stores), a stop (SIGTERM), then the same again
   * on the same data. Nothing is printed on stderr: no warning to wonder about, such as Jersey's
   * that HealthResource "will be ignored", the embedded broker's about closing a NetworkClient
   * twice, or the sink's consumer's ERROR leaving its group when the broker stopped under the
   * stopping worker. Nor is anything gRPC or Jersey log through java.util.logging below the CLI's
   * levels: an HTTP/1 request to the front door's port (a curl to the wrong port, a load balancer's
   * HTTP check) made gRPC print "INFO: Transport failed" and a stack trace, past the CLI's log4j2
   * config, until Main routed JUL into it.
   */
  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void aNormalStartPublishAndStopPrintNothingOnStderr() throws Exception {
    for (int run = 1; run <= 2; run++) {
      String target = startStack();
      assertThat(publish(target, "session-" + run, List.of("hello", "world"), true, 0))
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .startsWith("session: 2 events stored");
      assertThat(publish(target, "single-" + run, List.of("a", "b", "c"), false, 0))
          .hasSize(3)
          .allMatch(line -> ACK.matcher(line).matches());
      http1RequestTo(target);
      stack.destroy(); // SIGTERM
      assertThat(stack.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(dir.resolve("local-" + starts + ".err")))
          .as("stderr of the local stack's start %d, publishing and stop", run)
          .isEmpty();
    }
  }

  /** A plain HTTP/1.1 GET to a gRPC port, which the server refuses (the connection closes). */
  private static void http1RequestTo(String target) throws IOException {
    String[] hostPort = target.split(":");
    try (java.net.Socket socket = new java.net.Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET / HTTP/1.1\r\nHost: " + target + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getInputStream().readAllBytes(); // until the server closes the connection
    }
  }

  private static void log(long t0, String what) {
    System.out.printf("LocalStackIT: %s after %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
  }

  private static int index(String payload) {
    return Integer.parseInt(payload.substring(payload.lastIndexOf('-') + 1));
  }

  private static List<String> payloads(String writer, int from, int count) {
    List<String> lines = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      lines.add(writer + "-" + i);
    }
    return lines;
  }

  private static String httpGet(String url) throws IOException, InterruptedException {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Starts {@code bin/snapshotter local} on free ports; returns the front door's address. */
  private String startStack() throws IOException, InterruptedException {
    int start = ++starts;
    Path out = dir.resolve("local-" + start + ".out");
    ProcessBuilder pb =
        new ProcessBuilder(
                LAUNCHER.toString(),
                "local",
                "--data",
                dir.resolve("data").toString(),
                "--set",
                "local.kafka.port=0",
                "--set",
                "local.controller.port=0",
                "--set",
                "local.connect.port=0",
                "--set",
                "frontdoor.listen=127.0.0.1:0",
                "--set",
                "http.listen=127.0.0.1:0",
                "--set",
                "buffer.max.events=100",
                "--set",
                "buffer.max.age.seconds=3")
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(dir.resolve("local-" + start + ".err").toFile());
    pb.environment().put("SNAPSHOTTER_SKIP_BUILD", "1");
    stack = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = FRONT_DOOR.matcher(Files.readString(out));
      Matcher metrics = METRICS.matcher(Files.readString(out));
      if (m.find() && metrics.find()) {
        metricsBase = metrics.group(1);
        return m.group(1);
      }
      assertThat(stack.isAlive())
          .as("local stack exited: %s", Files.readString(dir.resolve("local-" + start + ".err")))
          .isTrue();
      Thread.sleep(200);
    }
    throw new AssertionError("local stack did not start within 90 s");
  }

  /**
   * Runs {@code bin/snapshotter publish}; returns its output lines (one answer per event without a
   * session).
   */
  private List<String> publish(
      String target, String writer, List<String> lines, boolean session, long pauseMillis)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                LAUNCHER.toString(),
                "publish",
                "--writer",
                writer,
                "--target",
                target,
                "--deadline-ms",
                "10000"));
    if (session) {
      command.add("--session");
    }
    Path out = dir.resolve("publish-" + writer + ".out");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("SNAPSHOTTER_SKIP_BUILD", "1");
    pb.environment().put("SNAPSHOTTER_JAVA_OPTS", "-Xmx64m -XX:TieredStopAtLevel=1");
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      if (pauseMillis == 0) {
        in.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
      } else {
        for (String line : lines) { // a steady stream, so a kill lands in the middle of it
          in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
          in.flush();
          Thread.sleep(pauseMillis);
        }
      }
    } catch (IOException closedEarly) {
      // The client gave up (the stack was killed): its output says what was stored.
    }
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return Files.readAllLines(out);
  }

  /**
   * Lines the publish commands whose output file starts with {@code prefix} have printed so far.
   */
  private long answeredLines(String prefix) throws IOException {
    long n = 0;
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
        n += Files.readAllLines(f).size();
      }
    }
    return n;
  }

  /** Runs {@code bin/snapshotter replay} for one writer; returns its NDJSON lines. */
  private List<String> replayCommand(String writer) throws IOException, InterruptedException {
    Path out = dir.resolve("replay-" + writer + ".ndjson");
    ProcessBuilder pb =
        new ProcessBuilder(
                LAUNCHER.toString(),
                "replay",
                "--writer",
                writer,
                "--config",
                dir.resolve("data/connector.properties").toString())
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("SNAPSHOTTER_SKIP_BUILD", "1");
    pb.environment().put("SNAPSHOTTER_JAVA_OPTS", "-Xmx128m");
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return Files.readAllLines(out);
  }

  /**
   * Replays the writers (payloads as text) until {@code done} holds or 60 s pass; returns the last
   * replay.
   */
  private Map<String, List<String>> awaitReplay(
      Set<String> writers, java.util.function.Predicate<Map<String, List<String>>> done)
      throws InterruptedException {
    SnapshotterConfig config =
        new SnapshotterConfig(ConfigFile.load(dir.resolve("data/connector.properties")));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Map<String, List<String>> replayed = new HashMap<>();
      try (Replayer replayer = Replayer.open(config)) {
        for (String writer : writers) {
          List<String> payloads = new ArrayList<>();
          try (ReplayStream events = replayer.replay(writer, EventFilter.ALL)) {
            while (events.hasNext()) {
              payloads.add(new String(events.next().event().payload(), StandardCharsets.UTF_8));
            }
          }
          replayed.put(writer, payloads);
        }
      }
      if (done.test(replayed) || System.nanoTime() > deadline) {
        return replayed;
      }
      Thread.sleep(1000);
    }
  }
}
