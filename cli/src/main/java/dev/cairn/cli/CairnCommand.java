package dev.cairn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cairn} command line. */
@Command(name = "cairn", mixinStandardHelpOptions = true, version = "cairn 0.1.0-SNAPSHOT",
        description = "Cairn: pluggable state and checkpoint storage for the JVM.",
        subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class CairnCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int execute(String... args) {
        return new CommandLine(new CairnCommand()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
