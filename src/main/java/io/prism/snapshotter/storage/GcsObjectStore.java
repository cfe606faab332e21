package io.prism.snapshotter.storage;

import com.google.api.gax.paging.Page;
import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.HttpStorageOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.Storage.BlobWriteOption;
import com.google.cloud.storage.StorageOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectStore} on Google Cloud Storage, through the Google Cloud Java client over the
 * JSON API (HTTP; its gRPC transport is left out of the build).
 *
 * <ul>
 *   <li>Objects up to the chunk size go up in one request; larger ones as a resumable upload in
 *       chunks of that size. A resumable upload that fails is abandoned, never finalized, so no
 *       partial object appears (GCS drops the session after a week).
 *   <li>Create-only writes carry {@code ifGenerationMatch=0} ({@code doesNotExist()}); GCS then
 *       answers 412 when the key exists, which becomes {@link ObjectAlreadyExistsException}.
 *   <li>Reads are pinned to the generation {@code head} found, so an overwrite during a read cannot
 *       splice two versions into one stream.
 *   <li>Errors are classified by {@link GcsErrors}.
 * </ul>
 *
 * <p>Not tested against a server here: no GCS-compatible server runs on these machines (see the
 * README).
 */
public final class GcsObjectStore implements ObjectStore {

  private static final Logger log = LoggerFactory.getLogger(GcsObjectStore.class);

  /** A few quick tries inside the client; the sink's own retry loop handles longer outages. */
  private static final RetrySettings RETRIES =
      RetrySettings.newBuilder()
          .setMaxAttempts(3)
          .setInitialRetryDelayDuration(Duration.ofMillis(200))
          .setRetryDelayMultiplier(2.0)
          .setMaxRetryDelayDuration(Duration.ofSeconds(2))
          .setTotalTimeoutDuration(Duration.ofSeconds(60))
          .setInitialRpcTimeoutDuration(Duration.ofSeconds(60))
          .setMaxRpcTimeoutDuration(Duration.ofSeconds(60))
          .setRpcTimeoutMultiplier(1.0)
          .build();

  private final Storage storage;
  private final GcsSettings settings;
  private final String description;

  /**
   * Uses {@code storage} (closed by {@link #close()}) with {@code settings} for bucket and chunk
   * size.
   */
  public GcsObjectStore(Storage storage, GcsSettings settings) {
    this.storage = Objects.requireNonNull(storage, "storage");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.description = settings.describe();
  }

  /** Builds a client from {@code settings} and opens a store on it. */
  public static GcsObjectStore open(GcsSettings settings) {
    return new GcsObjectStore(buildClient(settings), settings);
  }

