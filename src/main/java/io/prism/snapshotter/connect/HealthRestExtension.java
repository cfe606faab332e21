package io.prism.snapshotter.connect;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import org.apache.kafka.connect.rest.ConnectRestExtension;
import org.apache.kafka.connect.rest.ConnectRestExtensionContext;

/**
 * Serves the snapshotter's health checks under the worker's own REST API: {@code GET
 * /prism/health/buffers}, {@code /prism/health/storage}, {@code /prism/health/index}, over every
 * snapshotter task running in this worker, and each made unhealthy when a task of a snapshotter
 * connector on this worker failed or is missing ({@link ConnectorTasksCheck}); with {@code
 * ?scope=cluster}, when one did anywhere in the cluster. Enable it with the worker setting {@code
 * rest.extension.classes=io.prism.snapshotter.connect.HealthRestExtension}.
 *
 * <p>The resource is registered as a class, its {@link TasksHealth} handed over as a property of
 * the worker's REST configuration ({@link #TASKS_PROPERTY}), not as an instance: Jersey checks a
 * registered instance as if it were a provider (a filter, a body reader...), and a resource
 * instance, which implements no provider interface, gets a WARNING at every worker start saying it
 * "will be ignored" (it is not: Jersey then binds it as a resource all the same). Connect registers
 * its own resources as classes for the same reason (KAFKA-16093). Each worker has its own
 * configuration, so workers sharing a JVM keep their own tasks.
 *
 * <p>Kafka 4.0 moved the REST API from javax.ws.rs to jakarta.ws.rs, and with it the type {@link
 * ConnectRestExtensionContext#configurable()} returns: compiled against 4.x, the call fails to link
 * on a 3.x worker, where the same method is found by name and given the javax resource.
 */
public class HealthRestExtension implements ConnectRestExtension {
  /** The REST configuration's property holding this worker's {@link TasksHealth}. */
  static final String TASKS_PROPERTY = TasksHealth.class.getName();

  /** Set by {@link #configure}, which Connect calls before {@link #register}. */
  private volatile OwnWorkerId self = OwnWorkerId.unknown();

  @Override
  public void register(ConnectRestExtensionContext restPluginContext) {
    TasksHealth tasks =
        new TasksHealth(new ConnectorTasksCheck(restPluginContext.clusterState()), self);
    try {
      restPluginContext.configurable().property(TASKS_PROPERTY, tasks);
      restPluginContext.configurable().register(HealthResource.class);
    } catch (NoSuchMethodError | NoClassDefFoundError javaxWorker) {
      registerOnJavaxWorker(restPluginContext, tasks);
    }
  }

  private static void registerOnJavaxWorker(
      ConnectRestExtensionContext context, TasksHealth tasks) {
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
    javax.ws.rs.core.Configurable<?> javaxConfigurable =
        (javax.ws.rs.core.Configurable<?>) configurable;
    javaxConfigurable.property(TASKS_PROPERTY, tasks);
    javaxConfigurable.register(JavaxHealthResource.class);
  }

  @Override
  public void configure(Map<String, ?> configs) {
    // The worker's config: how Connect names this worker in task states (host:port).
    self = OwnWorkerId.fromWorkerConfig(configs);
  }

  @Override
  public String version() {
    return Version.current();
  }

  @Override
  public void close() {}
}
