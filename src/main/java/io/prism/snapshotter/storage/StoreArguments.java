package io.prism.snapshotter.storage;

import java.util.Objects;

/**
 * The argument checks every {@link ObjectStore} makes before any I/O, in one place so that the
 * backends refuse bad calls with the same messages (the contract suite checks them).
 */
final class StoreArguments {
    private StoreArguments() {}

    /** A put's key, body, length and options. */
    static void checkPut(String key, Object body, long length, PutOptions options) {
        ObjectKeys.validate(key);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(options, "options");
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
    }

    /** A ranged get's key, offset and length. */
    static void checkRange(String key, long offset, long length) {
        ObjectKeys.validate(key);
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
    }
}
