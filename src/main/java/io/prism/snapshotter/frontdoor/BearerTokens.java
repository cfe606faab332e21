package io.prism.snapshotter.frontdoor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The accepted bearer tokens, read from a file: one token per line, optionally followed by
 * whitespace and a writer-id prefix the token is limited to; blank lines and lines starting with
 * {@code #} are ignored. Tokens are kept only as SHA-256 digests and compared in constant time
 * ({@link MessageDigest#isEqual}), against every entry, so neither the content nor the position of
 * a match leaks through timing.
 */
final class BearerTokens {
  private record Entry(byte[] digest, WriterScope scope) {}

  private final List<Entry> entries;

  private BearerTokens(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  static BearerTokens load(Path file) throws IOException {
    List<Entry> entries = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length > 2) {
        throw new IllegalArgumentException(
            file
                + " line "
                + (i + 1)
                + ": expected \"<token> [<writer-id-prefix>]\", found "
                + parts.length
                + " words");
      }
      entries.add(new Entry(digest(parts[0]), new WriterScope(parts.length == 2 ? parts[1] : "")));
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(
          file + ": no tokens (token auth with no token admits nobody)");
    }
    return new BearerTokens(entries);
  }

  /** The scope of the presented token, or empty if no entry matches. */
  Optional<WriterScope> scopeOf(String presented) {
    byte[] candidate = digest(presented);
    WriterScope match = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.digest(), candidate) && match == null) {
        match = entry.scope();
      }
    }
    return Optional.ofNullable(match);
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
