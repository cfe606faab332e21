package io.prism.snapshotter.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
  private Process process;

  private RedisProcess(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Starts a server keeping its data in {@code dir} (created if missing), and waits until it answers. */
  public static RedisProcess startIn(Path dir) throws Exception {
    Files.createDirectories(dir);
    RedisProcess redis = new RedisProcess(dir, freePort());
    redis.start();
    return redis;
  }

  public URI url() {
    return URI.create("redis://127.0.0.1:" + port + "/0");
  }

  /** Starts the server (again) on the same port with the same directory, and waits until it answers. */
  public synchronized void start() throws Exception {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is running already");
    }
    List<String> command = List.of("redis-server", "--bind", "127.0.0.1", "--port", Integer.toString(port),
        "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", "",
        "--logfile", dir.resolve("redis.log").toString());
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot run redis-server (bin/test installs it: Debian's redis-server): "
          + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!answers()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " exited with " + process.exitValue()
            + "; its log: " + dir.resolve("redis.log"));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("redis-server on port " + port + " did not answer within 30 s; its log: "
            + dir.resolve("redis.log"));
      }
      Thread.sleep(50);
    }
  }

  /**
   * SIGTERM (Redis fsyncs its append-only file and exits), then SIGKILL if it is still running after
   * 10 s, and waits until the process is gone. Does nothing when it is not running.
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

  /** Whether the server answers PING now (a raw RESP exchange: no client library and no pool to reset). */
  public boolean answers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      socket.setSoTimeout(1_000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(7);
      // While it loads its append-only file Redis answers -LOADING: not ready yet.
      return "+PONG\r\n".equals(new String(reply, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      return false;
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
