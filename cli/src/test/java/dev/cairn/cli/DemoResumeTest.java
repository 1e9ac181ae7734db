package dev.cairn.cli;

import static dev.cairn.cli.DemoCommandTest.demo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.cli.DemoCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn demo --resume} over what earlier runs left: an ended job, damaged older and newest checkpoints. */
class DemoResumeTest {
    private static final String EVENTS = "2000000";

    /** Runs the demo in a child JVM that halts like kill -9 right after its {@code n}-th {@code _metadata} commit. */
    private static void runUntilHalted(Path data, int n) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CairnCommand.class.getName(), "demo", "--no-progress", "--data-dir", data.toString(),
                "--events", EVENTS, "--interval", "50", "--halt-at", "after-metadata:" + n)
                .redirectErrorStream(true).redirectOutput(data.resolveSibling("halted-run.log").toFile()).start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the halted run ends").isTrue();
            assertThat(process.exitValue()).as("halted at after-metadata:" + n).isEqualTo(KillPoint.HALT_STATUS);
        } finally {
            process.destroyForcibly();
        }
    }

    private static Path metadata(Path data, long id) {
        return data.resolve("checkpoints").resolve(DemoCommand.JOB_ID).resolve("chk-" + id).resolve("_metadata");
    }

    private static void flipAByte(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(file, bytes);
    }

    private static List<String> jobDirectory(Path data) throws Exception {
        Path jobDir = data.resolve("checkpoints").resolve(DemoCommand.JOB_ID);
        try (Stream<Path> files = Files.walk(jobDir)) {
            return files.filter(Files::isRegularFile).map(p -> jobDir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void resumingAFinishedJobSaysSoChecksItsOutputAndExitsZero(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Run first = demo(data, "--events", "60000");
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(jobDirectory(data)).as("a finished job leaves only its job-end record").containsExactly("_job-ended");

        Run again = demo(data, "--events", "60000", "--resume");
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(again.output()).containsPattern("job cairn-demo already ended \\(FINISHED after checkpoint \\d+, at ");
        assertThat(again.lastLine()).isEqualTo("verified: exactly-once (60000 events, output of the finished run)");

        Run fresh = demo(data, "--events", "50000");
        assertThat(fresh.exitCode()).as(fresh.output()).isZero();
        assertThat(fresh.lastLine()).startsWith("verified: exactly-once (50000 events,");
        assertThat(jobDirectory(data)).containsExactly("_job-ended");
    }

    @Test
    void aDamagedOlderCheckpointIsSkippedByNameAndTheNewestSoundOneResumes(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        runUntilHalted(data, 6);
        assertThat(metadata(data, 5)).exists();
        assertThat(metadata(data, 6)).exists();
        flipAByte(metadata(data, 5));

        Run resumed = demo(data, "--events", EVENTS, "--interval", "50", "--resume");
        assertThat(resumed.exitCode()).as(resumed.output()).isZero();
        assertThat(resumed.output()).contains("skipping damaged checkpoint 5: " + "file://" + metadata(data, 5)
                + ": checkpoint metadata checksum mismatch");
        assertThat(resumed.output()).contains("resuming from checkpoint 6 at");
        assertThat(resumed.lastLine()).startsWith("verified: exactly-once (" + EVENTS + " events,");
        assertThat(jobDirectory(data)).containsExactly("_job-ended");
    }

    @Test
    void aDamagedNewestCheckpointIsRefusedUnlessFallingBack(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        runUntilHalted(data, 4);
        flipAByte(metadata(data, 4));

        Run refused = demo(data, "--events", EVENTS, "--interval", "50", "--resume");
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
        assertThat(refused.output()).contains("error: file://" + metadata(data, 4) + ": checkpoint 4 is the newest of"
                + " its job and is damaged").contains("checkpoint 3 is the newest sound one");
        assertThat(metadata(data, 3)).as("a refused resume changes nothing").exists();
        assertThat(metadata(data, 4)).exists();

        Run fallback = demo(data, "--events", EVENTS, "--interval", "50", "--resume", "--fallback-to-older-checkpoint");
        assertThat(fallback.exitCode()).as(fallback.output()).isZero();
        assertThat(fallback.output()).contains("skipping damaged checkpoint 4:").contains("resuming from checkpoint 3 at");
        assertThat(fallback.lastLine()).startsWith("verified: exactly-once (" + EVENTS + " events,");
        assertThat(jobDirectory(data)).containsExactly("_job-ended");
    }
}
