package dev.cairn.cli;

import dev.cairn.cli.ops.GcCommand;
import dev.cairn.error.CairnException;
import dev.cairn.cli.ops.InspectCommand;
import dev.cairn.cli.ops.VerifyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cairn} command line. */
@Command(name = "cairn", mixinStandardHelpOptions = true, version = "cairn 0.1.0-SNAPSHOT",
        description = "Cairn: pluggable state and checkpoint storage for the JVM.",
        subcommands = {DemoCommand.class, InspectCommand.class, VerifyCommand.class, GcCommand.class,
                CommandLine.HelpCommand.class})
public final class CairnCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /**
     * The command line; a {@link CairnException} a command throws (a bad option value, a store that cannot be
     * reached, a refused file) is printed as one line naming the command, with exit code 2.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new CairnCommand());
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (!(e instanceof CairnException)) {
                throw e;
            }
            command.getErr().println("cairn " + command.getCommandName() + ": " + e.getMessage());
            command.getErr().flush();
            return 2;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
