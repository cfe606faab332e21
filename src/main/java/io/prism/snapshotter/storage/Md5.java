package io.prism.snapshotter.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** MD5, as the stores use it to tell an object they sent (ETags, Content-MD5, md5Hash). */
final class Md5 {
  private Md5() {}

  /** A new MD5 digest; every Java runtime has one. */
  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has MD5", e);
    }
  }
}
