package io.prism.snapshotter.frontdoor;

import io.prism.snapshotter.util.Causes;

/**
 * What a failed attempt to put a Kafka producer in use met, in words: for the operator's log, for
 * the calls refused meanwhile, and as a kind, to tell a repeat of the same failure from a change.
 */
final class AttemptDiagnosis {
  private final String topic;
  private final String cluster;

  /**
   * @param topic the front door's topic
   * @param cluster where Kafka is ({@code bootstrap.servers})
   */
  AttemptDiagnosis(String topic, String cluster) {
    this.topic = topic;
    this.cluster = cluster;
  }

  /**
   * The cause of a failed attempt, for telling a repeat from a change: what kind of failure, not
   * its text (which may carry a count or a time).
   */
  static String kind(boolean producerMade, RuntimeException failure, boolean firstProducer) {
    String what;
    if (KafkaFailures.bootstrapUnresolvable(failure)) {
      what = "unresolvable";
    } else if (!producerMade) {
      what = "not made: " + Causes.innermost(failure).getClass().getName();
    } else if (KafkaFailures.topicMissing(failure)) {
      what = "no topic";
    } else {
      Throwable denial = KafkaFailures.denial(failure);
      what = "no metadata: " + (denial != null ? denial : failure).getClass().getName();
    }
    return (firstProducer ? "start, " : "replacement, ") + what;
  }

  /**
   * What went wrong with an attempt ({@code producerMade} false: making one failed, else its
   * metadata fetch), in words an operator acts on.
   */
  String forLog(boolean producerMade, RuntimeException failure) {
    if (KafkaFailures.bootstrapUnresolvable(failure)) {
      return "no name in bootstrap.servers (" + cluster + ") resolves (yet)";
    }
    if (!producerMade) {
      return "a Kafka producer could not be made: " + KafkaFailures.causes(failure);
    }
    if (KafkaFailures.topicMissing(failure)) {
      return "Topic "
          + topic
          + " does not exist on the Kafka cluster at "
          + cluster
          + " and was not created automatically: create it (it is the topic the snapshotter"
          + " connector reads) or correct frontdoor.topic";
    }
    Throwable denial = KafkaFailures.denial(failure);
    if (denial != null) {
      return KafkaFailures.refusal(denial, topic) + " (Kafka at " + cluster + ")";
    }
    return "no metadata for topic " + topic + " from Kafka at " + cluster + ": " + failure;
  }

  /**
   * What a call is told while no producer is in use: what the front door waits for, or after {@code
   * breakage} (what broke the last producer) what the last attempt met.
   */
  String forCaller(
      boolean producerMade, RuntimeException failure, boolean firstProducer, String breakage) {
    Throwable denial = KafkaFailures.denial(failure);
    String what =
        KafkaFailures.bootstrapUnresolvable(failure)
            ? "no name in bootstrap.servers resolves (yet)"
            : !producerMade
                ? "a Kafka producer could not be made: " + KafkaFailures.causes(failure)
                : KafkaFailures.topicMissing(failure)
                    ? "topic " + topic + " does not exist on Kafka"
                    : denial != null
                        ? KafkaFailures.refusal(denial, topic)
                        : "waiting for the metadata of topic " + topic + ": " + failure;
    return (firstProducer
            ? "the front door has not reached Kafka yet (" + what + ")"
            : breakage + " (the last attempt: " + what + ")")
        + "; this event was not sent: retry with backoff";
  }
}
