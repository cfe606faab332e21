package io.prism.snapshotter.local;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.utils.Exit;

/**
 * Kafka's own exit and halt ({@link Exit}) caught while the embedded broker starts. A broker whose
 * controller cannot bind its port (another process took it after {@link LocalBroker}'s check: a
 * race) halts the JVM from its fatal fault handler, exit status 1, and says so only in Kafka's log,
 * which is quiet then ({@link QuietKafkaLog}). While this is open such a call is recorded and
 * thrown on the calling thread instead of ending the process, so the broker can stop what it
 * started and say in a sentence what went wrong.
 *
 * <p>Closing it puts back what Kafka does by default, end the process ({@link #EXIT}, {@link
 * #HALT}): {@link Exit} offers no way to read the procedures installed before (nothing else in the
 * CLI installs any), and its {@code reset} methods are for Kafka's tests: they install procedures
 * that throw, so a fatal fault of the running broker would leave the process up and broken.
 */
final class KafkaExitTrap implements AutoCloseable {
  /** Kafka's default exit procedure. */
  static final Exit.Procedure EXIT = (status, message) -> System.exit(status);

  /** Kafka's default halt procedure: no shutdown hooks (a fatal fault, nothing to trust). */
  static final Exit.Procedure HALT = (status, message) -> Runtime.getRuntime().halt(status);

  private final AtomicReference<KafkaExitCalled> first = new AtomicReference<>();

  private KafkaExitTrap() {}

  static KafkaExitTrap install() {
    KafkaExitTrap trap = new KafkaExitTrap();
    Exit.setExitProcedure((status, message) -> trap.called("exit", status, message));
    Exit.setHaltProcedure((status, message) -> trap.called("halt", status, message));
    return trap;
  }

  /**
   * Thrown where Kafka would have ended the process: its code after an exit or halt does not expect
   * to run, so it must not go on as if nothing happened.
   */
  private void called(String how, int status, String message) {
    KafkaExitCalled call = new KafkaExitCalled(how, status, message);
    first.compareAndSet(null, call);
    throw call;
  }

  /** The first exit or halt Kafka asked for since this was installed, if any. */
  Optional<KafkaExitCalled> call() {
    return Optional.ofNullable(first.get());
  }

  @Override
  public void close() {
    Exit.setExitProcedure(EXIT);
    Exit.setHaltProcedure(HALT);
  }

  /** Kafka asked to end the process; the stack says where. */
  static final class KafkaExitCalled extends RuntimeException {
    private KafkaExitCalled(String how, int status, String message) {
      super(
          "Kafka asked to "
              + how
              + " the process with status "
              + status
              + (message == null || message.isBlank() ? "" : " (" + message.strip() + ")"));
    }
  }
}
