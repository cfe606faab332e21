package io.prism.snapshotter.page;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;

/**
 * zstd compression of page after page on one native context kept between pages.
 *
 * <p>Why: {@code ZstdOutputStream} creates and frees its native stream for every page, and with it
 * zstd's workspace (a few MB at level 3, allocated and its match tables cleared each time). For the
 * sink's ~100 KB pages that set-up is a large share of the compression time; a context that is
 * reused keeps its workspace. The frames are byte-for-byte those of {@code
 * ZstdOutputStreamNoFinalizer} at the same level with the frame checksum (what {@link
 * Compression#ZSTD} writes): the same zstd calls in the same order, i.e. "continue" on write,
 * "flush" on flush, "end" on close.
 *
 * <p>Single-threaded, like the {@link PageEncoder} that owns it. The native context is freed when
 * this object becomes unreachable (the sink's encoders have no close of their own).
 */
final class ReusableZstdCompressor {
  private static final Cleaner CLEANER = Cleaner.create();
  private static final int IN_BYTES = 128 * 1024;
  private static final int OUT_BYTES = 128 * 1024 + 1024;

  private final ZstdCompressCtx ctx;
  private final ByteBuffer in = ByteBuffer.allocateDirect(IN_BYTES);
  private final ByteBuffer out = ByteBuffer.allocateDirect(OUT_BYTES);
  private final byte[] outBytes = new byte[OUT_BYTES];

  ReusableZstdCompressor() {
    ZstdCompressCtx created = new ZstdCompressCtx();
    this.ctx = created;
    CLEANER.register(this, created::close);
  }

  /** {@link #open(OutputStream, int)} at zstd's default level, {@link Compression#ZSTD_LEVEL}. */
  OutputStream open(OutputStream target) {
    return open(target, Compression.ZSTD_LEVEL);
  }

  /**
   * A stream that writes one zstd frame at {@code level} to {@code target}: closing it ends the
   * frame and closes {@code target}. Only one frame at a time; the previous one must be closed (or
   * abandoned after an error: a new frame starts from a reset context either way).
   *
   * @throws IllegalArgumentException if zstd does not {@linkplain Compression#acceptsLevel accept}
   *     {@code level}
   */
  OutputStream open(OutputStream target, int level) {
    Compression.ZSTD.requireLevel(level);
    // Resetting the session drops any half-written frame an earlier failure left; the
    // workspace stays allocated (zstd resizes it when a level needs more). Parameters are set
    // again so the frame never depends on history.
    ctx.reset();
    ctx.setLevel(level);
    ctx.setChecksum(true);
    return new FrameStream(target);
  }

  private final class FrameStream extends OutputStream {
    private final OutputStream target;
    private boolean closed;

    FrameStream(OutputStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ensureOpen();
      while (len > 0) {
        int chunk = Math.min(len, IN_BYTES);
        in.clear();
        in.put(b, off, chunk);
        in.flip();
        while (in.hasRemaining()) {
          compress(EndDirective.CONTINUE);
        }
        off += chunk;
        len -= chunk;
      }
    }

    @Override
    public void flush() throws IOException {
      ensureOpen();
      drain(EndDirective.FLUSH);
      target.flush();
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try (target) {
        drain(EndDirective.END);
      }
    }

    /** Runs {@code directive} with no further input until zstd says everything is out. */
    private void drain(EndDirective directive) throws IOException {
      in.clear();
      in.flip();
      while (!compress(directive)) {
        // zstd had more output than the buffer held: call again
      }
    }

    /**
     * One zstd call on the pending input; its output goes to the target. True when nothing is left
     * to flush.
     */
    private boolean compress(EndDirective directive) throws IOException {
      out.clear();
      boolean done = ctx.compressDirectByteBufferStream(out, in, directive);
      out.flip();
      int produced = out.remaining();
      if (produced > 0) {
        out.get(outBytes, 0, produced);
        target.write(outBytes, 0, produced);
      }
      return done;
    }

    private void ensureOpen() throws IOException {
      if (closed) {
        throw new IOException("This zstd frame is already closed");
      }
    }
  }
}
