/**
 * Object storage: the {@link io.prism.snapshotter.storage.ObjectStore} interface (the RFC's {@code
 * storage_object}), its filesystem and S3 backends, key rules ({@link
 * io.prism.snapshotter.storage.ObjectKeys}), page key templates ({@link
 * io.prism.snapshotter.storage.KeyTemplate}) and the safe encoding of untrusted writer ids ({@link
 * io.prism.snapshotter.storage.WriterIds}).
 *
 * <p>Knows nothing of Kafka Connect (only Kafka's config types) nor of page codecs, so the replay
 * CLI and other tools use it as it is. {@link io.prism.snapshotter.storage.ObjectStores} reads the
 * {@code config} package's {@code StorageConfig}.
 */
package io.prism.snapshotter.storage;
