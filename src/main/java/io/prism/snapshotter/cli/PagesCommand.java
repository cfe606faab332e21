package io.prism.snapshotter.cli;

import picocli.CommandLine.Command;

/** {@code snapshotter pages ...}: look at stored pages. */
@Command(
    name = "pages",
    mixinStandardHelpOptions = true,
    description = "Look at stored pages.",
    subcommands = {PagesCatCommand.class, PagesListCommand.class, PagesVerifyCommand.class})
final class PagesCommand {}
