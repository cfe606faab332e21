package io.prism.snapshotter.preflight;

import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.storage.KeyContext;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ObjectAlreadyExistsException;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The object store used as the sink uses it, on one probe object whose key the connector's own key
 * template renders (so a bucket policy or a permission on a prefix is met exactly as the sink meets
 * it): a create-only write, a second create-only write to the same key that must be refused (what
 * keeps a zombie task from overwriting a newer page), read, list, head, delete. The probe object is
 * deleted at the end, also when a check fails.
 */
public final class StoreChecks {
  static final String SUBJECT = "storage";

  /** The writer id and topic the probe key is rendered with: recognisable in a listing. */
  static final String PROBE_NAME = "_prism-check";

  private final ObjectStore store;
  private final KeyTemplate keys;
  private final List<Check> checks = new ArrayList<>();

  private StoreChecks(ObjectStore store, KeyTemplate keys) {
    this.store = store;
    this.keys = keys;
  }

  /** Every check, in order; after the first failure the ones that depend on it are skipped. */
  public static List<Check> run(ObjectStore store, KeyTemplate keys, long nowMillis) {
    return new StoreChecks(store, keys).all(nowMillis);
  }

  /**
   * Without writing: a listing under the key template's literal prefix, and the first bytes of the
   * first object found there. What replay, {@code pages cat} and reindex need, with read-only
   * credentials.
   */
  public static List<Check> runReadOnly(ObjectStore store, KeyTemplate keys) {
    StoreChecks run = new StoreChecks(store, keys);
    String prefix = keys.literalPrefix();
    String[] first = new String[1];
    boolean listed =
        run.attempt(
            "list",
            () -> {
              List<ObjectInfo> objects = store.list(prefix, 1, null).objects();
              first[0] = objects.isEmpty() ? null : objects.get(0).key();
              return "listed "
                  + store.describe()
                  + " under "
                  + (prefix.isEmpty() ? "(everything)" : "'" + prefix + "'")
                  + (first[0] == null ? ": no objects there yet" : ": found " + first[0]);
            });
    if (!listed || first[0] == null) {
      run.checks.add(
          Check.skipped(
              SUBJECT, "read", listed ? "no object to read yet" : "the store could not be listed"));
      return run.checks;
    }
    run.attempt(
        "read",
        () -> {
          try (InputStream in = store.get(first[0], 0, 64)) {
            return "read the first " + in.readAllBytes().length + " bytes of " + first[0];
          }
        });
    return run.checks;
  }

  /**
   * For a filesystem store whose directory is not there yet: whether the sink can create it, and
   * the probes skipped, since each would create it ({@link NotCreatedYet} says why not).
   */
  public static List<Check> runWhereNotCreatedYet(Path directory) {
    List<Check> checks = new ArrayList<>();
    checks.add(NotCreatedYet.check(SUBJECT, directory, StorageConfig.FILESYSTEM_PATH));
    for (String name : List.of("write", "create-only", "read", "list", "delete")) {
      checks.add(
          Check.skipped(SUBJECT, name, "the store's directory is not there yet (see location)"));
    }
    return checks;
  }

  /**
   * {@link #runReadOnly} for a filesystem store whose directory is not there: a failure, as for a
   * missing SQLite index. A reader's mistyped path (or a relative one run from another directory)
   * would otherwise list an empty new directory and answer "no objects".
   */
  public static List<Check> runReadOnlyWhereNotCreatedYet(Path directory) {
    return List.of(
        Check.failed(
            SUBJECT,
            "list",
            "no store directory at "
                + directory.toAbsolutePath().normalize()
                + " ("
                + StorageConfig.FILESYSTEM_PATH
                + "): give the --config the connector runs with, or check again once the sink has"
                + " stored a page"),
        Check.skipped(SUBJECT, "read", "the store could not be listed"));
  }

  /** A probe key as the sink would render it for writer {@value #PROBE_NAME}. */
  static String probeKey(KeyTemplate keys, long nowMillis) {
    return keys.render(
        new KeyContext(
            PROBE_NAME + "-" + UUID.randomUUID(),
            nowMillis,
            0,
            PROBE_NAME,
            0,
            0,
            "probe",
            ".probe",
            "none"));
  }

