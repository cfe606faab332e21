package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.gax.retrying.ResultRetryAlgorithm;
import com.google.cloud.storage.StorageException;
import java.io.IOException;
import org.apache.http.ConnectionClosedException;
import org.apache.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;

/**
 * A connection that ends without its answer is retried when the request is idempotent, as the
 * client's default strategy does for the JDK transport's SocketException; nothing else changes.
 */
class GcsRetryStrategyTest {
  @SuppressWarnings("unchecked")
  private static boolean retries(ResultRetryAlgorithm<?> handler, Throwable failure) {
    return ((ResultRetryAlgorithm<Object>) handler).shouldRetry(failure, null);
  }

  private static StorageException translated(IOException cause) {
    return StorageException.translate(cause);
  }

  @Test
  void anIdempotentRequestWhoseConnectionEndedWithoutAnAnswerIsRetried() {
    ResultRetryAlgorithm<?> idempotent = GcsRetryStrategy.INSTANCE.getIdempotentHandler();
    assertThat(retries(idempotent, translated(new NoHttpResponseException("no answer")))).isTrue();
    assertThat(retries(idempotent, translated(new ConnectionClosedException("cut short"))))
        .isTrue();
  }

  @Test
  void aNonIdempotentRequestIsNotRetriedForIt() {
    ResultRetryAlgorithm<?> once = GcsRetryStrategy.INSTANCE.getNonidempotentHandler();
    assertThat(retries(once, translated(new NoHttpResponseException("no answer")))).isFalse();
  }

  @Test
  void otherFailuresAreJudgedAsTheDefaultStrategyJudgesThem() {
    ResultRetryAlgorithm<?> idempotent = GcsRetryStrategy.INSTANCE.getIdempotentHandler();
    assertThat(retries(idempotent, new StorageException(503, "unavailable"))).isTrue();
    assertThat(retries(idempotent, new StorageException(412, "precondition failed"))).isFalse();
    assertThat(retries(idempotent, translated(new IOException("something else")))).isFalse();
  }
}
