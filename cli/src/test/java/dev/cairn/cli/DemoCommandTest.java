package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {

    record Run(int exitCode, String output) {
        String lastLine() {
            List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    static Run demo(Path dataDir, String... options) {
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new CairnCommand());
        cli.setOut(new PrintWriter(text, true));
        cli.setErr(new PrintWriter(text, true));
        String[] args = Stream.concat(Stream.of("demo", "--no-progress", "--data-dir", dataDir.toString()),
                Stream.of(options)).toArray(String[]::new);
        return new Run(cli.execute(args), text.toString());
    }

    @Test
    void exactlyOnceWithInjectedFailures(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report.json");
        Run run = demo(dir.resolve("data"), "--events", "60000", "--failures", "3", "--seed", "7",
                "--report", report.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.lastLine()).matches("verified: exactly-once \\(60000 events, 3 failures, \\d+ checkpoints\\)");
        assertThat(run.output()).contains("restored from");

        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.path("verification").path("verified").asBoolean()).isTrue();
        assertThat(json.path("verification").path("committedLines").asLong()).isEqualTo(60000);
        assertThat(json.path("failuresInjected").asInt()).isEqualTo(3);
        assertThat(json.path("checkpoints").size()).isPositive();
        assertThat(json.path("checkpoints").get(0).has("persistedBytes")).isTrue();
    }

    @Test
    void unalignedExactlyOnce(@TempDir Path dir) {
        Run run = demo(dir, "--events", "40000", "--failures", "2", "--unaligned", "--parallelism", "3");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.lastLine()).startsWith("verified: exactly-once (40000 events, 2 failures,");
    }

    @Test
    void atLeastOnceLosesNothing(@TempDir Path dir) {
        Run run = demo(dir, "--events", "40000", "--failures", "2", "--mode", "at-least-once");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.lastLine()).matches("verified: at-least-once \\(40000 events, \\d+ duplicates, 0 lost\\)");
    }

    @Test
    void invalidOptionsAreRefusedByName(@TempDir Path dir) {
        Run mode = demo(dir, "--mode", "sometimes");
        assertThat(mode.exitCode()).isNotZero();
        assertThat(mode.output()).contains("--mode");
        Run combination = demo(dir, "--mode", "at-least-once", "--unaligned");
        assertThat(combination.exitCode()).isNotZero();
        assertThat(combination.output()).containsIgnoringCase("unaligned").containsIgnoringCase("AT_LEAST_ONCE");
        Run backend = demo(dir, "--backend", "nosuch");
        assertThat(backend.exitCode()).isNotZero();
        assertThat(backend.output()).contains("nosuch");
    }

    /** kill -9 of a running demo, then --resume with the same options, still ends verified. */
    @Test
    void resumesAfterKill9(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CairnCommand.class.getName(), "demo", "--no-progress", "--data-dir", data.toString(),
                "--events", "3000000", "--interval", "50")
                .redirectErrorStream(true).redirectOutput(dir.resolve("first-run.log").toFile()).start();
        try {
            Path checkpoints = data.resolve("checkpoints").resolve(DemoCommand.JOB_ID);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (completedCheckpoints(checkpoints) < 3 && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(process.isAlive()).as("the first run is still running when killed").isTrue();
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        Run resumed = demo(data, "--events", "3000000", "--interval", "50", "--resume");
        assertThat(resumed.exitCode()).as(resumed.output()).isZero();
        assertThat(resumed.output()).contains("resuming from checkpoint");
        assertThat(resumed.lastLine()).startsWith("verified: exactly-once (3000000 events, 0 failures,");
    }

    /**
     * A kill after the job-end record and before the ended job's deletions: the resume that reports the
     * ended job also deletes what the killed run had not (its checkpoints, its local run directory).
     */
    @Test
    void resumeAfterKillAtJobEndDeletesTheLeftovers(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CairnCommand.class.getName(), "demo", "--no-progress", "--data-dir", data.toString(),
                "--events", "20000", "--keys", "5000", "--interval", "50", "--halt-at", "job-ended")
                .redirectErrorStream(true).redirectOutput(dir.resolve("first-run.log").toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(dir.resolve("first-run.log"))).isEqualTo(137);
        Path jobDir = data.resolve("checkpoints").resolve(DemoCommand.JOB_ID);
        try (Stream<Path> left = Files.list(jobDir)) {
            assertThat(left.map(p -> p.getFileName().toString())).contains("_job-ended").anyMatch(n -> n.startsWith("chk-"));
        }

        Run resumed = demo(data, "--events", "20000", "--keys", "5000", "--resume");
        assertThat(resumed.exitCode()).as(resumed.output()).isZero();
        assertThat(resumed.output()).contains("already ended").contains("files the ended job had not deleted yet");
        assertThat(resumed.lastLine()).startsWith("verified: exactly-once (20000 events");
        try (Stream<Path> left = Files.walk(jobDir)) {
            assertThat(left.filter(p -> !p.equals(jobDir)).map(p -> jobDir.relativize(p).toString()))
                    .containsExactly("_job-ended");
        }
        try (Stream<Path> runs = Files.list(data.resolve("local"))) {
            assertThat(runs.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("run-"));
        }
    }

    private static long completedCheckpoints(Path jobDir) throws Exception {
        if (!Files.isDirectory(jobDir)) {
            return 0;
        }
        try (Stream<Path> dirs = Files.list(jobDir)) {
            return dirs.filter(d -> Files.exists(d.resolve("_metadata"))).count();
        }
    }
}
