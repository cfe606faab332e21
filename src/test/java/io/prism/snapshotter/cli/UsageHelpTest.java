package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Help;

/**
 * Every command's {@code --help}, at 80 and 120 columns, as {@code bin/snapshotter} prints it: no
 * line too long, no word split across lines, no sentence broken before the line is full.
 */
class UsageHelpTest {

  /** Every command of {@code bin/snapshotter}, the root first, with its qualified name. */
  static List<CommandLine> commands() {
    List<CommandLine> all = new ArrayList<>();
    collect(Main.commandLine(), all);
    return all;
  }

  private static void collect(CommandLine command, List<CommandLine> into) {
    into.add(command);
    command.getSubcommands().values().forEach(sub -> collect(sub, into));
  }

  private static String usage(CommandLine command, int width) {
    command.getCommandSpec().usageMessage().autoWidth(false).width(width);
    return command.getUsageMessage(Help.Ansi.OFF);
  }

  private static String name(CommandLine command) {
    return command.getCommandSpec().qualifiedName();
  }

  @ParameterizedTest(name = "{0} columns")
  @ValueSource(ints = {80, 120})
  void everyLineFitsTheWidth(int width) {
    SoftAssertions softly = new SoftAssertions();
    for (CommandLine command : commands()) {
      for (String line : usage(command, width).split("\\R")) {
        softly
            .assertThat(line.length())
            .as("%s --help: %s", name(command), line)
            .isLessThanOrEqualTo(width);
      }
    }
    softly.assertAll();
  }

  /**
   * Lines break at spaces only: the words at {@code width} are the words with nothing wrapped.
   * picocli's own wrapping also breaks after '.', ':' and ',' ({@code local.topic.} / {@code
   * partitions}, {@code 127.0.0.1:} / {@code 8080}).
   */
  @ParameterizedTest(name = "{0} columns")
  @ValueSource(ints = {80, 120})
  void noWordIsSplitAcrossLines(int width) {
    SoftAssertions softly = new SoftAssertions();
    for (CommandLine command : commands()) {
      List<String> unwrapped = words(usage(command, 10_000));
      List<String> wrapped = words(usage(command, width));
      softly
          .assertThat(wrapped)
          .as("%s --help at %d columns, against its words unwrapped", name(command), width)
          .containsExactlyInAnyOrderElementsOf(unwrapped);
    }
    softly.assertAll();
  }

  /**
   * A description line ends short of the width only where its paragraph ends (with '.' or ':'), not
   * after a few words with the next one fitting: no description is wrapped by hand.
   */
  @ParameterizedTest(name = "{0} columns")
  @ValueSource(ints = {80, 120})
  void descriptionLinesBreakOnlyWhenFullOrAtAParagraphsEnd(int width) {
    SoftAssertions softly = new SoftAssertions();
    for (CommandLine command : commands()) {
      command.getCommandSpec().usageMessage().autoWidth(false).width(width);
      String[] lines = command.getHelp().description().split("\\R");
      for (int i = 0; i + 1 < lines.length; i++) {
        String line = lines[i].stripTrailing();
        String next = lines[i + 1].strip();
        if (line.isEmpty() || next.isEmpty()) {
          continue;
        }
        String nextWord = next.split(" ", 2)[0];
        boolean nextWordFitted = line.length() + 1 + nextWord.length() <= width;
        softly
            .assertThat(nextWordFitted && !line.endsWith(".") && !line.endsWith(":"))
            .as("%s --help at %d columns breaks early after: %s", name(command), width, line)
            .isFalse();
      }
    }
    softly.assertAll();
  }

  /** A parent's command list shows each command's first paragraph: a whole sentence, one line. */
  @Test
  void eachCommandsSummaryIsOneSentenceOnOneLineOfItsParentsList() {
    for (CommandLine command : commands()) {
      if (command.getSubcommands().isEmpty()) {
        continue;
      }
      command.getCommandSpec().usageMessage().autoWidth(false).width(80);
      String list = command.getHelp().commandList();
      for (CommandLine sub : command.getSubcommands().values()) {
        String[] header = sub.getCommandSpec().usageMessage().header();
        String[] description = sub.getCommandSpec().usageMessage().description();
        String summary = header.length > 0 ? header[0] : description[0];
        assertThat(summary).as("summary of %s", name(sub)).endsWith(".");
        assertThat(list)
            .as("%s's command list at 80 columns", name(command))
            .containsPattern("(?m)^  " + sub.getCommandName() + " +\\Q" + summary + "\\E$");
      }
    }
  }

  private static List<String> words(String text) {
    return Stream.of(text.split("\\s+")).filter(w -> !w.isEmpty()).toList();
  }

  @Test
  void everyCommandIsChecked() {
    assertThat(commands().stream().map(UsageHelpTest::name))
        .containsAll(
            Arrays.asList(
                "snapshotter",
                "snapshotter local",
                "snapshotter pages verify",
                "snapshotter config docs",
                "snapshotter help"));
  }
}
