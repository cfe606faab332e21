package io.prism.snapshotter.storage;

import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

import java.io.IOException;
import java.net.UnknownHostException;
import java.util.Set;

/** The one place that turns S3 (AWS SDK) errors into {@link StorageException}s. */
public final class S3Errors {

    /** Error codes that say "slow down" or "try again" whatever their HTTP status. */
    private static final Set<String> RETRIABLE_CODES = Set.of("SlowDown", "Throttling", "ThrottlingException",
            "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable",
            "ConditionalRequestConflict", "OperationAborted", "RequestLimitExceeded", "TooManyRequests");

    private S3Errors() {
    }

    /**
     * Classifies {@code error} from {@code operation} on {@code key} in {@code store}.
     * <ul>
     *   <li>412 on a create-only write → {@link ObjectAlreadyExistsException};</li>
     *   <li>404 {@code NoSuchKey} (or a bodiless 404 on a read) → {@link NoSuchObjectException};</li>
     *   <li>5xx, 429, 408, throttling and conflict codes, connection refused/reset, unknown host, timeouts →
     *       retriable;</li>
     *   <li>every other 4xx (400, 403 bad credentials, 404 {@code NoSuchBucket}) and client-side configuration
     *       errors (no credentials, no region) → fatal.</li>
     * </ul>
     */
    public static StorageException classify(String operation, String key, String store, Throwable error) {
        if (error instanceof StorageException storageException) {
            return storageException;
        }
        String where = operation + " of '" + ObjectKeys.printable(key) + "' in " + store;
        if (error instanceof AwsServiceException service) {
            int status = service.statusCode();
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            String detail = " (HTTP " + status + (code == null ? "" : " " + code) + "): "
                    + (service.awsErrorDetails() == null ? service.getMessage()
                    : service.awsErrorDetails().errorMessage());
            if (status == 412 && operation.startsWith("create-only")) {
                return new ObjectAlreadyExistsException(where + ": the key already exists" + detail, error);
            }
            if (status == 404 && (code == null || "NoSuchKey".equals(code))) {
                return new NoSuchObjectException(where + ": no such object" + detail, error);
            }
            boolean retriable = status >= 500 || status == 429 || status == 408
                    || (code != null && RETRIABLE_CODES.contains(code)) || service.isThrottlingException();
            return new StorageException(where + " failed" + detail, retriable, error);
        }
        boolean retriable = isTransient(error);
        return new StorageException(where + " failed: " + error.getMessage(), retriable, error);
    }

    /** Network trouble and timeouts heal by themselves; a missing credential or region does not. */
    private static boolean isTransient(Throwable error) {
        if (error instanceof ApiCallTimeoutException || error instanceof ApiCallAttemptTimeoutException
                || error instanceof AbortedException) {
            return true;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            // SocketException covers connection refused and reset; InterruptedIOException covers socket timeouts.
            if (t instanceof IOException || t instanceof UnknownHostException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        if (error instanceof SdkClientException client) {
            return client.retryable();
        }
        return error instanceof SdkException sdk && sdk.retryable();
    }
}
