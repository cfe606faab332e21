package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.prism.snapshotter.testing.TcpGate;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The GCS store's connection pool. It keeps its connections for the next request when as many
 * threads store pages as the sink's upload threads (8 by default for GCS): bursts of uploads open
 * no new connection (to GCS, a TLS handshake each). With the client's default transport, which
 * keeps at most 5 idle connections per host, this run opened 34 connections for its 80 uploads. And
 * a request waits a bounded time for a connection, never forever.
 */
class GcsConnectionReuseTest {
  static final int THREADS = 8;
  static final int BURSTS = 10;

  @Test
  void burstsOfUploadsFromEightThreadsReuseTheirConnections() throws Exception {
    try (GcsJsonApiStub stub = GcsJsonApiStub.start("reuse");
        TcpGate gate = TcpGate.openInFrontOf(stub.endpoint().getAuthority());
        GcsObjectStore store =
            GcsObjectStore.open(
                stub.settings().withEndpoint(URI.create("http://" + gate.address())))) {
      ExecutorService threads = Executors.newFixedThreadPool(THREADS);
      CyclicBarrier burst = new CyclicBarrier(THREADS);
      byte[] page = new byte[64 * 1024];
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(
            threads.submit(
                () -> {
                  for (int b = 0; b < BURSTS; b++) {
                    burst.await();
                    store.put(
                        "pages/" + thread + "/" + b,
                        new ByteArrayInputStream(page),
                        page.length,
                        PutOptions.ifAbsent());
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      threads.shutdown();
      assertThat(gate.connectionsForwarded())
          .as("connections opened for %d uploads in %d bursts", THREADS * BURSTS, BURSTS)
          .isLessThanOrEqualTo(THREADS);
    }
  }

  @Test
  void aRequestWaitsForABusyPoolOnlySoLongThenFailsRetriablySayingWhy() throws Exception {
    try (GcsJsonApiStub stub = GcsJsonApiStub.start("busy");
        GcsObjectStore store = GcsObjectStore.open(stub.settings(), 1, Duration.ofMillis(500))) {
      byte[] page = new byte[8 * 1024 * 1024];
      store.put("pages/big", new ByteArrayInputStream(page), page.length, PutOptions.defaults());
      assertThat(store.concurrentRequests()).isEqualTo(1);

      try (InputStream open = store.get("pages/big")) {
        assertThat(open.read()).isZero(); // the stream now holds the pool's only connection
        long start = System.nanoTime();
        Throwable failure =
            assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> catchThrowable(() -> store.head("pages/big")),
                "a request waited for the busy pool without a time limit");
        assertThat(failure)
            .isInstanceOf(StorageException.class)
            .hasMessageContaining("pages/big")
            .hasMessageContaining("no connection of the store's pool came free");
        assertThat(((StorageException) failure).retriable()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .isGreaterThanOrEqualTo(Duration.ofMillis(500));
      }
      // Closed, the stream gave its connection back.
      assertThat(store.head("pages/big")).isPresent();
    }
  }
}
