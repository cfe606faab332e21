package io.prism.snapshotter.storage;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Server-side encryption requested on every S3 write: the single source of the config names. */
public enum S3Encryption {
  /** No header sent; the bucket's default encryption applies. */
  NONE("none"),
  /** S3-managed keys (SSE-S3). */
  AES256("AES256"),
  /** AWS KMS keys (SSE-KMS), with an optional key id (else the AWS-managed key). */
  AWS_KMS("aws:kms");

  private final String configName;

  S3Encryption(String configName) {
    this.configName = configName;
  }

  /** The name in configs, which is also the {@code x-amz-server-side-encryption} value. */
  public String configName() {
    return configName;
  }

  public static Optional<S3Encryption> fromName(String name) {
    return Arrays.stream(values())
        .filter(e -> e.configName.equalsIgnoreCase(name == null ? "" : name.trim()))
        .findFirst();
  }

  public static List<String> allNames() {
    return Arrays.stream(values()).map(S3Encryption::configName).toList();
  }
}
