package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn inspect}, {@code verify} and {@code gc} on what a killed demo job left, on {@code file://}
 * (RocksDB with file merging across checkpoints) and S3 (S3Proxy on 127.0.0.1, the heap backend, merging
 * within checkpoints): {@link OperatorToolsScenario}; on HDFS in module {@code cli-hdfs-tests} (Hadoop's Jetty 9
 * and S3Proxy's Jetty 12 cannot share a class path).
 */
class OperatorToolsTest {
    @TempDir
    Path dir;

    @Test
    void onTheLocalFileSystemWithFileMerging() throws Exception {
        ToolStorage storage = new ToolStorage("file", "file://" + dir.resolve("checkpoints"), Map.of());
        new OperatorToolsScenario(storage, dir.resolve("data"), 400_000, "--backend", "rocksdb", "--file-merging",
                "--across-boundary").run();
    }

    @Test
    void onS3() throws Exception {
        try (S3CrashStorage.Server server = new S3CrashStorage.Server(dir.resolve("s3"), 5 << 20)) {
            ToolStorage storage = new ToolStorage("s3", "s3://" + S3CrashStorage.Server.BUCKET + "/tools",
                    server.options());
            new OperatorToolsScenario(storage, dir.resolve("data"), 600_000, "--file-merging").run();
        }
    }

    /**
     * A heap (full, canonical) snapshot with one byte flipped in the middle of a state file keeps its size, so
     * only reading its key-group blocks finds it: {@code verify} names the file and its checksum.
     */
    @Test
    void verifyReadsEveryKeyGroupOfAHeapSnapshot() throws Exception {
        Path data = dir.resolve("data");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CairnCommand.class.getName(), "demo", "--no-progress", "--data-dir", data.toString(), "--events",
                "2000000", "--keys", "5000", "--interval", "50", "--storage-option",
                "checkpoint.storage.inline-threshold=64", "--halt-at", "after-metadata:3")
                .redirectErrorStream(true).redirectOutput(dir.resolve("halted.log").toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(KillPoint.HALT_STATUS);
        Path jobDir = data.resolve("checkpoints").resolve(DemoCommand.JOB_ID);
        OperatorToolsScenario.Run sound = OperatorToolsScenario.tool("verify", "--no-progress", jobDir.toString());
        assertThat(sound.exitCode()).as(sound.output()).isZero();

        Path victim;
        try (Stream<Path> files = Files.walk(jobDir.resolve("chk-3"))) {
            victim = files.filter(f -> Files.isRegularFile(f) && !f.getFileName().toString().startsWith("_"))
                    .max(Comparator.comparingLong(f -> f.toFile().length())).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(victim);
        bytes[bytes.length / 2] ^= 0x04;
        Files.write(victim, bytes);
        OperatorToolsScenario.Run damaged = OperatorToolsScenario.tool("verify", "--no-progress", jobDir.toString());
        assertThat(damaged.exitCode()).as(damaged.output()).isEqualTo(1);
        assertThat(damaged.output()).contains("PROBLEM file://" + victim + ": ").contains("keyed snapshot block checksum mismatch")
                .contains("(referred to by checkpoint 3 (chk-3))");
    }

    @Test
    void toolsNameWhatTheyCannotRead() {
        OperatorToolsScenario.Run missing = OperatorToolsScenario.tool("verify", "--no-progress",
                dir.resolve("nothing-here").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.output()).contains("no checkpoint or savepoint (no _metadata) found");
        OperatorToolsScenario.Run badGrace = OperatorToolsScenario.tool("gc", dir.toString(), "--grace", "soon");
        assertThat(badGrace.exitCode()).isNotZero();
        assertThat(badGrace.output()).contains("--grace").contains("soon");
        OperatorToolsScenario.Run notAJob = OperatorToolsScenario.tool("gc", dir.resolve("job/chk-4").toString());
        assertThat(notAJob.exitCode()).isEqualTo(2);
        assertThat(notAJob.output()).contains("cairn gc: ").contains("chk-4/ is a checkpoint or savepoint directory");
    }
}
