package io.prism.snapshotter.storage;

import java.net.URI;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.config.types.Password;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 HTTP server (S3Proxy over an in-memory blob store) in this JVM, for integration tests.
 */
final class S3ProxyServer implements AutoCloseable {

  static final String ACCESS_KEY = "prism-access";
  static final String SECRET_KEY = "prism-secret-do-not-log";
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  /**
   * Null once closed: a test keeps its server in a static field, and a test class stays loaded
   * until the fork that runs every IT ends; the server's in-memory objects must not stay with it.
   */
  private S3Proxy proxy;

  private final URI endpoint;

  private S3ProxyServer(S3Proxy proxy) {
    this.proxy = proxy;
    this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  static S3ProxyServer start() throws Exception {
    return start(false);
  }

  /**
   * A server that also takes requests signed with temporary credentials: S3Proxy answers 501 to
   * every x-amz- header it does not know, x-amz-security-token among them, unless told to ignore
   * them. It checks the signature (which covers the token) but not the token itself.
   */
  static S3ProxyServer startAcceptingSessionTokens() throws Exception {
    return start(true);
  }

  private static S3ProxyServer start(boolean ignoreUnknownHeaders) throws Exception {
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(BlobStores.create("transient", new Properties()))
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .ignoreUnknownHeaders(ignoreUnknownHeaders)
            .stopTimeout(0)
            .build();
    proxy.start();
    return new S3ProxyServer(proxy);
  }

  URI endpoint() {
    return endpoint;
  }

  /** Settings for {@code bucket} on this server, with the right credentials. */
  S3Settings settings(String bucket) {
    return S3Settings.forBucket(bucket)
        .withEndpoint(endpoint, true)
        .withRegion("us-east-1")
        .withCredentials(ACCESS_KEY, new Password(SECRET_KEY));
  }

  /** Creates a fresh, empty bucket and returns its name. */
  String newBucket() {
    String bucket = "bucket-" + BUCKETS.incrementAndGet();
    try (S3Client client = S3ObjectStore.buildClient(settings(bucket))) {
      client.createBucket(b -> b.bucket(bucket));
    }
    return bucket;
  }

  @Override
  public void close() throws Exception {
    if (proxy == null) {
      return;
    }
    try {
      proxy.stop();
    } finally {
      proxy = null;
    }
  }
}
