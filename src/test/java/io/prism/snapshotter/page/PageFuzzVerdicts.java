package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;

/** What the page fuzz targets accept as a proper rejection of a bad page. */
final class PageFuzzVerdicts {
  private PageFuzzVerdicts() {}

  static void assertClearRejection(PageFormatException e) {
    assertThat(e.getMessage()).as("the rejection's message").isNotBlank();
    // DecodingCursor's last-resort catch: a decoder threw an unchecked exception nobody
    // anticipated.
    // The reader keeps its contract, but the message names a Java exception rather than what is
    // wrong with the page, so reaching it is a finding. (Matched on the cause, not on the text:
    // the page's own strings end up in messages, and the fuzzer learns to write the text.)
    if (e.getCause() instanceof RuntimeException cause
        && e.getMessage().endsWith(": undecodable page (" + cause + ")")) {
      throw new AssertionError(
          "a decoder failed with an unanticipated "
              + cause.getClass().getName()
              + ": "
              + e.getMessage(),
          e);
    }
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof Error error) {
        throw error;
      }
    }
  }
}
