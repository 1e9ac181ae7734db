package dev.cairn.cli.ops;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn verify}: whether every checkpoint and savepoint under a directory would restore. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Read every checkpoint and savepoint under DIR and check that _metadata parses and that every"
                + " file it refers to exists with its size, lies inside the checkpoint's root and passes its checksums"
                + " (CRC32C of merged-file segments, RocksDB block checksums of SST files). Prints one line per problem;"
                + " exit code 0 only when everything is sound, 1 otherwise.")
public final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Mixin
    DirectoryArgument argument;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path scratch = Files.createTempDirectory("cairn-verify-");
        try (OperatorTarget target = argument.open()) {
            CheckpointCatalog catalog = CheckpointCatalog.of(target, target.directory);
            if (catalog.entries.isEmpty()) {
                out.println(target.directory + ": no checkpoint or savepoint (no _metadata) found");
                out.flush();
                return 1;
            }
            CheckpointVerifier.Result result;
            if (noProgress) {
                result = new CheckpointVerifier(target, scratch, n -> { }).verify(catalog);
            } else {
                try (ProgressBar bar = new ProgressBarBuilder().setTaskName("verify")
                        .setInitialMax(CheckpointVerifier.bytesToRead(catalog)).setUnit(" MiB", 1 << 20)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate().build()) {
                    result = new CheckpointVerifier(target, scratch, bar::stepBy).verify(catalog);
                }
            }
            for (CheckpointVerifier.Problem problem : result.problems()) {
                out.println("PROBLEM " + problem.line());
            }
            out.printf(Locale.ROOT, "%s: %d checkpoints and savepoints, %d files, %,d bytes read: %s%n",
                    target.directory, result.checkpoints(), result.files(), result.bytes(),
                    result.problems().isEmpty() ? "sound" : result.problems().size() + " problems");
            out.flush();
            return result.problems().isEmpty() ? 0 : 1;
        } finally {
            try (Stream<Path> paths = Files.walk(scratch)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
