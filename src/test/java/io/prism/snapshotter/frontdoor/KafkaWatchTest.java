package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/**
 * When the front door counts Kafka as gone after the start, on a fake clock and a fake check: only
 * after {@code silentAfter} without an acknowledgement or an answered check, back at the first of
 * either, and without asking Kafka anything while records are acknowledged.
 */
class KafkaWatchTest {
  private static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final Duration SILENT_AFTER = Duration.ofSeconds(15);

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AtomicInteger asked = new AtomicInteger();
  private final AtomicReference<KafkaCheck.Answer> answer =
      new AtomicReference<>(KafkaCheck.Answer.writable());
  private final AtomicBoolean active = new AtomicBoolean(true);

  /** What the listener heard: "silent: reason" or "answering". */
  private final List<String> heard = new ArrayList<>();

  private final KafkaCheck check =
      timeout -> {
        asked.incrementAndGet();
        return answer.get();
      };

  private KafkaWatch watch(Duration silentAfter) {
    return watch(INTERVAL, silentAfter);
  }

  private KafkaWatch watch(Duration interval, Duration silentAfter) {
    return new KafkaWatch(
        check,
        interval,
        silentAfter,
        "kafka:9092",
        active::get,
        new KafkaWatch.Listener() {
          @Override
          public void silent(String reason) {
            heard.add("silent: " + reason);
          }

          @Override
          public void answering() {
            heard.add("answering");
          }
        },
        nanos::get);
  }

  /** One tick, {@code INTERVAL} after the last. */
  private void tickLater(KafkaWatch watch) {
    nanos.addAndGet(INTERVAL.toNanos());
    watch.tick();
  }

  private String last() {
    return heard.get(heard.size() - 1);
  }

  @Test
  void silentOnlyAfterTheConfiguredTimeWithoutAnAnswerAndAnsweringAtTheFirstCheckAnswered() {
    KafkaWatch watch = watch(SILENT_AFTER);
    tickLater(watch); // answered at 5 s
    assertThat(last()).isEqualTo("answering");
    answer.set(KafkaCheck.Answer.of(new TimeoutException("Timed out waiting for a node")));
    tickLater(watch); // 5 s without an answer
    tickLater(watch); // 10 s
    assertThat(heard).noneMatch(h -> h.startsWith("silent"));
    tickLater(watch); // 15 s
    assertThat(last())
        .startsWith("silent: Kafka at kafka:9092 has not answered the front door for 15000 ms")
        .contains("TimeoutException: Timed out waiting for a node");
    tickLater(watch);
    assertThat(last()).as("still silent").startsWith("silent");

    answer.set(KafkaCheck.Answer.writable());
    tickLater(watch);
    assertThat(last()).isEqualTo("answering");
  }

  @Test
  void aRecordAcknowledgedAnswersAtOnceAndSparesTheCheck() {
    KafkaWatch watch = watch(SILENT_AFTER);
    answer.set(KafkaCheck.Answer.of(new DisconnectException()));
    for (int i = 0; i < 3; i++) {
      tickLater(watch);
    }
    assertThat(last()).startsWith("silent");
    int before = heard.size();
    watch.acknowledged(); // on a producer's I/O thread: no tick needed
    assertThat(heard).hasSize(before + 1);
    assertThat(last()).isEqualTo("answering");

    // While records are acknowledged in every interval, Kafka is asked nothing.
    asked.set(0);
    for (int i = 0; i < 10; i++) {
      watch.acknowledged();
      tickLater(watch);
    }
    assertThat(asked).hasValue(0);
    assertThat(heard.subList(before, heard.size())).allMatch("answering"::equals);
  }

  @Test
  void aRefusalOrAnUnclearQuestionIsAnAnswerNotSilence() {
    KafkaWatch watch = watch(SILENT_AFTER);
    for (Throwable failure :
        List.of(
            new TopicAuthorizationException("denied"),
            new UnknownTopicOrPartitionException("gone"),
            new KafkaException("the question failed"))) {
      answer.set(KafkaCheck.Answer.of(failure));
      for (int i = 0; i < 5; i++) {
        tickLater(watch);
      }
    }
    assertThat(heard).isNotEmpty().allMatch("answering"::equals);
  }

  @Test
  void notActiveAsksNothingAndCountsTheSilenceFromWhenItIsAgain() {
    KafkaWatch watch = watch(SILENT_AFTER);
    answer.set(KafkaCheck.Answer.of(new TimeoutException("no node")));
    active.set(false); // a producer being replaced: health is NOT_SERVING for that already
    for (int i = 0; i < 10; i++) {
      tickLater(watch);
    }
    assertThat(asked).hasValue(0);
    active.set(true);
    tickLater(watch);
    tickLater(watch);
    assertThat(heard).noneMatch(h -> h.startsWith("silent"));
    tickLater(watch);
    assertThat(last()).startsWith("silent");
  }

  @Test
  void zeroNeverAsksNorSaysSilent() throws Exception {
    answer.set(KafkaCheck.Answer.of(new TimeoutException("no node")));
    KafkaWatch watch = watch(Duration.ofMillis(1), Duration.ZERO);
    watch.start(); // schedules nothing: with a 1 ms interval, ticks would have asked by now
    Thread.sleep(200);
    watch.close();
    assertThat(asked).hasValue(0);
    assertThat(heard).isEmpty();
  }

  @Test
  void whatCountsAsNoAnswer() {
    assertThat(KafkaCheck.Answer.of(new TimeoutException("t")).kind())
        .isEqualTo(KafkaCheck.Kind.SILENT);
    assertThat(KafkaCheck.Answer.of(new ExecutionException(new DisconnectException("d"))).kind())
        .isEqualTo(KafkaCheck.Kind.SILENT);
    assertThat(
            KafkaCheck.Answer.of(
                    new KafkaException(
                        "Failed to create new KafkaAdminClient",
                        new ConfigException("No resolvable bootstrap urls given in x")))
                .kind())
        .isEqualTo(KafkaCheck.Kind.SILENT);
    assertThat(KafkaCheck.Answer.of(new SaslAuthenticationException("bad password")).kind())
        .isEqualTo(KafkaCheck.Kind.NOT_WRITABLE);
    assertThat(KafkaCheck.Answer.of(new IllegalStateException("closed")).kind())
        .isEqualTo(KafkaCheck.Kind.UNCLEAR);
  }
}
