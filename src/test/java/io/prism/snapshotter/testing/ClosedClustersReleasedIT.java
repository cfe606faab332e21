package io.prism.snapshotter.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.frontdoor.InJvmKafka;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.Test;

/**
 * A closed in-JVM cluster leaves its broker and workers to the garbage collector, even while the
 * test still holds the closed fixture, as ITs do in static fields until the fork that runs them all
 * ends. Each stopped cluster kept on the heap was some 7 MB (its clients' buffers, its metrics),
 * and the ITs start dozens.
 */
class ClosedClustersReleasedIT {

  @Test
  void aClosedConnectClusterKeepsNeitherItsBrokerNorItsWorkers() throws Exception {
    ConnectTestCluster cluster = ConnectTestCluster.start(1);
    List<WeakReference<Object>> inside = brokersAndWorkers(cluster);
    assertThat(inside).hasSize(2);

    cluster.close();

    assertAllCollected(inside);
    Reference.reachabilityFence(cluster);
  }

  @Test
  void aClosedInJvmKafkaKeepsNoBroker() throws Exception {
    InJvmKafka kafka = InJvmKafka.start();
    List<WeakReference<Object>> inside = new ArrayList<>();
    kafka.brokers().forEach(broker -> inside.add(new WeakReference<>(broker)));
    assertThat(inside).hasSize(1);

    kafka.close();

    assertAllCollected(inside);
    Reference.reachabilityFence(kafka);
  }

  /** Weakly: the running broker and each worker (Kafka's {@code Connect} object). */
  private static List<WeakReference<Object>> brokersAndWorkers(ConnectTestCluster cluster)
      throws ReflectiveOperationException {
    List<WeakReference<Object>> inside = new ArrayList<>();
    cluster.connect().kafka().runningBrokers().forEach(b -> inside.add(new WeakReference<>(b)));
    var worker = WorkerHandle.class.getDeclaredField("worker");
    worker.setAccessible(true);
    for (WorkerHandle handle : cluster.connect().workers()) {
      inside.add(new WeakReference<>(worker.get(handle)));
    }
    return inside;
  }

  private static void assertAllCollected(List<WeakReference<Object>> references)
      throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (references.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(200);
    }
    assertThat(references.stream().map(Reference::get).filter(o -> o != null).toList())
        .as("objects of the closed cluster still reachable 30 s after its close")
        .isEmpty();
  }
}
