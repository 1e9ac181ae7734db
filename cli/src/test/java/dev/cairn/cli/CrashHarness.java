package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.checkpoint.CheckpointScan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the real {@code cairn demo} in a child JVM over one data directory and kills it (SIGKILL after
 * a delay, or {@code --halt-at}), and inspects what a run left behind with the library itself: the
 * checkpoint scan of the job directory and what is left under it (through its {@link CrashStorage}), the
 * local run directories. It is the reusable part of the crash test; the test decides what to kill when
 * and which invariants to assert.
 */
final class CrashHarness {
    /** The exit status of a JVM killed by SIGKILL, and of {@code --halt-at}. */
    static final int KILLED = 137;

    private static final Pattern RESUMED = Pattern.compile("resuming from checkpoint (\\d+) at ");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dataDir;
    private final CrashStorage storage;
    private final Path logDir;
    private final List<String> demoOptions;
    private final long runTimeoutMillis;
    private int runs;

    /**
     * @param dataDir          the demo's {@code --data-dir}
     * @param storage          where the checkpoints go (adds its options to every run)
     * @param logDir           where each run's output goes ({@code run-<n>.log}) and its JSON report
     * @param demoOptions      options every run gets ({@code --events}, {@code --backend}, ...)
     * @param runTimeoutMillis a run still alive after this long is killed and reported as hung
     */
    CrashHarness(Path dataDir, CrashStorage storage, Path logDir, List<String> demoOptions, long runTimeoutMillis) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.storage = storage;
        this.logDir = logDir.toAbsolutePath().normalize();
        this.demoOptions = List.copyOf(demoOptions);
        this.runTimeoutMillis = runTimeoutMillis;
    }

    /**
     * One finished child run.
     *
     * @param number     its number in this harness (names its log)
     * @param args       the demo arguments it got, secrets redacted
     * @param exitCode   its exit status ({@link #KILLED} when killed or halted)
     * @param sigkilled  whether the harness sent SIGKILL because the delay ran out
     * @param hung       whether it outlived the run timeout
     * @param millis     its wall time
     * @param output     what it printed (stdout and stderr)
     * @param log        the log file holding {@code output}
     * @param report     the file its {@code --report} goes to (exists only if the job ran to its end)
     */
    record Run(int number, List<String> args, int exitCode, boolean sigkilled, boolean hung, long millis,
            String output, Path log, Path report) {
        boolean killed() {
            return exitCode == KILLED;
        }

        /** The checkpoint the run said it resumes from. */
        OptionalLong resumedFrom() {
            Matcher m = RESUMED.matcher(output);
            return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
        }

        boolean startedFromBeginning() {
            return output.contains("no retained checkpoint found under ");
        }

        boolean alreadyEnded() {
            return output.contains("already ended (") && output.contains("nothing to resume");
        }

        String lastLine() {
            List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }

        boolean verifiedExactlyOnce() {
            return exitCode == 0 && lastLine().startsWith("verified: exactly-once (");
        }

        /** Lost and duplicated output lines from the run's JSON report, if the job ran to its end. */
        OutputCount outputCount() throws IOException {
            if (!Files.exists(report)) {
                return null;
            }
            JsonNode v = JSON.readTree(report.toFile()).path("verification");
            return new OutputCount(v.path("lost").asLong(), v.path("duplicates").asLong());
        }

        String describe() {
            return "run " + number + " " + String.join(" ", args) + " -> exit " + exitCode
                    + (sigkilled ? " (SIGKILL)" : "") + (hung ? " (HUNG)" : "") + " after " + millis + " ms, log "
                    + log;
        }
    }

    /** Lost and duplicated output lines of a finished job. */
    record OutputCount(long lost, long duplicates) {
    }

    Path dataDir() {
        return dataDir;
    }

    Path localDir() {
        return dataDir.resolve("local");
    }

    /**
     * Runs the demo with {@code extraArgs} after the common options.
     *
     * @param sigkillAfterMillis send SIGKILL after this many ms if the run still lives; negative: never
     */
    Run run(List<String> extraArgs, long sigkillAfterMillis) throws IOException, InterruptedException {
        int number = ++runs;
        Files.createDirectories(logDir);
        Path log = logDir.resolve(String.format("run-%05d.log", number));
        Path report = logDir.resolve(String.format("run-%05d.json", number));
        Files.deleteIfExists(report);
        List<String> args = new ArrayList<>(List.of("demo", "--no-progress", "--data-dir", dataDir.toString(),
                "--report", report.toString()));
        args.addAll(demoOptions);
        args.addAll(storage.demoOptions());
        args.addAll(extraArgs);
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx512m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                CairnCommand.class.getName()));
        command.addAll(args);
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean sigkilled = false;
        boolean hung = false;
        try {
            if (sigkillAfterMillis >= 0 && !process.waitFor(sigkillAfterMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                sigkilled = true;
            }
            long left = runTimeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (!process.waitFor(Math.max(1, left), TimeUnit.MILLISECONDS)) {
                hung = true;
                process.destroyForcibly();
            }
            process.waitFor();
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor();
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        int exit = process.exitValue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        // A SIGKILL that arrived after the JVM had ended by itself did not land.
        boolean landed = sigkilled && exit == KILLED;
        return new Run(number, args.stream().map(storage::redact).toList(), exit, landed, hung, millis, output, log,
                report);
    }

    /** The library's view of the job directory (files of each completed checkpoint verified). */
    CheckpointScan scan() {
        return storage.scan();
    }

    /**
     * What an ended job left that it should not have: what its storage reports (every entry under the job
     * directory other than {@code _job-ended}, ...), and every {@code run-*} directory under the local directory.
     */
    List<String> orphans() throws IOException {
        List<String> found = new ArrayList<>(storage.orphans());
        if (Files.isDirectory(localDir())) {
            try (DirectoryStream<Path> runDirs = Files.newDirectoryStream(localDir(), "run-*")) {
                for (Path p : runDirs) {
                    found.add(relative(p) + "/");
                }
            }
        }
        return found;
    }

    /** A listing of the job and local directories, for failure messages. */
    String listing() throws IOException {
        return storage.listing() + walk(localDir());
    }

    /** Deletes the data directory and the job's checkpoints: the next run starts from nothing. */
    void deleteDataDir() throws IOException {
        deleteRecursively(dataDir);
        storage.deleteAll();
    }

    /** Every path under {@code root} with the sizes of files, one a line; empty if it does not exist. */
    static String walk(Path root) throws IOException {
        StringBuilder s = new StringBuilder();
        if (!Files.exists(root)) {
            return "";
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted().forEach(p -> s.append("  ").append(p)
                    .append(Files.isRegularFile(p) ? " (" + size(p) + " B)" : "/").append('\n'));
        }
        return s.toString();
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private String relative(Path p) {
        return p.startsWith(dataDir) ? dataDir.relativize(p).toString() : p.toString();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
