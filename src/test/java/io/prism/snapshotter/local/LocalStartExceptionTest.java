package io.prism.snapshotter.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class LocalStartExceptionTest {
  @Test
  void theReasonIsTheInnermostCausesWordsWithoutClassNames() {
    Exception wrapped =
        new ExecutionException(
            new KafkaException(
                "Socket server failed to bind to 127.0.0.1:9092: Address already in use.",
                new BindException("Address already in use")));

    LocalStartException e =
        LocalStartException.of(
            "the Kafka broker did not start on 127.0.0.1:9092", wrapped, "stop it");

    assertThat(e.getMessage())
        .isEqualTo(
            "the Kafka broker did not start on 127.0.0.1:9092: Address already in use; stop it");
    assertThat(e.badConfig()).isFalse();
  }

  @Test
  void aFileSystemFailureSaysWhatKindAndWhichFile() {
    assertThat(LocalStartException.reason(new AccessDeniedException("/srv/data")))
        .isEqualTo("permission denied: /srv/data");
  }

  @Test
  void aRefusedSettingAnywhereInTheCausesIsABadConfig() {
    Exception wrapped = new ExecutionException(new ConfigException("frontdoor.listen", "x", "no"));

    assertThat(LocalStartException.of("the front door", wrapped, null).badConfig()).isTrue();
  }
}
