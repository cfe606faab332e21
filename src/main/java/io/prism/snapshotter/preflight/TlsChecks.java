package io.prism.snapshotter.preflight;

import io.prism.snapshotter.config.AzureStorageKeys;
import io.prism.snapshotter.config.ClickHouseIndexKeys;
import io.prism.snapshotter.config.GcsStorageKeys;
import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.RedisIndexKeys;
import io.prism.snapshotter.config.S3StorageKeys;
import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.index.ClickHouseSettings;
import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.RedisSettings;
import io.prism.snapshotter.storage.StorageBackend;
import io.prism.snapshotter.util.TlsCaFile;
import io.prism.snapshotter.util.TlsClientIdentity;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The certificates of the TLS settings in use: an expired CA or client certificate fails every
 * handshake, so a certificate that has expired (or is not valid yet) fails the check, and one that
 * expires within {@link #SOON} passes with the date to renew it by. Settings of backends not in use
 * are not looked at.
 */
public final class TlsChecks {
  static final String SUBJECT = "tls";
  static final Duration SOON = Duration.ofDays(30);
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private TlsChecks() {}

  public static List<Check> run(SnapshotterConfig config, Instant now) {
    List<Check> checks = new ArrayList<>();
    IndexConfig index = config.index();
    List<IndexBackend> indexes = new ArrayList<>(index.secondaries());
    indexes.add(index.backend());
    if (indexes.contains(IndexBackend.CLICKHOUSE)) {
      ClickHouseSettings clickHouse = index.clickHouse();
      addFiles(
          checks,
          ClickHouseIndexKeys.TLS_CA_FILE,
          clickHouse.tlsCa(),
          ClickHouseIndexKeys.TLS_CLIENT_CERT_FILE,
          clickHouse.tlsClient(),
          now);
    }
    if (indexes.contains(IndexBackend.REDIS)) {
      RedisSettings redis = index.redis();
      addFiles(
          checks,
          RedisIndexKeys.TLS_CA_FILE,
          redis.tlsCa(),
          RedisIndexKeys.TLS_CLIENT_CERT_FILE,
          redis.tlsClient(),
          now);
    }
    StorageConfig storage = config.storage();
    if (storage.backend() == StorageBackend.S3 && storage.s3Settings().tlsCa() != null) {
      checks.add(
          check(S3StorageKeys.TLS_CA_FILE, storage.s3Settings().tlsCa().certificates(), now));
    }
    if (storage.backend() == StorageBackend.AZURE && storage.azureSettings().tlsCa() != null) {
      checks.add(
          check(AzureStorageKeys.TLS_CA_FILE, storage.azureSettings().tlsCa().certificates(), now));
    }
    if (storage.backend() == StorageBackend.GCS && storage.gcsSettings().tlsCa() != null) {
      checks.add(
          check(GcsStorageKeys.TLS_CA_FILE, storage.gcsSettings().tlsCa().certificates(), now));
    }
    return checks;
  }

  /** A backend's CA file and client certificate, those that are set. */
  private static void addFiles(
      List<Check> checks,
      String caKey,
      TlsCaFile ca,
      String clientKey,
      TlsClientIdentity client,
      Instant now) {
    if (ca != null) {
      checks.add(check(caKey, ca.certificates(), now));
    }
    if (client != null) {
      checks.add(check(clientKey, client.certificates(), now));
    }
  }

  /** One setting's certificates: the first that is not valid now, else the first to expire. */
  static Check check(String key, List<X509Certificate> certificates, Instant now) {
    String count =
        certificates.size() == 1 ? "1 certificate" : certificates.size() + " certificates";
    for (X509Certificate c : certificates) {
      if (c.getNotAfter().toInstant().isBefore(now)) {
        return Check.failed(
            SUBJECT,
            key,
            name(c)
                + " expired on "
                + DAY.format(c.getNotAfter().toInstant())
                + ": every TLS handshake that needs it fails; renew it");
      }
      if (c.getNotBefore().toInstant().isAfter(now)) {
        return Check.failed(
            SUBJECT,
            key,
            name(c)
                + " is not valid before "
                + DAY.format(c.getNotBefore().toInstant())
                + " (is this machine's clock right?)");
      }
    }
    X509Certificate first =
        certificates.stream().min(Comparator.comparing(X509Certificate::getNotAfter)).orElseThrow();
    Instant expiry = first.getNotAfter().toInstant();
    Duration left = Duration.between(now, expiry);
    String when = DAY.format(expiry);
    return Check.passed(
        SUBJECT,
        key,
        left.compareTo(SOON) < 0
            ? count
                + "; "
                + name(first)
                + " expires in "
                + left.toDays()
                + " days, on "
                + when
                + ": renew it before then"
            : count + ", valid until " + when + " at least (" + name(first) + ")");
  }

  private static String name(X509Certificate c) {
    return "'" + c.getSubjectX500Principal().getName() + "'";
  }
}
