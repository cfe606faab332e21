package io.prism.snapshotter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  /** A system that hands back the port it gave last time, as Linux can before anything binds. */
  static FreePorts repeating(Integer... ports) {
    ArrayDeque<Integer> answers = new ArrayDeque<>(List.of(ports));
    return new FreePorts(answers::removeFirst);
  }

  @Test
  void aPortTheSystemGivesTwiceIsHandedOutOnce() throws Exception {
    FreePorts ports = repeating(42995, 42995, 43001);
    assertThat(ports.pick(0)).isEqualTo(42995);
    assertThat(ports.pick(0)).as("the controller's, not the broker's again").isEqualTo(43001);
  }

  @Test
  void configuredPortsAreKeptAndNotHandedOutForZero() throws Exception {
    FreePorts ports = repeating(9092, 9093, 50000);
    assertThat(ports.pick(9092)).isEqualTo(9092);
    assertThat(ports.pick(9093)).isEqualTo(9093);
    assertThat(ports.pick(0)).isEqualTo(50000);
  }

  @Test
  void aSystemThatOnlyRepeatsIsAnErrorNotALoop() throws Exception {
    Integer[] same = new Integer[40];
    java.util.Arrays.fill(same, 42995);
    FreePorts ports = repeating(same);
    ports.pick(0);
    assertThatThrownBy(() -> ports.pick(0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("already chosen");
  }

  @Test
  void theSystemsFreePortsAreDistinct() throws Exception {
    FreePorts ports = new FreePorts();
    assertThat(List.of(ports.pick(0), ports.pick(0), ports.pick(0))).doesNotHaveDuplicates();
  }
}
