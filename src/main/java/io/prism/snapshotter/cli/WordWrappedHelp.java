package io.prism.snapshotter.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * picocli's usage help, its text wrapped at spaces only, at the terminal's width up to {@value
 * #MAX_WIDTH} columns.
 *
 * <p>picocli wraps with {@link java.text.BreakIterator}'s line breaks, which fall after every '.',
 * ':' and ',' too: inside the config keys, file names, addresses and times our help names ({@code
 * local.topic.} / {@code partitions}, {@code connector.} / {@code properties}, {@code 127.0.0.1:} /
 * {@code 8080}), words a reader copies into a shell or a file. Here a line breaks only at a space;
 * a word longer than its column is still cut, as picocli would.
 *
 * <p>Each element of a {@code description} is a paragraph, wrapped to the width; the first is the
 * command's summary in its parent's command list. An element that starts with spaces is a list
 * item, its wrapped lines indented under its text.
 */
final class WordWrappedHelp extends Help {
  /** Lines longer than this read poorly, however wide the terminal. */
  static final int MAX_WIDTH = 120;

  /** For {@link CommandLine#setHelpFactory}. */
  static final CommandLine.IHelpFactory FACTORY = WordWrappedHelp::new;

  WordWrappedHelp(CommandSpec spec, ColorScheme colorScheme) {
    super(narrowed(spec), colorScheme);
  }

  /**
   * Caps the terminal's width ({@code usageHelpAutoWidth}) at {@link #MAX_WIDTH}. Only help that is
   * printed gets here, so the terminal is asked for its width (picocli runs {@code stty}, once per
   * process) only then.
   */
  private static CommandSpec narrowed(CommandSpec spec) {
    UsageMessageSpec usage = spec.usageMessage();
    if (usage.autoWidth() && usage.width() > MAX_WIDTH) {
      usage.autoWidth(false);
      usage.width(MAX_WIDTH);
    }
    return spec;
  }

  @Override
  public Layout createDefaultLayout(
      List<OptionSpec> options, List<PositionalParamSpec> positionals, ColorScheme scheme) {
    Layout layout = super.createDefaultLayout(options, positionals, scheme);
    return new Layout(
        scheme,
        WordWrappedTable.like(layout.textTable(), scheme),
        layout.optionRenderer(),
        layout.parameterRenderer());
  }

  @Override
  public TextTable createTextTable(Map<?, ?> map) {
    return WordWrappedTable.like(super.createTextTable(map), colorScheme());
  }

  /**
   * As picocli's (4.7), with its indentation rules for the synopsis' wrapped lines, in a table that
   * breaks at spaces only: picocli's would split {@code [--target=host:port]} after the ':'.
   */
  @Override
  protected String insertSynopsisCommandName(int headingLength, Ansi.Text details) {
    if (headingLength < 0) {
      throw new IllegalArgumentException(
          "synopsisHeadingLength must be a positive number but was " + headingLength);
    }
    String name = commandSpec().qualifiedName();
    UsageMessageSpec usage = commandSpec().usageMessage();
    int width = usage.width();
    int indent = headingLength + name.length() + 1;
    if (indent > usage.synopsisAutoIndentThreshold() * width) {
      indent = usage.synopsisIndent() < 0 ? headingLength : usage.synopsisIndent();
      indent = Math.min(indent, (int) (0.9 * width));
    }
    TextTable table =
        new WordWrappedTable(colorScheme(), new Column(width, 0, Column.Overflow.WRAP));
    table.setAdjustLineBreaksForWideCJKCharacters(usage.adjustLineBreaksForWideCJKCharacters());
    table.indentWrappedLines = indent;
    Ansi.Text heading = Ansi.OFF.new Text("X".repeat(headingLength), colorScheme());
    table.addRowValues(heading.concat(colorScheme().commandText(name)).concat(details));
    return table.toString().substring(headingLength);
  }

  @Override
  public String description(Object... params) {
    return paragraphs(commandSpec().usageMessage().description(), params);
  }

  @Override
  public String header(Object... params) {
    return paragraphs(commandSpec().usageMessage().header(), params);
  }

  @Override
  public String footer(Object... params) {
    return paragraphs(commandSpec().usageMessage().footer(), params);
  }

  /** As picocli's {@link Help#join}: each element a paragraph over the whole width. */
  private String paragraphs(String[] elements, Object... params) {
    if (elements == null || elements.length == 0) {
      return "";
    }
    TextTable table =
        new WordWrappedTable(
            colorScheme(),
            new Column(commandSpec().usageMessage().width(), 0, Column.Overflow.WRAP));
    for (String element : elements) {
      // As picocli's: %n in an element starts a new line.
      for (Ansi.Text line :
          colorScheme().ansi().new Text(String.format(element, params), colorScheme())
              .splitLines()) {
        // An indented paragraph is a list item: its wrapped lines hang under its text.
        table.indentWrappedLines = hangingIndent(line.plainString());
        table.addRowValues(line);
      }
    }
    return table.toString();
  }

  /** Two columns more than a list item's own indentation, none for a paragraph that has none. */
  private static int hangingIndent(String line) {
    int leading = 0;
    while (leading < line.length() && line.charAt(leading) == ' ') {
      leading++;
    }
    return leading == 0 ? 0 : leading + 2;
  }

  /** A picocli {@link TextTable} whose wrapped columns break lines at spaces only. */
  static final class WordWrappedTable extends TextTable {
    private final ColorScheme scheme;

    WordWrappedTable(ColorScheme scheme, Column... columns) {
      super(scheme, columns);
      this.scheme = scheme;
    }

    /** An empty table with {@code table}'s columns and settings. */
    static WordWrappedTable like(TextTable table, ColorScheme scheme) {
      WordWrappedTable copy = new WordWrappedTable(scheme, table.columns());
      copy.indentWrappedLines = table.indentWrappedLines;
      copy.setAdjustLineBreaksForWideCJKCharacters(table.isAdjustLineBreaksForWideCJKCharacters());
      return copy;
    }

    /**
     * A value for a wrapped column is cut into lines here, at spaces, and each line given to
     * picocli whole: a line that fits its column is written as it is. Lines after the first are
     * indented by {@link #indentWrappedLines}, as picocli's own.
     */
    @Override
    public Cell putValue(int row, int col, Ansi.Text value) {
      Column column = columns()[col];
      String plain = value == null ? "" : value.plainString();
      if (column.overflow != Column.Overflow.WRAP || plain.isEmpty()) {
        return super.putValue(row, col, value);
      }
      int start = 0;
      int indent = column.indent;
      Cell cell = null;
      while (start < plain.length()) {
        int end = lineEnd(plain, start, column.width - indent);
        Ansi.Text line = value.substring(start, end);
        if (indent > column.indent) {
          line = scheme.ansi().new Text(" ".repeat(indent - column.indent), scheme).concat(line);
        }
        cell = super.putValue(row, col, line);
        start = end;
        while (start < plain.length() && plain.charAt(start) == ' ') {
          start++;
        }
        if (start < plain.length()) {
          addEmptyRow();
          row++;
          indent = column.indent + indentWrappedLines;
        }
      }
      return cell;
    }

    /**
     * Where the line starting at {@code start} ends: after the last word that fits in {@code room}
     * columns (its trailing spaces dropped), or, when not even the first word fits, after {@code
     * room} characters of it.
     */
    static int lineEnd(String text, int start, int room) {
      if (text.length() - start <= room) {
        return text.length();
      }
      int end = -1;
      for (int space = text.indexOf(' ', start);
          space >= 0 && space - start <= room;
          space = text.indexOf(' ', space + 1)) {
        if (space > start && text.charAt(space - 1) != ' ') {
          end = space;
        }
      }
      return end > start ? end : start + Math.max(1, room);
    }
  }
}
