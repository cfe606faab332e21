package io.prism.snapshotter.storage;

import com.google.api.gax.retrying.ResultRetryAlgorithm;
import com.google.api.gax.retrying.TimedAttemptSettings;
import com.google.cloud.storage.StorageRetryStrategy;
import io.prism.snapshotter.util.Causes;
import org.apache.http.ConnectionClosedException;
import org.apache.http.NoHttpResponseException;

/**
 * The GCS client's default retry strategy, plus one case it does not know: a connection that ended
 * without an answer, or in the middle of one, as Apache HttpClient (the store's transport, {@link
 * GcsObjectStore}) reports it ({@link NoHttpResponseException}, {@link ConnectionClosedException}).
 * The JDK's HttpURLConnection, the client's default transport, throws a {@link
 * java.net.SocketException} for the same event, which the default strategy retries; so does this
 * one now, for idempotent requests only (create-only writes, reads), as the default would. It
 * happens when a server drops a kept-alive connection as a request starts on it, and when an answer
 * is lost: a create-only write then meets its own object, which the store recognises.
 */
final class GcsRetryStrategy implements StorageRetryStrategy {
  static final GcsRetryStrategy INSTANCE = new GcsRetryStrategy();

  private static final long serialVersionUID = 1L;

  /** One handler for all requests: the client asks for it each time it runs one. */
  private static final ResultRetryAlgorithm<?> IDEMPOTENT =
      new AlsoDroppedConnections(defaults().getIdempotentHandler());

  private GcsRetryStrategy() {}

  @Override
  public ResultRetryAlgorithm<?> getIdempotentHandler() {
    return IDEMPOTENT;
  }

  @Override
  public ResultRetryAlgorithm<?> getNonidempotentHandler() {
    return defaults().getNonidempotentHandler();
  }

  private static StorageRetryStrategy defaults() {
    return StorageRetryStrategy.getDefaultStorageRetryStrategy();
  }

  /** Whether {@code failure}, or one of its causes, is a connection ended before its answer did. */
  static boolean droppedConnection(Throwable failure) {
    return Causes.first(
            failure,
            cause ->
                cause instanceof NoHttpResponseException
                    || cause instanceof ConnectionClosedException)
        .isPresent();
  }

  private static final class AlsoDroppedConnections implements ResultRetryAlgorithm<Object> {
    private final ResultRetryAlgorithm<Object> defaults;

    @SuppressWarnings("unchecked") // the default handlers take any response type
    AlsoDroppedConnections(ResultRetryAlgorithm<?> defaults) {
      this.defaults = (ResultRetryAlgorithm<Object>) defaults;
    }

    @Override
    public TimedAttemptSettings createNextAttempt(
        Throwable failure, Object response, TimedAttemptSettings previous) {
      return defaults.createNextAttempt(failure, response, previous);
    }

    @Override
    public boolean shouldRetry(Throwable failure, Object response) {
      return droppedConnection(failure) || defaults.shouldRetry(failure, response);
    }
  }
}
