package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * S3 without keys in the settings, signed in the way pods on EKS are (IAM roles for service
 * accounts): AWS's default credentials chain reads a web identity token file and exchanges it at
 * STS for temporary credentials (AssumeRoleWithWebIdentity), which needs the SDK's sts module on
 * the class path (it was missing: the chain said so and gave up). STS is a local stand-in that
 * answers the one call, as no STS can run here.
 */
class S3WebIdentityIT {
  private static final List<String> PROPERTIES =
      List.of(
          "aws.webIdentityTokenFile",
          "aws.roleArn",
          "aws.roleSessionName",
          "aws.region",
          "aws.endpointUrlSts");

  @TempDir Path dir;
  private S3ProxyServer s3;
  private HttpServer sts;
  private final List<String> stsRequests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    s3 = S3ProxyServer.start();
    sts = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sts.createContext(
        "/",
        exchange -> {
          stsRequests.add(
              URLDecoder.decode(
                  new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                  StandardCharsets.UTF_8));
          byte[] answer = assumeRoleAnswer().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/xml");
          exchange.sendResponseHeaders(200, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    sts.start();
  }

  @AfterEach
  void stop() throws Exception {
    PROPERTIES.forEach(System::clearProperty);
    sts.stop(0);
    s3.close();
  }

  private static String assumeRoleAnswer() {
    return "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        + "<AssumeRoleWithWebIdentityResult><Credentials>"
        + "<AccessKeyId>"
        + S3ProxyServer.ACCESS_KEY
        + "</AccessKeyId><SecretAccessKey>"
        + S3ProxyServer.SECRET_KEY
        + "</SecretAccessKey><SessionToken>session-token</SessionToken>"
        + "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
        + "<SubjectFromWebIdentityToken>system:serviceaccount:connect:prism</SubjectFromWebIdentityToken>"
        + "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/prism/s</Arn>"
        + "<AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>"
        + "</AssumeRoleWithWebIdentityResult>"
        + "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
        + "</AssumeRoleWithWebIdentityResponse>";
  }

  @Test
  void withoutKeysTheStoreSignsInWithAWebIdentityTokenAsOnEks() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "eyJ.service-account-token.sig");
    System.setProperty("aws.webIdentityTokenFile", token.toString());
    System.setProperty("aws.roleArn", "arn:aws:iam::123456789012:role/prism");
    System.setProperty("aws.roleSessionName", "prism-connect");
    System.setProperty("aws.region", "us-east-1");
    System.setProperty("aws.endpointUrlSts", "http://127.0.0.1:" + sts.getAddress().getPort());
    S3Settings noKeys =
        S3Settings.forBucket("pages").withEndpoint(s3.endpoint(), true).withRegion("us-east-1");

    AwsCredentials credentials = S3ObjectStore.credentials(noKeys).resolveCredentials();

    assertThat(credentials.accessKeyId()).isEqualTo(S3ProxyServer.ACCESS_KEY);
    assertThat(credentials)
        .isInstanceOfSatisfying(
            AwsSessionCredentials.class,
            session -> assertThat(session.sessionToken()).isEqualTo("session-token"));
    assertThat(stsRequests)
        .as("one AssumeRoleWithWebIdentity with the token and the role")
        .singleElement()
        .satisfies(
            request ->
                assertThat(request)
                    .contains("Action=AssumeRoleWithWebIdentity")
                    .contains("WebIdentityToken=eyJ.service-account-token.sig")
                    .contains("RoleArn=arn:aws:iam::123456789012:role/prism"));
    // What the store does with session credentials (the token sent and signed with each request)
    // is S3SessionTokenIT's, with the token given in the settings; here the chain's part only.
  }
}
