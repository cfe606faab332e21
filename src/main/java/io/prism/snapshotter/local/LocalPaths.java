package io.prism.snapshotter.local;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the local stack keeps its state: everything under one data directory, so a restart resumes.
 */
public record LocalPaths(Path data) {

  public LocalPaths {
    data = data.toAbsolutePath().normalize();
  }

  /** The broker's log directory (KRaft metadata and topics). */
  public Path kafka() {
    return data.resolve("kafka");
  }

  public Path brokerProperties() {
    return data.resolve("kafka-server.properties");
  }

  /** The standalone worker's source offsets (the sink's offsets are in Kafka's consumer group). */
  public Path connectOffsets() {
    return data.resolve("connect.offsets");
  }

  public Path pages() {
    return data.resolve("pages");
  }

  public Path indexDb() {
    return data.resolve("index.db");
  }

  /** The connector's effective settings, written at start for {@code replay --config}. */
  public Path connectorProperties() {
    return data.resolve("connector.properties");
  }

  /**
   * Names of what the local stack makes in its data directory (SQLite's journal files and Connect's
   * offset file's companions start with its names).
   */
  private static final List<String> OWN_NAME_PREFIXES =
      List.of(
          "kafka",
          "kafka-server.properties",
          "connect.offsets",
          "pages",
          "index.db",
          "connector.properties");

  /**
   * Deletes the whole data directory ({@code --fresh}), refusing one that holds anything the local
   * stack did not make: {@code --fresh --data .} (or a home directory) must not delete a user's
   * files.
   *
   * @throws IllegalArgumentException the directory holds entries that are not the local stack's, or
   *     is no directory (nothing is deleted then)
   */
  public void wipe() throws IOException {
    if (!Files.exists(data, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    refuseUnlessOwnDataDirectory();
    Files.walkFileTree(
        data,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private void refuseUnlessOwnDataDirectory() throws IOException {
    if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException(
          "--fresh: " + data + " is not a directory; nothing was deleted");
    }
    List<String> foreign;
    try (Stream<Path> entries = Files.list(data)) {
      foreign =
          entries
              .map(entry -> entry.getFileName().toString())
              .filter(name -> OWN_NAME_PREFIXES.stream().noneMatch(name::startsWith))
              .sorted()
              .limit(5)
              .toList();
    }
    if (!foreign.isEmpty()) {
      throw new IllegalArgumentException(
          "--fresh: "
              + data
              + " holds "
              + String.join(", ", foreign)
              + ", which the local stack did not make; nothing was deleted (give --data a directory"
              + " of its own, or empty this one yourself)");
    }
  }
}
