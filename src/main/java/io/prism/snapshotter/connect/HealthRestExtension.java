package io.prism.snapshotter.connect;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import org.apache.kafka.connect.rest.ConnectRestExtension;
import org.apache.kafka.connect.rest.ConnectRestExtensionContext;

/**
 * Serves the snapshotter's health checks under the worker's own REST API: {@code GET
 * /prism/health/buffers}, {@code /prism/health/storage}, {@code /prism/health/index}, over every
 * snapshotter task running in this worker, and each made unhealthy when a snapshotter connector of
 * the cluster lacks tasks it should run ({@link ConnectorTasksCheck}). Enable it with the worker
 * setting {@code rest.extension.classes=io.prism.snapshotter.connect.HealthRestExtension}.
 *
 * <p>Kafka 4.0 moved the REST API from javax.ws.rs to jakarta.ws.rs, and with it the type {@link
 * ConnectRestExtensionContext#configurable()} returns: compiled against 4.x, the call fails to link
 * on a 3.x worker, where the same method is found by name and given the javax resource.
 */
public class HealthRestExtension implements ConnectRestExtension {
  @Override
  public void register(ConnectRestExtensionContext restPluginContext) {
    ConnectorTasksCheck tasks = new ConnectorTasksCheck(restPluginContext.clusterState());
    try {
      restPluginContext.configurable().register(new HealthResource(tasks));
    } catch (NoSuchMethodError | NoClassDefFoundError javaxWorker) {
      registerOnJavaxWorker(restPluginContext, tasks);
    }
  }

  private static void registerOnJavaxWorker(
      ConnectRestExtensionContext context, ConnectorTasksCheck tasks) {
    Object configurable;
    try {
      configurable = ConnectRestExtensionContext.class.getMethod("configurable").invoke(context);
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException(
          "Cannot register the health checks: this worker's REST extension context has no "
              + "usable configurable() ("
              + e
              + ")",
          e);
    }
    ((javax.ws.rs.core.Configurable<?>) configurable).register(new JavaxHealthResource(tasks));
  }

  @Override
  public void configure(Map<String, ?> configs) {}

  @Override
  public String version() {
    return Version.current();
  }

  @Override
  public void close() {}
}
