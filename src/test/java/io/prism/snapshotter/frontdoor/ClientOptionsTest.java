package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What `bin/snapshotter publish` refuses before it sends anything. */
class ClientOptionsTest {
  @Test
  void anEventIdForEveryLineIsRefused() {
    // Each stdin line is an event; one id for all of them and replay would keep the first only.
    assertThatThrownBy(
            () ->
                new ClientOptions(
                    "127.0.0.1:50051",
                    "w",
                    Map.of("prism.event_id", "same-for-all"),
                    false,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Duration.ofSeconds(30)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prism.event_id")
        .hasMessageContaining("replay keeps only the first");
  }
}
