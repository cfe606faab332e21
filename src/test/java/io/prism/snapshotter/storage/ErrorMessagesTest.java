package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.storage.blob.models.BlobStorageException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The exact messages, exception types and retriability each backend's error classifier gives.
 * Operators grep logs for these messages, so they are pinned here to the letter: a refactoring of
 * the classifiers must keep them. The exceptions are the SDKs' own types, built as the SDKs build
 * them from a response.
 */
class ErrorMessagesTest {

  /** One backend's classifier: {@code S3Errors::classify} and its siblings. */
  @FunctionalInterface
  interface Classifier {
    StorageException classify(String operation, String key, String store, Throwable error);
  }

  /**
   * A backend's classifier and its store's description, as its {@code ObjectStore#describe()} gives
   * it.
   */
  record Backend(String store, Classifier classifier) {
    StorageException classify(String operation, Throwable error) {
      return classifier.classify(operation, "a/key", store, error);
    }

    @Override
    public String toString() {
      return store;
    }
  }

  static Stream<Arguments> s3() {
    Backend s3 = new Backend("s3://b", S3Errors::classify);
    return Stream.of(
        arguments(
            s3,
            "put",
            s3Error(503, "SlowDown"),
            StorageException.class,
            true,
            "put of 'a/key' in s3://b failed (HTTP 503 SlowDown): test SlowDown"),
        arguments(
            s3,
            "list",
            s3Error(400, "ThrottlingException"),
            StorageException.class,
            true,
            "list of 'a/key' in s3://b failed (HTTP 400 ThrottlingException): test ThrottlingException"),
        arguments(
            s3,
            "put",
            s3Error(403, "AccessDenied"),
            StorageException.class,
            false,
            "put of 'a/key' in s3://b failed (HTTP 403 AccessDenied): test AccessDenied"),
        arguments(
            s3,
            "create-only put",
            s3Error(412, "PreconditionFailed"),
            ObjectAlreadyExistsException.class,
            false,
            "create-only put of 'a/key' in s3://b: the key already exists (HTTP 412 PreconditionFailed):"
                + " test PreconditionFailed"),
        arguments(
            s3,
            "put",
            s3Error(412, "PreconditionFailed"),
            StorageException.class,
            false,
            "put of 'a/key' in s3://b failed (HTTP 412 PreconditionFailed): test PreconditionFailed"),
        arguments(
            s3,
            "get",
            s3Error(404, "NoSuchKey"),
            NoSuchObjectException.class,
            false,
            "get of 'a/key' in s3://b: no such object (HTTP 404 NoSuchKey): test NoSuchKey"),
        arguments(
            s3,
            "get",
            s3Error(404, "NoSuchBucket"),
            StorageException.class,
            false,
            "get of 'a/key' in s3://b failed (HTTP 404 NoSuchBucket): test NoSuchBucket"),
        arguments(
            s3,
            "put",
            SdkClientException.builder()
                .message("refused")
                .cause(new ConnectException("Connection refused"))
                .build(),
            StorageException.class,
            true,
            "put of 'a/key' in s3://b failed: refused"),
        arguments(
            s3,
            "put",
            SdkClientException.builder().message("Unable to load credentials").build(),
            StorageException.class,
            false,
            "put of 'a/key' in s3://b failed: Unable to load credentials"));
  }

