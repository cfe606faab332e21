package io.prism.snapshotter.cli;

import io.prism.snapshotter.storage.WriterIds;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A writer id given in the encoding its keys show ({@link WriterIds#encode}: {@code a%00b%0Ac} for
 * "a", NUL, "b", newline, "c"). Argv cannot carry a NUL at all, and the JVM decodes argv in the
 * locale's charset, so under {@code LANG=C} (many containers) a non-ASCII id typed as is arrives as
 * {@code ?}s: in its key encoding, which is plain ASCII, every writer id can be given exactly.
 */
final class EncodedWriterArgument implements ITypeConverter<String> {
  @Override
  public String convert(String value) {
    try {
      return WriterIds.decode(value);
    } catch (IllegalArgumentException e) {
      // decode names the segment and what is wrong with it (also: a hashed id is not reversible).
      throw new TypeConversionException(e.getMessage());
    }
  }
}
