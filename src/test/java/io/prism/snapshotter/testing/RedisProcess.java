package io.prism.snapshotter.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * A {@code redis-server} of the test's own (the binary bin/test installs), on a free loopback port,
 * with its data in one directory and the append-only file fsynced on every write: stopped with
 * SIGTERM and started again on the same port and directory, it comes back with every write it
 * acknowledged. The shared Redis of bin/lib/services.sh has no persistence, so a restart would
 * empty it; outage tests use this one instead.
 */
public final class RedisProcess implements AutoCloseable {
  private final Path dir;
  private final int port;

  /** Arguments every start adds (a replica's {@code --replicaof}). */
  private final List<String> always;

  private Process process;

  private RedisProcess(Path dir, int port, List<String> always) {
    this.dir = dir;
    this.port = port;
    this.always = always;
  }

  /**
   * Starts a server keeping its data in {@code dir} (created if missing), and waits until it
   * answers.
   */
  public static RedisProcess startIn(Path dir) throws Exception {
    return startIn(dir, List.of());
  }

  /**
   * Starts a server in {@code dir} as a replica of {@code primary} ({@code --replicaof}; read-only,
   * Redis's default), and waits until it answers: its copy of the primary's data may still be on
   * its way. Without an append-only file: a replica rewrites it after its first sync, and one
   * stopped during that rewrite (a test's teardown) did not exit on SIGTERM (Redis 7.0.15).
   */
  public static RedisProcess startReplicaIn(Path dir, RedisProcess primary) throws Exception {
    return startIn(
        dir,
        List.of(
            "--replicaof", "127.0.0.1", Integer.toString(primary.port()), "--appendonly", "no"));
  }

  private static RedisProcess startIn(Path dir, List<String> always) throws Exception {
    Files.createDirectories(dir);
    RedisProcess redis = new RedisProcess(dir, freePort(), always);
    try {
      redis.start();
    } catch (Exception | Error e) {
      redis.stop(); // one that started but never answered is not left behind
      throw e;
    }
    return redis;
  }

  public URI url() {
    return URI.create("redis://127.0.0.1:" + port + "/0");
  }

  public int port() {
    return port;
  }

  /**
   * Starts the server (again) on the same port with the same directory, and waits until it answers.
   */
  public synchronized void start() throws Exception {
    launch(List.of());
    awaitReply("+PONG", "answer");
  }

  /**
   * Starts the server again, reading its data back {@code microsPerKey} µs per key (Redis's {@code
   * key-load-delay}, a debug setting), and returns while it still loads: until then it answers
   * every command with {@code -LOADING}, as a server reading a large append-only file does.
   */
  public synchronized void startLoadingSlowly(int microsPerKey) throws Exception {
    launch(List.of("--key-load-delay", Integer.toString(microsPerKey)));
    awaitReply("-LOADING", "answer LOADING");
  }

  private void launch(List<String> extra) {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is running already");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--dir",
                dir.toString(),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--logfile",
                dir.resolve("redis.log").toString(),
                // A replica's first sync starts at once, not after Redis's default 5 s wait for
                // more replicas.
                "--repl-diskless-sync-delay",
                "0"));
    command.addAll(always);
    command.addAll(extra);
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot run redis-server (bin/test installs it: Debian's redis-server): "
              + e.getMessage(),
          e);
    }
  }

  private void awaitReply(String prefix, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!pingReply().startsWith(prefix)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server on port "
                + port
                + " exited with "
                + process.exitValue()
                + "; its log: "
                + dir.resolve("redis.log"));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "redis-server on port "
                + port
                + " did not "
                + what
                + " within 30 s; its log: "
                + dir.resolve("redis.log"));
      }
      Thread.sleep(20);
    }
  }

  /**
   * SIGTERM (Redis fsyncs its append-only file and exits), then SIGKILL if it is still running
   * after 10 s, and waits until the process is gone. Does nothing when it is not running.
   */
  public synchronized void stop() throws Exception {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Waits until {@code replica} has everything written to this server so far: its replication
   * offset reaches this one's. Not Redis's WAIT, which waits only for the writes of its own
   * connection (a fresh connection has none, so it returns at once).
   */
  public void awaitReplicatedTo(RedisProcess replica) throws InterruptedException {
    long written = replicationOffset("master_repl_offset");
    Poll.until(
        "redis-server on port " + replica.port + " to have the writes of port " + port,
        Duration.ofSeconds(30),
        () -> replica.replicationOffset("slave_repl_offset") >= written);
  }

  /**
   * Waits until exactly {@code count} replicas are connected to this server and past their first
   * sync ({@code state=online} in {@code INFO replication}): they acknowledge writes from then on.
   */
  public void awaitOnlineReplicas(int count) throws InterruptedException {
    Poll.until(
        count + " replicas online at redis-server on port " + port,
        Duration.ofSeconds(30),
        () -> {
          try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            String info = jedis.info("replication");
            return info.contains("connected_slaves:" + count + "\r\n")
                && info.split("state=online", -1).length - 1 == count;
          }
        });
  }

  /** A number from the replication section of this server's {@code INFO}. */
  private long replicationOffset(String field) {
    try (Jedis jedis = new Jedis("127.0.0.1", port)) {
      return jedis
          .info("replication")
          .lines()
          .filter(line -> line.startsWith(field + ":"))
          .map(line -> Long.parseLong(line.substring(field.length() + 1).trim()))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no " + field + " in INFO of port " + port));
    }
  }

  /** Whether the server answers PING now (not -LOADING: it still reads its data back). */
  public boolean answers() {
    return pingReply().equals("+PONG");
  }

  /** Whether the server is up but still reading its data back. */
  public boolean loading() {
    return pingReply().startsWith("-LOADING");
  }

  /**
   * The first line of the reply to PING, or "" when none came (a raw RESP exchange: no client, no
   * pool).
   */
  private String pingReply() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      socket.setSoTimeout(1_000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String line = in.readLine();
      return line == null ? "" : line;
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws Exception {
    stop();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