  static Stream<Arguments> azure() {
    Backend azure = new Backend("azure://acct/c", AzureErrors::classify);
    return Stream.of(
        arguments(
            azure,
            "create-only put",
            azureError(409, "BlobAlreadyExists"),
            ObjectAlreadyExistsException.class,
            false,
            "create-only put of 'a/key' in azure://acct/c: the key already exists"
                + " (HTTP 409 BlobAlreadyExists)"),
        arguments(
            azure,
            "create-only put",
            azureError(412, "ConditionNotMet"),
            ObjectAlreadyExistsException.class,
            false,
            "create-only put of 'a/key' in azure://acct/c: the key already exists"
                + " (HTTP 412 ConditionNotMet)"),
        arguments(
            azure,
            "put",
            azureError(409, "BlobAlreadyExists"),
            StorageException.class,
            false,
            "put of 'a/key' in azure://acct/c failed (HTTP 409 BlobAlreadyExists): test"),
        arguments(
            azure,
            "get",
            azureError(404, "BlobNotFound"),
            NoSuchObjectException.class,
            false,
            "get of 'a/key' in azure://acct/c: no such object (HTTP 404 BlobNotFound)"),
        arguments(
            azure,
            "get",
            azureError(404, "ContainerNotFound"),
            StorageException.class,
            false,
            "get of 'a/key' in azure://acct/c failed (HTTP 404 ContainerNotFound): test"),
        arguments(
            azure,
            "put",
            azureError(503, "ServerBusy"),
            StorageException.class,
            true,
            "put of 'a/key' in azure://acct/c failed (HTTP 503 ServerBusy): test"),
        arguments(
            azure,
            "put",
            azureError(400, "OperationTimedOut"),
            StorageException.class,
            true,
            "put of 'a/key' in azure://acct/c failed (HTTP 400 OperationTimedOut): test"),
        arguments(
            azure,
            "put",
            azureError(403, "AuthenticationFailed"),
            StorageException.class,
            false,
            "put of 'a/key' in azure://acct/c failed (HTTP 403 AuthenticationFailed): test"),
        arguments(
            azure,
            "put",
            new BlobStorageException(
                "If you are using a StorageSharedKeyCredential, ..."
                    + "\nStatus code 403, \"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Error><Code>"
                    + "AuthenticationFailed</Code><Message>Server failed to authenticate the request.\n"
                    + "RequestId:1b35</Message><AuthenticationErrorDetail>Invalid token audience."
                    + "</AuthenticationErrorDetail></Error>\"",
                new Response(403, "AuthenticationFailed"),
                null),
            StorageException.class,
            false,
            "put of 'a/key' in azure://acct/c failed (HTTP 403 AuthenticationFailed): Server failed to"
                + " authenticate the request. Invalid token audience."),
        arguments(
            azure,
            "head",
            new BlobStorageException(
                "If you are using a StorageSharedKeyCredential, ..."
                    + "\nStatus code 403, (empty body)",
                new Response(403, "AuthenticationFailed"),
                null),
            StorageException.class,
            false,
            "head of 'a/key' in azure://acct/c failed"
                + " (HTTP 403 AuthenticationFailed): Status code 403, (empty body)"),
        arguments(
            azure,
            "list",
            new HttpResponseException("Bad gateway\nfrom the proxy", new Response(502, null), null),
            StorageException.class,
            true,
            "list of 'a/key' in azure://acct/c failed (HTTP 502): Bad gateway"),
        arguments(
            azure,
            "put",
            new RuntimeException(new IOException("Connection reset")),
            StorageException.class,
            true,
            "put of 'a/key' in azure://acct/c failed:"
                + " java.lang.RuntimeException: java.io.IOException: Connection reset"),
        arguments(
            azure,
            "get",
            new IllegalStateException(new TimeoutException("no answer")),
            StorageException.class,
            true,
            "get of 'a/key' in azure://acct/c failed:"
                + " java.lang.IllegalStateException: java.util.concurrent.TimeoutException: no answer"),
        arguments(
            azure,
            "put",
            new IllegalStateException("bad connection string"),
            StorageException.class,
            false,
            "put of 'a/key' in azure://acct/c failed: java.lang.IllegalStateException:"
                + " bad connection string"));
  }

  static Stream<Arguments> gcs() {
    Backend gcs = new Backend("gs://b", GcsErrors::classify);
    return Stream.of(
        arguments(
            gcs,
            "create-only put",
            gcsError(412, "Precondition Failed"),
            ObjectAlreadyExistsException.class,
            false,
            "create-only put of 'a/key' in gs://b: the key already exists (HTTP 412): Precondition Failed"),
        arguments(
            gcs,
            "put",
            gcsError(412, "Precondition Failed"),
            StorageException.class,
            false,
            "put of 'a/key' in gs://b failed (HTTP 412): Precondition Failed"),
        arguments(
            gcs,
            "get",
            gcsError(404, "No such object: b/a/key"),
            NoSuchObjectException.class,
            false,
            "get of 'a/key' in gs://b: no such object (HTTP 404): No such object: b/a/key"),
        arguments(
            gcs,
            "put",
            gcsError(404, "The specified bucket does not exist."),
            StorageException.class,
            false,
            "put of 'a/key' in gs://b failed (HTTP 404): The specified bucket does not exist."),
        arguments(
            gcs,
            "put",
            new com.google.cloud.storage.StorageException(403, "Forbidden", "forbidden", null),
            StorageException.class,
            false,
            "put of 'a/key' in gs://b failed (HTTP 403 forbidden):" + " Forbidden"),
        arguments(
            gcs,
            "put",
            gcsError(503, "Backend Error"),
            StorageException.class,
            true,
            "put of 'a/key' in gs://b failed (HTTP 503): Backend Error"),
        arguments(
            gcs,
            "put",
            gcsError(429, "Too Many Requests"),
            StorageException.class,
            true,
            "put of 'a/key' in gs://b failed (HTTP 429): Too Many Requests"),
        arguments(
            gcs,
            "get",
            new com.google.cloud.storage.StorageException(new IOException("Connection reset")),
            StorageException.class,
            true,
            "get of 'a/key' in gs://b failed (HTTP 0): Connection reset"),
        arguments(
            gcs,
            "put",
            new RuntimeException(new ConnectException("Connection refused")),
            StorageException.class,
            true,
            "put of 'a/key' in gs://b failed: java.lang.RuntimeException:"
                + " java.net.ConnectException: Connection refused"),
        arguments(
            gcs,
            "put",
            new IllegalStateException("no project"),
            StorageException.class,
            false,
            "put of 'a/key' in gs://b failed: java.lang.IllegalStateException: no project"));
  }

