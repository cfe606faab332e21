package io.prism.snapshotter.testing;

import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * A real S3 server (S3Proxy over an in-memory blob store) that can be stopped and started again on
 * the same port with its objects intact: an S3 outage, as clients see one.
 */
public final class RestartableS3 implements AutoCloseable {
  public static final String ACCESS_KEY = "prism-access";
  public static final String SECRET_KEY = "prism-secret-do-not-log";

  /**
   * The objects (in memory) and the server; both null once closed: tests keep their S3 in a static
   * field, and a test class stays loaded until the fork that runs every IT ends.
   */
  private BlobStore blobs;

  private S3Proxy proxy;
  private int port;

  private RestartableS3(BlobStore blobs) {
    this.blobs = blobs;
  }

  public static RestartableS3 start() throws Exception {
    RestartableS3 s3 = new RestartableS3(BlobStores.create("transient", new Properties()));
    s3.startOn(0);
    return s3;
  }

  private void startOn(int requestedPort) throws Exception {
    proxy =
        S3Proxy.builder()
            .blobStore(blobs)
            .endpoint(URI.create("http://127.0.0.1:" + requestedPort))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .stopTimeout(0)
            .build();
    proxy.start();
    port = proxy.getPort();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public void createBucket(String bucket) {
    openBlobs().createContainer(bucket);
  }

  private BlobStore openBlobs() {
    if (blobs == null) {
      throw new IllegalStateException("this S3 server is closed");
    }
    return blobs;
  }

  /** Stops answering: connections are refused until {@link #restart()}. */
  public void stop() throws Exception {
    openBlobs();
    proxy.stop();
  }

  /** Answers again on the same port, with the same objects. */
  public void restart() throws Exception {
    openBlobs();
    startOn(port);
  }

  /** Stops the server and lets go of it and its objects. */
  @Override
  public void close() throws Exception {
    if (blobs == null) {
      return;
    }
    try {
      proxy.stop();
    } finally {
      proxy = null;
      blobs = null;
    }
  }
}
