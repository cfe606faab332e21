package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.connect.health.ConnectClusterState;
import org.apache.kafka.connect.health.ConnectorHealth;
import org.apache.kafka.connect.runtime.rest.ConnectRestConfigurable;
import org.apache.kafka.connect.runtime.rest.ConnectRestExtensionContextImpl;
import org.glassfish.jersey.internal.MapPropertiesDelegate;
import org.glassfish.jersey.server.ApplicationHandler;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.ContainerResponse;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The extension registered as a worker registers it ({@link ConnectRestConfigurable}, Connect's
 * own), in a real Jersey application as the worker's REST server builds it: it starts without a
 * word from Jersey, and answers.
 */
class HealthRestExtensionTest {
  /** Jersey logs through java.util.logging; this is its whole tree. */
  private final Logger jersey = Logger.getLogger("org.glassfish.jersey");

  private final List<LogRecord> warnings = new ArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            synchronized (warnings) {
              warnings.add(record);
            }
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureJerseyWarnings() {
    jersey.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    jersey.removeHandler(capture);
  }

  @Test
  void registersWithoutJerseyWarningThatItWillBeIgnoredAndAnswers() throws Exception {
    ResourceConfig resources = new ResourceConfig();
    resources.property(ServerProperties.WADL_FEATURE_DISABLE, true); // as the worker sets it
    HealthRestExtension extension = new HealthRestExtension();
    extension.configure(Map.of("listeners", "http://127.0.0.1:8083"));
    extension.register(
        new ConnectRestExtensionContextImpl(
            new ConnectRestConfigurable(resources), new NoConnectors()));

    ApplicationHandler application = new ApplicationHandler(resources);

    assertThat(warnings)
        .as("Jersey's warnings while the worker's REST application starts")
        .extracting(LogRecord::getMessage)
        .isEmpty();
    ContainerResponse response =
        application
            .apply(
                new ContainerRequest(
                    URI.create("http://127.0.0.1:8083/"),
                    URI.create("http://127.0.0.1:8083/prism/health/buffers"),
                    "GET",
                    (SecurityContext) null,
                    new MapPropertiesDelegate(),
                    application.getConfiguration()))
            .get();
    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getEntity().toString()).contains("\"status\":\"healthy\"");
  }

  /** A worker with no connector: nothing expected of any task. */
  private static final class NoConnectors implements ConnectClusterState {
    @Override
    public Collection<String> connectors() {
      return List.of();
    }

    @Override
    public ConnectorHealth connectorHealth(String connName) {
      throw new org.apache.kafka.connect.errors.NotFoundException(connName);
    }
  }
}
