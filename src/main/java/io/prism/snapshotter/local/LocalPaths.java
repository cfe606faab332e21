package io.prism.snapshotter.local;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

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

  /** Deletes the whole data directory ({@code --fresh}). */
  public void wipe() throws IOException {
    if (!Files.exists(data)) {
      return;
    }
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
}
