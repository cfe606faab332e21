package io.prism.snapshotter.preflight;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A local path the sink creates when it starts (the filesystem store's directory, the SQLite
 * index's file, and the directories above them) that is not there yet. {@code check} does not
 * create it: made by the check, it would stay behind, empty, owned by whoever ran the check (often
 * root, not the worker's user), and the sink would later fail on it. Instead the check asks whether
 * the sink will be able to: the nearest directory above the path that exists must take a new entry,
 * tried for real (a directory made and removed at once), so a read-only mount, an ACL or a full
 * disk shows as it would to the sink.
 */
final class NotCreatedYet {
  static final String NAME = "location";

  /** The prefix of the directory made and removed at once to try the parent's writability. */
  static final String TRIAL_PREFIX = ".prism-check-";

  private NotCreatedYet() {}

  /**
   * Whether the sink can create {@code path} ({@code key} names the setting it comes from): passed
   * when the nearest existing directory above it takes a new entry, failed saying why not.
   */
  static Check check(String subject, Path path, String key) {
    Path absolute = path.toAbsolutePath().normalize();
    String missing = absolute + " (" + key + ") does not exist";
    Path existing = absolute;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing)) {
      String what =
          existing == null
              ? "no directory above it exists"
              : existing.equals(absolute)
                  ? "it is a symbolic link to nothing"
                  : existing + " is not a directory";
      return Check.failed(subject, NAME, missing + ", and the sink cannot create it: " + what);
    }
    Path trial;
    try {
      trial = Files.createTempDirectory(existing, TRIAL_PREFIX);
    } catch (IOException | RuntimeException e) {
      return Check.failed(
          subject,
          NAME,
          missing
              + ", and the sink cannot create it: "
              + existing
              + " is not writable ("
              + Check.reason(e)
              + ")");
    }
    try {
      Files.delete(trial);
    } catch (IOException e) {
      return Check.failed(
          subject, NAME, "made " + trial + " to try writing there, and cannot remove it: " + e);
    }
    return Check.passed(
        subject,
        NAME,
        missing
            + " yet: the sink creates it when it starts, and can ("
            + existing
            + " is writable). Not created by check: run it again once the sink has started to"
            + " try the rest");
  }
}
