package io.prism.snapshotter.storage;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import io.prism.snapshotter.util.Causes;
import io.prism.snapshotter.util.TlsFailures;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The one place that turns Azure Blob Storage (Azure SDK) errors into {@link StorageException}s.
 */
public final class AzureErrors {

  /** Error codes that say "slow down" or "try again" whatever their HTTP status. */
  private static final Set<BlobErrorCode> RETRIABLE_CODES =
      Set.of(
          BlobErrorCode.SERVER_BUSY,
          BlobErrorCode.OPERATION_TIMED_OUT,
          BlobErrorCode.INTERNAL_ERROR,
          BlobErrorCode.CONTAINER_BEING_DELETED);

  /** How the SDK begins the message of every 403, before the service's answer. */
  private static final String SHARED_KEY_ADVICE = "If you are using a StorageSharedKeyCredential";

  private AzureErrors() {}

  /**
   * Classifies {@code error} from {@code operation} on {@code key} in {@code store}.
   *
   * <ul>
   *   <li>409 {@code BlobAlreadyExists} or 412 on a create-only write → {@link
   *       ObjectAlreadyExistsException};
   *   <li>404 {@code BlobNotFound} → {@link NoSuchObjectException};
   *   <li>5xx, 429, 408, {@code ServerBusy}, connection trouble and timeouts → retriable;
   *   <li>every other 4xx (403 bad key, 404 {@code ContainerNotFound}, 400) → fatal.
   * </ul>
   */
  public static StorageException classify(
      String operation, String key, String store, Throwable error) {
    if (error instanceof StorageException storageException) {
      return storageException;
    }
    FailedCall call = new FailedCall(operation, key, store);
    BlobStorageException service = StoreErrors.find(error, BlobStorageException.class);
    if (service != null) {
      int status = service.getStatusCode();
      BlobErrorCode code = service.getErrorCode();
      String detail = " (HTTP " + status + (code == null ? "" : " " + code) + ")";
      if (call.createOnly() && (status == 412 || BlobErrorCode.BLOB_ALREADY_EXISTS.equals(code))) {
        return call.keyTaken(detail, error);
      }
      if (status == 404 && !BlobErrorCode.CONTAINER_NOT_FOUND.equals(code)) {
        return call.noSuchObject(detail, error);
      }
      boolean retriable =
          StoreErrors.isRetriableStatus(status) || (code != null && RETRIABLE_CODES.contains(code));
      return call.failed(detail + ": " + serviceMessage(service.getMessage()), retriable, error);
    }
    ClientAuthenticationException signIn =
        StoreErrors.find(error, ClientAuthenticationException.class);
    if (signIn != null && signIn.getResponse() == null) {
      // No token: the credential chain found no identity, or the identity endpoint refused. Its own
      // message
      // is generic ("see inner exception"); the innermost cause says what the endpoint answered.
      return call.failed(
          ": could not sign in with Entra ID (DefaultAzureCredential): "
              + firstLine(signIn.getMessage())
              + innermost(signIn),
          isTransient(error),
          error);
    }
    HttpResponseException http = StoreErrors.find(error, HttpResponseException.class);
    if (http != null && http.getResponse() != null) {
      int status = http.getResponse().getStatusCode();
      return call.failed(
          " (HTTP " + status + "): " + firstLine(http.getMessage()),
          StoreErrors.isRetriableStatus(status),
          error);
    }
    Optional<String> tls = TlsFailures.explain(error, AzureSettings.TLS_CA_SETTING);
    if (tls.isPresent()) {
      // A refused certificate is a setting to fix: retrying it forever would look like an outage.
      return call.failed(
          ": " + tls.get(), isTransient(error) && !TlsFailures.refusedCertificate(error), error);
    }
    return call.failed(": " + error, isTransient(error), error);
  }

  private static String innermost(Throwable error) {
    Throwable cause = Causes.innermost(error);
    return cause == error || cause.getMessage() == null
        ? ""
        : " (" + firstLine(cause.getMessage()) + ")";
  }

  /** Network trouble and timeouts heal by themselves; a malformed connection string does not. */
  private static boolean isTransient(Throwable error) {
    return StoreErrors.find(error, IOException.class) != null
        || StoreErrors.find(error, TimeoutException.class) != null;
  }

  /**
   * What the service said: the first line of the error body's {@code <Message>}, plus its {@code
   * <AuthenticationErrorDetail>} (e.g. "Invalid token audience.") when it has one, which is the
   * actual reason for a 403. The SDK's own text comes first in its message (for a 403, advice about
   * shared-key signatures that does not apply to SAS or Entra ID), so it is only the fallback when
   * there is no body (HEAD requests), and then without that advice.
   */
  private static String serviceMessage(String message) {
    String said = element(message, "Message");
    if (said == null) {
      return firstLine(
          message != null && message.startsWith(SHARED_KEY_ADVICE) && message.indexOf('\n') > 0
              ? message.substring(message.indexOf('\n') + 1)
              : message);
    }
    String why = element(message, "AuthenticationErrorDetail");
    return firstLine(said) + (why == null ? "" : " " + why.trim());
  }

  private static String element(String message, String name) {
    if (message == null) {
      return null;
    }
    int start = message.indexOf("<" + name + ">");
    int end = start < 0 ? -1 : message.indexOf("</" + name + ">", start);
    return end < 0 ? null : message.substring(start + name.length() + 2, end);
  }

  /**
   * Azure's messages carry the whole XML error body over several lines; the first says what went
   * wrong.
   */
  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).trim();
  }
}
