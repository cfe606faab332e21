/**
 * Pre-flight checks for {@code snapshotter check}: does a connector's configuration parse, can its
 * object store be written the way the sink writes (create-only included), can its index be read and
 * written. Each check says what it did and, when it fails, why, in the service's words.
 */
package io.prism.snapshotter.preflight;
