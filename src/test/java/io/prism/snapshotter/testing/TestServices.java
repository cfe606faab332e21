package io.prism.snapshotter.testing;

import java.net.URI;

/**
 * The addresses of the real services bin/test starts (bin/lib/services.sh). A test that needs one
 * fails, loudly, when it is missing: a skipped index test would pass without testing.
 */
public final class TestServices {
  public static final String CLICKHOUSE_URL = "PRISM_TEST_CLICKHOUSE_URL";
  public static final String REDIS_URL = "PRISM_TEST_REDIS_URL";

  /** ClickHouse's HTTPS port (start_clickhouse), its certificate signed by {@link #TLS_CA}. */
  public static final String CLICKHOUSE_HTTPS_URL = "PRISM_TEST_CLICKHOUSE_HTTPS_URL";

  /** A Redis that speaks only TLS (start_redis_tls): rediss://127.0.0.1:PORT/0. */
  public static final String REDIS_TLS_URL = "PRISM_TEST_REDIS_TLS_URL";

  /**
   * The self-signed certificate (PEM) the TLS endpoints present, for IP 127.0.0.1 only (not
   * 127.0.0.2, where they listen too); and one that signed nothing.
   */
  public static final String TLS_CA = "PRISM_TEST_TLS_CA";

  public static final String TLS_OTHER_CA = "PRISM_TEST_TLS_OTHER_CA";

  /**
   * A Redis on TLS that asks every client for a certificate signed by {@link #TLS_CA}
   * (start_redis_tls); {@link #TLS_CA} with the key {@link #TLS_KEY} is one.
   */
  public static final String REDIS_MTLS_URL = "PRISM_TEST_REDIS_MTLS_URL";

  public static final String TLS_KEY = "PRISM_TEST_TLS_KEY";

  /** The key of {@link #TLS_OTHER_CA}: a client certificate no TLS endpoint here trusts. */
  public static final String TLS_OTHER_KEY = "PRISM_TEST_TLS_OTHER_KEY";

  /**
   * The directory start_clickhouse made: config.xml and clickhouse.pid, for tests that stop and
   * restart it.
   */
  public static final String CLICKHOUSE_DIR = "PRISM_TEST_CLICKHOUSE_DIR";

  /** Azurite's blob endpoint, account name included: http://127.0.0.1:PORT/devstoreaccount1. */
  public static final String AZURITE_URL = "PRISM_TEST_AZURITE_URL";

  /** A connection string for Azurite's well-known account. */
  public static final String AZURITE_CONNECTION_STRING = "PRISM_TEST_AZURITE_CONNECTION_STRING";

  /**
   * The HTTPS Azurite that accepts Entra ID tokens (start_azurite_oauth):
   * https://127.0.0.1:PORT/devstoreaccount1.
   */
  public static final String AZURITE_OAUTH_URL = "PRISM_TEST_AZURITE_OAUTH_URL";

  /**
   * An Azurite on HTTPS with bin/test's own certificate ({@link #tlsCa()}), in no trust store:
   * https://127.0.0.1:PORT/devstoreaccount1.
   */
  public static final String AZURITE_TLS_URL = "PRISM_TEST_AZURITE_TLS_URL";

  /**
   * Where DefaultAzureCredential's App Service managed-identity source finds its token endpoint;
   * the azure-entra-it profile in pom.xml sets it for the test JVM from start_azurite_oauth's
   * PRISM_TEST_IDENTITY_ENDPOINT.
   */
  public static final String IDENTITY_ENDPOINT = "IDENTITY_ENDPOINT";

  private TestServices() {}

  public static URI clickHouseUrl() {
    return URI.create(require(CLICKHOUSE_URL, "start_clickhouse"));
  }

  public static java.nio.file.Path clickHouseDir() {
    return java.nio.file.Path.of(require(CLICKHOUSE_DIR, "start_clickhouse"));
  }

  public static URI redisUrl() {
    return URI.create(require(REDIS_URL, "start_redis"));
  }

  public static URI clickHouseHttpsUrl() {
    return URI.create(require(CLICKHOUSE_HTTPS_URL, "start_clickhouse"));
  }

  public static URI redisTlsUrl() {
    return URI.create(require(REDIS_TLS_URL, "start_redis_tls"));
  }

  public static URI redisMutualTlsUrl() {
    return URI.create(require(REDIS_MTLS_URL, "start_redis_tls"));
  }

  public static java.nio.file.Path tlsKey() {
    return java.nio.file.Path.of(require(TLS_KEY, "start_redis_tls"));
  }

  public static java.nio.file.Path tlsCa() {
    return java.nio.file.Path.of(require(TLS_CA, "start_redis_tls"));
  }

  public static java.nio.file.Path otherTlsKey() {
    return java.nio.file.Path.of(require(TLS_OTHER_KEY, "ensure_test_certificate"));
  }

  public static java.nio.file.Path otherTlsCa() {
    return java.nio.file.Path.of(require(TLS_OTHER_CA, "start_redis_tls"));
  }

  public static URI azuriteUrl() {
    return URI.create(require(AZURITE_URL, "start_azurite"));
  }

  public static String azuriteConnectionString() {
    return require(AZURITE_CONNECTION_STRING, "start_azurite");
  }

  public static URI azuriteOAuthUrl() {
    return URI.create(require(AZURITE_OAUTH_URL, "start_azurite_oauth"));
  }

  public static URI azuriteTlsUrl() {
    return URI.create(require(AZURITE_TLS_URL, "start_azurite"));
  }

  /** Fails unless the test JVM has the managed-identity endpoint in its environment. */
  public static void requireIdentityEndpoint() {
    require(IDENTITY_ENDPOINT, "start_azurite_oauth");
  }

  private static String require(String variable, String starter) {
    String value = System.getenv(variable);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          variable
              + " is not set: run the tests through bin/test, or by hand after "
              + "`source bin/lib/services.sh; "
              + starter
              + "` in the same shell");
    }
    return value;
  }
}
