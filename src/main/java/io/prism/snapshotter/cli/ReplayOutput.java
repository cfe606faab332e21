package io.prism.snapshotter.cli;

import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** The output formats of {@code replay --output}. */
enum ReplayOutput {
  /** The RFC's NDJSON event lines (payload in base64), one per event. */
  NDJSON("ndjson"),
  /**
   * Each payload's bytes as they are, followed by one newline byte (payloads holding newlines stay
   * ambiguous).
   */
  RAW("raw"),
  /** Length-delimited {@code prism.snapshotter.Event} messages (protobuf's writeDelimitedTo). */
  PROTOBUF_DELIMITED("protobuf-delimited");

  private final String optionName;

  ReplayOutput(String optionName) {
    this.optionName = optionName;
  }

  String optionName() {
    return optionName;
  }

  static String names() {
    return Arrays.stream(values()).map(ReplayOutput::optionName).collect(Collectors.joining(", "));
  }

  /** Parses {@code --output}. */
  static final class Converter implements CommandLine.ITypeConverter<ReplayOutput> {
    @Override
    public ReplayOutput convert(String value) {
      for (ReplayOutput o : values()) {
        if (o.optionName.equalsIgnoreCase(value)) {
          return o;
        }
      }
      throw new CommandLine.TypeConversionException("'" + value + "' is not one of " + names());
    }
  }
}
