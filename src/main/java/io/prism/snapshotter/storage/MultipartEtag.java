package io.prism.snapshotter.storage;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * The ETag S3 gives an object completed from a multipart upload: the MD5 of its parts' MD5s (each
 * part's ETag, as 16 bytes, in part order), then {@code -} and the number of parts. S3, MinIO, Ceph
 * and S3Proxy all form it so; it identifies the object's bytes as cut into those parts.
 */
final class MultipartEtag {
  private static final int MD5_HEX_LENGTH = 32;

  private MultipartEtag() {}

  /**
   * The ETag of the object completed from parts with these ETags (quoted or not), without quotes;
   * {@code null} when a part's ETag is not an MD5 (SSE-C or SSE-KMS on AWS), so that nothing can be
   * told from it.
   */
  static String of(List<String> partEtags) {
    if (partEtags.isEmpty()) {
      return null;
    }
    MessageDigest md5 = Md5.newDigest();
    for (String etag : partEtags) {
      String hex = unquote(etag);
      if (hex == null || hex.length() != MD5_HEX_LENGTH) {
        return null;
      }
      try {
        md5.update(HexFormat.of().parseHex(hex));
      } catch (IllegalArgumentException notHex) {
        return null;
      }
    }
    return HexFormat.of().formatHex(md5.digest()) + "-" + partEtags.size();
  }

  private static String unquote(String etag) {
    if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
      return etag.substring(1, etag.length() - 1);
    }
    return etag;
  }
}
