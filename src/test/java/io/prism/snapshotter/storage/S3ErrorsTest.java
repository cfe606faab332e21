package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The classification table for errors the S3 integration test cannot provoke from S3Proxy
 * (throttling, 5xx). The exceptions are the SDK's own types, built as the SDK builds them from a
 * response.
 */
class S3ErrorsTest {

  @ParameterizedTest(name = "{0} {1} on {2} -> retriable={3}")
  @CsvSource({
    "503, SlowDown,           put,             true",
    "500, InternalError,      get,             true",
    "502, ,                   get,             true",
    "429, TooManyRequests,    put,             true",
    "408, RequestTimeout,     put,             true",
    "409, ConditionalRequestConflict, create-only put, true",
    "400, ThrottlingException, list,           true",
    "400, InvalidArgument,    put,             false",
    "403, AccessDenied,       put,             false",
    "403, SignatureDoesNotMatch, list,         false",
    "404, NoSuchBucket,       put,             false",
    "404, NoSuchUpload,       create-only put, false",
    "412, PreconditionFailed, put,             false"
  })
  void serviceErrors(int status, String code, String operation, boolean retriable) {
    StorageException classified =
        S3Errors.classify(operation, "a/key", "s3://bucket", serviceError(status, code));

    assertThat(classified.retriable()).isEqualTo(retriable);
    assertThat(classified)
        .isNotInstanceOfAny(NoSuchObjectException.class, ObjectAlreadyExistsException.class)
        .hasMessageContaining(operation)
        .hasMessageContaining("'a/key'")
        .hasMessageContaining("s3://bucket")
        .hasMessageContaining(String.valueOf(status));
  }

  @Test
  void preconditionFailedOnACreateOnlyWriteMeansTheKeyExists() {
    assertThat(
            S3Errors.classify(
                "create-only put", "k", "s3://b", serviceError(412, "PreconditionFailed")))
        .isInstanceOf(ObjectAlreadyExistsException.class)
        .satisfies(e -> assertThat(e.retriable()).isFalse());
  }

  @Test
  void noSuchKeyMeansAMissingObject() {
    assertThat(S3Errors.classify("get", "k", "s3://b", serviceError(404, "NoSuchKey")))
        .isInstanceOf(NoSuchObjectException.class);
  }

  @Test
  void networkTroubleAndTimeoutsAreRetriable() {
    assertThat(
            S3Errors.classify(
                    "put",
                    "k",
                    "s3://b",
                    SdkClientException.builder()
                        .message("refused")
                        .cause(new ConnectException("Connection refused"))
                        .build())
                .retriable())
        .isTrue();
    assertThat(
            S3Errors.classify(
                    "put",
                    "k",
                    "s3://b",
                    SdkClientException.builder()
                        .message("slow")
                        .cause(new SocketTimeoutException("Read timed out"))
                        .build())
                .retriable())
        .isTrue();
    assertThat(
            S3Errors.classify("put", "k", "s3://b", ApiCallTimeoutException.create(1000))
                .retriable())
        .isTrue();
  }

  @Test
  void clientConfigurationErrorsAreFatal() {
    assertThat(
            S3Errors.classify(
                    "put",
                    "k",
                    "s3://b",
                    SdkClientException.builder()
                        .message(
                            "Unable to load credentials from any of the providers in the chain")
                        .build())
                .retriable())
        .isFalse();
  }

  /**
   * An S3 error answer as the SDK builds it from a response (also used by {@link
   * ErrorMessagesTest}).
   */
  static S3Exception serviceError(int status, String code) {
    return (S3Exception)
        S3Exception.builder()
            .statusCode(status)
            .awsErrorDetails(
                AwsErrorDetails.builder().errorCode(code).errorMessage("test " + code).build())
            .message("test " + code)
            .build();
  }
}