  private List<Check> all(long nowMillis) {
    String key = probeKey(keys, nowMillis);
    byte[] first = ("prism snapshotter check " + key).getBytes(StandardCharsets.UTF_8);
    if (!attempt(
        "write",
        () -> {
          String stored = "stored " + first.length + " bytes at " + key + " in " + store.describe();
          try {
            store.put(key, new ByteArrayInputStream(first), first.length, PutOptions.ifAbsent());
          } catch (ObjectAlreadyExistsException refused) {
            requireOwnProbe(key, first, refused);
            return stored
                + " (create-only; a retry of the write was refused as the key existed: its first"
                + " attempt had stored the probe, whose answer was lost)";
          }
          return stored + " (create-only)";
        })) {
      skipRest("create-only", "read", "list", "delete");
      return checks;
    }
    try {
      if (createOnlyReplacedTheObject(key)) {
        checks.add(
            Check.skipped(SUBJECT, "read", "the probe object was replaced by the second write"));
      } else {
        // Refused as it must be, or failed for another reason (the network, say): the probe
        // should still hold the first write.
        attempt("read", () -> readBack(key, first));
      }
      attempt(
          "list",
          () -> {
            // The key itself as the prefix: found whatever else lies beside it.
            boolean listed =
                store.list(key, 10, null).objects().stream()
                    .anyMatch(object -> object.key().equals(key));
            if (!listed) {
              throw new CheckFailure("a listing does not show the object just written");
            }
            return "a listing shows it (reindex and compaction list the store)";
          });
    } finally {
      attempt(
          "delete",
          () -> {
            store.delete(key);
            if (store.head(key).isPresent()) {
              throw new CheckFailure("the object is still there after delete");
            }
            return "deleted the probe object (compaction deletes the pages it merges)";
          });
    }
    return checks;
  }

  /**
   * After the probe's first create-only write was refused: the key is new (a random id in it), so
   * the object there is the probe itself when the write's first attempt stored it and the SDK's
   * retry (its answer was lost) was refused with 412. That object is the probe if it holds the
   * probe's bytes; anything else is another writer's, and stays.
   */
  private void requireOwnProbe(String key, byte[] probe, ObjectAlreadyExistsException refused)
      throws CheckFailure, IOException {
    Optional<ObjectInfo> there = store.head(key);
    if (there.isPresent()
        && there.get().size() == probe.length
        && Arrays.equals(readAll(key), probe)) {
      return;
    }
    throw new CheckFailure(
        "a create-only write to the new probe key was refused ("
            + Check.reason(refused)
            + "), and the object there "
            + there.map(o -> "(" + o.size() + " bytes) is not the probe").orElse("is gone")
            + ": does another process write under this key template?");
  }

  /**
   * Checks that a second create-only write to {@code key} is refused; returns whether it replaced
   * the object instead (a failed write for another reason did not).
   */
  private boolean createOnlyReplacedTheObject(String key) {
    byte[] second = "overwritten".getBytes(StandardCharsets.UTF_8);
    boolean[] replaced = {false};
    attempt(
        "create-only",
        () -> {
          try {
            store.put(key, new ByteArrayInputStream(second), second.length, PutOptions.ifAbsent());
          } catch (ObjectAlreadyExistsException refused) {
            return "a second create-only write to the same key was refused, as it must be";
          }
          replaced[0] = true;
          throw new CheckFailure(
              "a second create-only write to the same key REPLACED the object: this store ignores"
                  + " conditional writes (S3: If-None-Match: *), so a task that lost its partitions could overwrite a newer"
                  + " page. Use a store that honours them (AWS S3, MinIO, Azure, GCS do) before relying on the sink's"
                  + " zombie protection");
        });
    return replaced[0];
  }

  private String readBack(String key, byte[] written) throws CheckFailure, IOException {
    byte[] read = readAll(key);
    if (!Arrays.equals(read, written)) {
      throw new CheckFailure(
          "read back "
              + read.length
              + " bytes that differ from the "
              + written.length
              + " written");
    }
    Optional<ObjectInfo> info = store.head(key);
    if (info.isEmpty() || info.get().size() != written.length) {
      throw new CheckFailure(
          "head says "
              + info.map(i -> i.size() + " bytes").orElse("no such object")
              + " for the object just read ("
              + written.length
              + " bytes)");
    }
    return "read back the same " + written.length + " bytes; head agrees";
  }

  private byte[] readAll(String key) throws IOException {
    try (InputStream in = store.get(key)) {
      return in.readAllBytes();
    }
  }

  private boolean attempt(String name, Step step) {
    try {
      checks.add(Check.passed(SUBJECT, name, step.run()));
      return true;
    } catch (CheckFailure | IOException | RuntimeException e) {
      checks.add(Check.failed(SUBJECT, name, Check.reason(e)));
      return false;
    }
  }

  private void skipRest(String... names) {
    for (String name : names) {
      checks.add(Check.skipped(SUBJECT, name, "the probe object could not be written"));
    }
  }

  private interface Step {
    String run() throws CheckFailure, IOException;
  }
}
