package io.prism.snapshotter.connect;

import java.util.Map;
import org.apache.kafka.connect.rest.ConnectRestExtension;
import org.apache.kafka.connect.rest.ConnectRestExtensionContext;

/**
 * Serves the snapshotter's health checks under the worker's own REST API:
 * {@code GET /prism/health/buffers}, {@code /prism/health/storage}, {@code /prism/health/index},
 * over every snapshotter task running in this worker. Enable it with the worker setting
 * {@code rest.extension.classes=io.prism.snapshotter.connect.HealthRestExtension}.
 */
public class HealthRestExtension implements ConnectRestExtension {
  @Override
  public void register(ConnectRestExtensionContext restPluginContext) {
    restPluginContext.configurable().register(new HealthResource());
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
