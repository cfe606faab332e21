package io.prism.snapshotter.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP relay that delivers every byte {@code delayMillis} after it arrived, in each
 * direction: a network's one-way latency in front of a server on this machine, without a bandwidth
 * limit (a chunk read is queued with its due time and written when that time comes, while later
 * chunks are read meanwhile). A request and its answer thus take at least two delays more.
 */
final class DelayLine implements AutoCloseable {
  private static final byte[] END = new byte[0];

  private final ServerSocket listener;
  private final String targetHost;
  private final int targetPort;
  private final long delayNanos;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private DelayLine(ServerSocket listener, String targetHost, int targetPort, long delayMillis) {
    this.listener = listener;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
  }

  /** Starts a relay on a free loopback port to {@code host:port}. */
  static DelayLine start(String host, int port, long delayMillis) throws IOException {
    DelayLine line =
        new DelayLine(
            new ServerSocket(0, 200, InetAddress.getLoopbackAddress()), host, port, delayMillis);
    Thread acceptor = new Thread(line::accept, "delay-line-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return line;
  }

  int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(targetHost, targetPort);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(server);
        relay(client, server);
        relay(server, client);
      } catch (IOException e) {
        if (!closed) {
          System.err.println("delay line: " + e);
        }
      }
    }
  }

  /** One direction: a reader queues each chunk with its due time, a writer delivers it then. */
  private void relay(Socket from, Socket to) {
    BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              byte[] buffer = new byte[64 * 1024];
              // Streams not closed here: closing one closes the socket, which the other direction
              // still uses; a socket is closed when a direction fails, or by close().
              try {
                InputStream in = from.getInputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  queue.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
                }
              } catch (IOException e) {
                // the connection ended
              }
              queue.add(new Chunk(System.nanoTime() + delayNanos, END));
            },
            "delay-line-read");
    Thread writer =
        new Thread(
            () -> {
              try {
                OutputStream out = to.getOutputStream();
                while (true) {
                  Chunk chunk = queue.take();
                  long wait = chunk.dueNanos - System.nanoTime();
                  if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                  }
                  if (chunk.bytes == END) {
                    to.shutdownOutput();
                    return;
                  }
                  out.write(chunk.bytes);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "delay-line-write");
    reader.setDaemon(true);
    writer.setDaemon(true);
    reader.start();
    writer.start();
  }

  private record Chunk(long dueNanos, byte[] bytes) {}

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    sockets.forEach(DelayLine::closeQuietly);
  }
}
