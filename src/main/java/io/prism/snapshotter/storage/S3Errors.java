package io.prism.snapshotter.storage;

import io.prism.snapshotter.util.TlsFailures;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;

/** The one place that turns S3 (AWS SDK) errors into {@link StorageException}s. */
public final class S3Errors {

  /** Error codes that say "slow down" or "try again" whatever their HTTP status. */
  private static final Set<String> RETRIABLE_CODES =
      Set.of(
          "SlowDown",
          "Throttling",
          "ThrottlingException",
          "RequestTimeout",
          "RequestTimeTooSkewed",
          "InternalError",
          "ServiceUnavailable",
          "ConditionalRequestConflict",
          "OperationAborted",
          "RequestLimitExceeded",
          "TooManyRequests");

  private S3Errors() {}

  /**
   * Classifies {@code error} from {@code operation} on {@code key} in {@code store}.
   *
   * <ul>
   *   <li>412 on a create-only write → {@link ObjectAlreadyExistsException};
   *   <li>404 {@code NoSuchKey} (or a bodiless 404 on a read) → {@link NoSuchObjectException};
   *   <li>5xx, 429, 408, throttling and conflict codes, connection refused/reset, unknown host,
   *       timeouts → retriable;
   *   <li>every other 4xx (400, 403 bad credentials, 404 {@code NoSuchBucket}) and client-side
   *       configuration errors (no credentials, no region, a server certificate that is not trusted
   *       or names another host) → fatal.
   * </ul>
   */
  public static StorageException classify(
      String operation, String key, String store, Throwable error) {
    if (error instanceof StorageException storageException) {
      return storageException;
    }
    FailedCall call = new FailedCall(operation, key, store);
    if (error instanceof AwsServiceException service) {
      int status = service.statusCode();
      String code =
          service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
      String detail =
          " (HTTP "
              + status
              + (code == null ? "" : " " + code)
              + "): "
              + (service.awsErrorDetails() == null
                  ? service.getMessage()
                  : service.awsErrorDetails().errorMessage());
      if (status == 412 && call.createOnly()) {
        return call.keyTaken(detail, error);
      }
      if (status == 404 && (code == null || "NoSuchKey".equals(code))) {
        return call.noSuchObject(detail, error);
      }
      boolean retriable =
          StoreErrors.isRetriableStatus(status)
              || (code != null && RETRIABLE_CODES.contains(code))
              || service.isThrottlingException();
      return call.failed(detail, retriable, error);
    }
    Optional<String> tls = TlsFailures.explain(error, S3Settings.TLS_CA_SETTING);
    if (tls.isPresent()) {
      // A refused certificate is a setting to fix: retrying it forever would look like an outage.
      return call.failed(
          ": " + tls.get(), isTransient(error) && !TlsFailures.refusedCertificate(error), error);
    }
    return call.failed(": " + error.getMessage(), isTransient(error), error);
  }

  /**
   * A multipart upload that the store does not know (any more): aborted, or already completed.
   * Classified as fatal; {@link S3ObjectStore} first checks whether a complete it retried had
   * succeeded.
   */
  static boolean isNoSuchUpload(AwsServiceException error) {
    return error instanceof NoSuchUploadException
        || (error.statusCode() == 404
            && error.awsErrorDetails() != null
            && "NoSuchUpload".equals(error.awsErrorDetails().errorCode()));
  }

  /** Network trouble and timeouts heal by themselves; a missing credential or region does not. */
  private static boolean isTransient(Throwable error) {
    if (error instanceof ApiCallTimeoutException
        || error instanceof ApiCallAttemptTimeoutException
        || error instanceof AbortedException) {
      return true;
    }
    // SocketException covers connection refused and reset, InterruptedIOException socket timeouts,
    // UnknownHostException a name that does not resolve (yet): all IOExceptions.
    if (StoreErrors.find(error, IOException.class) != null) {
      return true;
    }
    if (error instanceof SdkClientException client) {
      return client.retryable();
    }
    return error instanceof SdkException sdk && sdk.retryable();
  }
}
