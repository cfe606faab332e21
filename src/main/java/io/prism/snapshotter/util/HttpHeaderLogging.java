package io.prism.snapshotter.util;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache HttpClient 5, under the S3 store (AWS SDK) and the ClickHouse index (client-v2), prints
 * every request header at DEBUG on {@value #HEADERS} and every byte on {@value #WIRE}: an S3
 * session token ({@code x-amz-security-token}) and ClickHouse's user and password among them. No
 * setting of those clients redacts them, so the store and the index warn when they open with such
 * logging on (a root logger at DEBUG while troubleshooting, say), naming the loggers to quiet.
 */
public final class HttpHeaderLogging {
  static final String HEADERS = "org.apache.hc.client5.http.headers";
  static final String WIRE = "org.apache.hc.client5.http.wire";

  private static final Logger log = LoggerFactory.getLogger(HttpHeaderLogging.class);

  private HttpHeaderLogging() {}

  /**
   * Logs a WARN when the HTTP client's header or wire logging is on.
   *
   * @param client what opens the client ("the S3 store", "the ClickHouse index")
   * @param credentials what its requests carry that would be printed
   */
  public static void warnIfCredentialsWouldBeLogged(String client, String credentials) {
    for (String name : List.of(HEADERS, WIRE)) {
      if (LoggerFactory.getLogger(name).isDebugEnabled()) {
        log.warn(
            "DEBUG logging of {} is on: the HTTP client of {} prints its requests there, {} among"
                + " them. Set {} and {} to INFO (they are at INFO in Connect's default log"
                + " configuration).",
            name,
            client,
            credentials,
            HEADERS,
            WIRE);
        return;
      }
    }
  }
}
