package io.prism.snapshotter.frontdoor;

import io.grpc.Context;

/**
 * Which writer ids the caller may publish: those starting with a prefix (the empty prefix admits
 * every writer). Set per call by {@link TokenAuthInterceptor}; without token auth, every caller has
 * {@link #ANY}.
 */
record WriterScope(String writerIdPrefix) {
  static final WriterScope ANY = new WriterScope("");
  static final Context.Key<WriterScope> CONTEXT_KEY =
      Context.keyWithDefault("prism-writer-scope", ANY);

  static WriterScope current() {
    return CONTEXT_KEY.get();
  }

  boolean permits(String writerId) {
    return writerId.startsWith(writerIdPrefix);
  }
}