  static Stream<Arguments> filesystem() {
    Backend filesystem = new Backend("file:/data", FilesystemErrors::classify);
    return Stream.of(
        arguments(
            filesystem,
            "get",
            new NoSuchFileException("/data/a/key"),
            NoSuchObjectException.class,
            false,
            "get of 'a/key' in file:/data: no such object"),
        arguments(
            filesystem,
            "put",
            new AccessDeniedException("/data/a/key"),
            StorageException.class,
            false,
            "put of 'a/key' in file:/data failed: java.nio.file.AccessDeniedException: /data/a/key"),
        arguments(
            filesystem,
            "put",
            new IOException("No space left on device"),
            StorageException.class,
            true,
            "put of 'a/key' in file:/data failed: java.io.IOException: No space left on device"));
  }

  @ParameterizedTest(name = "{0}: {1} {2} -> {5}")
  @MethodSource({"s3", "azure", "gcs", "filesystem"})
  void classifiedErrorsKeepTheirExactMessages(
      Backend backend,
      String operation,
      Throwable error,
      Class<? extends StorageException> type,
      boolean retriable,
      String message) {
    StorageException classified = backend.classify(operation, error);

    assertThat(classified).isExactlyInstanceOf(type).hasMessage(message).hasCause(error);
    assertThat(classified.retriable()).isEqualTo(retriable);
  }

  @Test
  void aStorageExceptionPassesThroughUnchanged() {
    StorageException already =
        new NoSuchObjectException("get of 'k' in s3://b: no such object", null);
    for (Classifier classifier :
        new Classifier[] {
          S3Errors::classify, AzureErrors::classify, GcsErrors::classify, FilesystemErrors::classify
        }) {
      assertThat(classifier.classify("put", "other", "elsewhere", already)).isSameAs(already);
    }
  }

  @Test
  void aKeyWithControlCharactersIsPrintedEscaped() {
    assertThat(
            GcsErrors.classify("put", "a/\u0001", "gs://b", new IllegalStateException("x"))
                .getMessage())
        .isEqualTo(
            "put of '"
                + ObjectKeys.printable("a/\u0001")
                + "' in gs://b failed:"
                + " java.lang.IllegalStateException: x");
  }

  private static S3Exception s3Error(int status, String code) {
    return S3ErrorsTest.serviceError(status, code);
  }

  /** As the SDK builds it: the error code in a header, the XML error body in the message. */
  private static BlobStorageException azureError(int status, String code) {
    return new BlobStorageException(
        "Status code "
            + status
            + ", \"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            + "<Error><Code>"
            + code
            + "</Code><Message>test</Message></Error>\"",
        new Response(status, code),
        null);
  }

  private static com.google.cloud.storage.StorageException gcsError(int status, String message) {
    return new com.google.cloud.storage.StorageException(status, message);
  }

  /** An Azure HTTP response with a status and an error-code header and no body. */
  private static final class Response extends HttpResponse {
    private final int status;
    private final HttpHeaders headers = new HttpHeaders();

    Response(int status, String errorCode) {
      super(new HttpRequest(HttpMethod.PUT, "http://127.0.0.1:10000/acct/c/a/key"));
      this.status = status;
      if (errorCode != null) {
        headers.set("x-ms-error-code", errorCode);
      }
    }

    @Override
    public int getStatusCode() {
      return status;
    }

    @Override
    public String getHeaderValue(String name) {
      return headers.getValue(name);
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public Flux<ByteBuffer> getBody() {
      return Flux.empty();
    }

    @Override
    public Mono<byte[]> getBodyAsByteArray() {
      return Mono.empty();
    }

    @Override
    public Mono<String> getBodyAsString() {
      return Mono.empty();
    }

    @Override
    public Mono<String> getBodyAsString(Charset charset) {
      return Mono.empty();
    }
  }
}
