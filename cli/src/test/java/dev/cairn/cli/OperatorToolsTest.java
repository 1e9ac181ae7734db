package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
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

    @Test
    void toolsNameWhatTheyCannotRead() {
        OperatorToolsScenario.Run missing = OperatorToolsScenario.tool("verify", "--no-progress",
                dir.resolve("nothing-here").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.output()).contains("no checkpoint or savepoint (no _metadata) found");
        OperatorToolsScenario.Run badGrace = OperatorToolsScenario.tool("gc", dir.toString(), "--grace", "soon");
        assertThat(badGrace.exitCode()).isNotZero();
        assertThat(badGrace.output()).contains("--grace").contains("soon");
    }
}