  /** The client for {@code settings}: JSON API over HTTP, credentials, endpoint and retries. */
  public static Storage buildClient(GcsSettings settings) {
    HttpStorageOptions.Builder builder = StorageOptions.http().setRetrySettings(RETRIES);
    if (settings.projectId() != null) {
      builder.setProjectId(settings.projectId());
    }
    if (settings.endpoint() != null) {
      builder.setHost(settings.endpoint().toString());
    }
    if (settings.credentialsFile() != null) {
      try (InputStream key = Files.newInputStream(settings.credentialsFile())) {
        builder.setCredentials(GoogleCredentials.fromStream(key));
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read the GCS credentials file "
                + settings.credentialsFile()
                + ": "
                + e.getMessage(),
            e);
      }
    } else if (settings.endpoint() != null) {
      // An endpoint without a key file is an emulator, which takes no credentials.
      builder.setCredentials(NoCredentials.getInstance());
    }
    return builder.build().getService();
  }

  @Override
  public PutResult put(String key, InputStream body, long length, PutOptions options) {
    StoreArguments.checkPut(key, body, length, options);
    String operation = options.createOnly() ? "create-only put" : "put";
    BlobInfo info =
        BlobInfo.newBuilder(blobId(key))
            .setContentType(options.contentType())
            .setMetadata(options.userMetadata().isEmpty() ? null : options.userMetadata())
            .build();
    try {
      BlobInfo stored =
          length <= settings.chunkSizeBytes()
              ? putSingle(
                  info, StoreArguments.readExactly(body, (int) length, key, description), options)
              : putResumable(info, body, length, options);
      return new PutResult(
          stored.getEtag(),
          length,
          stored.getGeneration() == null ? null : Long.toString(stored.getGeneration()));
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw GcsErrors.classify(operation, key, description, e);
    }
  }

  @Override
  public InputStream get(String key) {
    return get(key, 0, Long.MAX_VALUE);
  }

  @Override
  public InputStream get(String key, long offset, long length) {
    StoreArguments.checkRange(key, offset, length);
    try {
      Blob blob = storage.get(blobId(key));
      if (blob == null) {
        throw new FailedCall("get", key, description).noSuchObject("", null);
      }
      long size = blob.getSize() == null ? 0 : blob.getSize();
      if (length == 0 || offset >= size) {
        return InputStream.nullInputStream();
      }
      ReadChannel reader = storage.reader(BlobId.of(settings.bucket(), key, blob.getGeneration()));
      reader.seek(offset);
      if (length < size - offset) {
        reader.limit(offset + length);
      }
      return Channels.newInputStream(reader);
    } catch (IOException | RuntimeException e) {
      throw GcsErrors.classify("get", key, description, e);
    }
  }

  @Override
  public boolean delete(String key) {
    ObjectKeys.validate(key);
    try {
      return storage.delete(blobId(key));
    } catch (RuntimeException e) {
      throw GcsErrors.classify("delete", key, description, e);
    }
  }

  @Override
  public ListPage list(String prefix, int maxKeys, String continuationToken) {
    StoreArguments.checkList(maxKeys);
    String safePrefix = prefix == null ? "" : prefix;
    List<BlobListOption> listOptions = new ArrayList<>();
    listOptions.add(BlobListOption.pageSize(Math.min(maxKeys, MAX_KEYS_PER_PAGE)));
    if (!safePrefix.isEmpty()) {
      listOptions.add(BlobListOption.prefix(safePrefix));
    }
    if (continuationToken != null) {
      listOptions.add(BlobListOption.pageToken(continuationToken));
    }
    try {
      Page<Blob> page = storage.list(settings.bucket(), listOptions.toArray(BlobListOption[]::new));
      List<ObjectInfo> objects = new ArrayList<>();
      for (Blob blob : page.getValues()) {
        objects.add(
            ObjectInfo.listed(
                blob.getName(),
                blob.getSize() == null ? 0 : blob.getSize(),
                millis(blob.getUpdateTimeOffsetDateTime()),
                blob.getEtag()));
      }
      String next = page.getNextPageToken();
      return new ListPage(objects, next == null || next.isEmpty() ? null : next);
    } catch (RuntimeException e) {
      throw GcsErrors.classify("list", safePrefix + "*", description, e);
    }
  }

  /**
   * A missing bucket reads as a missing object here: the JSON API's object GET does not tell them
   * apart.
   */
  @Override
  public Optional<ObjectInfo> head(String key) {
    ObjectKeys.validate(key);
    try {
      Blob blob = storage.get(blobId(key));
      if (blob == null) {
        return Optional.empty();
      }
      return Optional.of(
          new ObjectInfo(
              key,
              blob.getSize() == null ? 0 : blob.getSize(),
              millis(blob.getUpdateTimeOffsetDateTime()),
              blob.getEtag(),
              blob.getContentType(),
              blob.getMetadata()));
    } catch (RuntimeException e) {
      throw GcsErrors.classify("head", key, description, e);
    }
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    try {
      storage.close();
    } catch (Exception e) {
      log.warn("Closing the GCS client of {} failed: {}", description, e.toString());
    }
  }

  @Override
  public String toString() {
    return "GcsObjectStore[" + description + "]";
  }

  private BlobId blobId(String key) {
    return BlobId.of(settings.bucket(), key);
  }

  private BlobInfo putSingle(BlobInfo info, byte[] content, PutOptions options) {
    return options.createOnly()
        ? storage.create(info, content, BlobTargetOption.doesNotExist())
        : storage.create(info, content);
  }

  private BlobInfo putResumable(BlobInfo info, InputStream body, long length, PutOptions options)
      throws IOException {
    WriteChannel writer =
        options.createOnly()
            ? storage.writer(info, BlobWriteOption.doesNotExist())
            : storage.writer(info);
    int chunkSize = (int) settings.chunkSizeBytes();
    writer.setChunkSize(chunkSize);
    log.debug("Resumable upload of '{}' in {} ({} bytes)", info.getName(), description, length);
    long remaining = length;
    while (remaining > 0) {
      int size = (int) Math.min(chunkSize, remaining);
      ByteBuffer chunk =
          ByteBuffer.wrap(StoreArguments.readExactly(body, size, info.getName(), description));
      while (chunk.hasRemaining()) {
        writer.write(chunk);
      }
      remaining -= size;
    }
    // Closing finalizes the object: only ever after every byte was written (never in a finally
    // block).
    writer.close();
    Blob stored = storage.get(info.getBlobId());
    if (stored == null) {
      throw new StorageException(
          new FailedCall("put", info.getName(), description).where()
              + ": the finished upload is not visible",
          true);
    }
    return stored;
  }

  private static long millis(OffsetDateTime time) {
    return time == null ? 0 : time.toInstant().toEpochMilli();
  }
}
