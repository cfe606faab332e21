package io.prism.snapshotter.storage;

import com.google.cloud.BaseServiceException;
import io.prism.snapshotter.util.TlsFailures;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import org.apache.http.conn.ConnectionPoolTimeoutException;

/** The one place that turns Google Cloud Storage client errors into {@link StorageException}s. */
public final class GcsErrors {

  private GcsErrors() {}

  /**
   * Classifies {@code error} from {@code operation} on {@code key} in {@code store}.
   *
   * <ul>
   *   <li>412 on a create-only write (the {@code ifGenerationMatch=0} precondition) → {@link
   *       ObjectAlreadyExistsException};
   *   <li>404 for an object → {@link NoSuchObjectException}; 404 for the bucket → fatal;
   *   <li>5xx, 429, 408, what the client itself calls retryable (connection refused or reset: code
   *       0) and network or timeout trouble → retriable;
   *   <li>no pooled connection came free in time ({@link GcsObjectStore#CONNECTION_WAIT}) →
   *       retriable, saying so;
   *   <li>every other 4xx (400, 401/403 bad credentials) → fatal;
   *   <li>a server certificate refused (not signed by a trusted CA, or not naming the host) →
   *       fatal, naming {@value GcsSettings#TLS_CA_SETTING}; other TLS failures → retriable.
   * </ul>
   */
  public static StorageException classify(
      String operation, String key, String store, Throwable error) {
    if (error instanceof StorageException storageException) {
      return storageException;
    }
    FailedCall call = new FailedCall(operation, key, store);
    Optional<String> tls = TlsFailures.explain(error, GcsSettings.TLS_CA_SETTING);
    if (tls.isPresent()) {
      // The client wraps a handshake failure as a retryable error of code 0; a refused
      // certificate is a setting to fix, and retrying it forever would look like an outage.
      return call.failed(": " + tls.get(), !TlsFailures.refusedCertificate(error), error);
    }
    if (StoreErrors.find(error, ConnectionPoolTimeoutException.class) != null) {
      return call.failed(
          ": no connection of the store's pool came free while the request waited (every one was"
              + " in use; a read stream left open holds its connection): "
              + error,
          true,
          error);
    }
    boolean networkTrouble = StoreErrors.find(error, IOException.class) != null;
    BaseServiceException service = StoreErrors.find(error, BaseServiceException.class);
    if (service != null) {
      int status = service.getCode();
      String detail =
          " (HTTP "
              + status
              + (service.getReason() == null ? "" : " " + service.getReason())
              + "): "
              + service.getMessage();
      if (status == 412 && call.createOnly()) {
        return call.keyTaken(detail, error);
      }
      if (status == 404 && !isMissingBucket(service)) {
        return call.noSuchObject(detail, error);
      }
      boolean retriable =
          StoreErrors.isRetriableStatus(status)
              || service.isRetryable()
              || networkTrouble && status == 0;
      return call.failed(detail, retriable, error);
    }
    return call.failed(": " + error, networkTrouble, error);
  }

  private static boolean isMissingBucket(BaseServiceException error) {
    String message = error.getMessage();
    return message != null && message.toLowerCase(Locale.ROOT).contains("bucket does not exist");
  }
}
