package dev.cairn.cli;

import dev.cairn.storage.fs.HdfsCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link OperatorToolsScenario} on HDFS (MiniDFSCluster on 127.0.0.1) with the RocksDB backend. */
@ExtendWith(HdfsCluster.class)
class HdfsOperatorToolsTest {
    @TempDir
    Path dir;

    @Test
    void inspectVerifyAndGcWhatAKilledJobLeftOnHdfs() throws Exception {
        ToolStorage storage = new ToolStorage("hdfs", HdfsCluster.uri() + "/tools", HdfsCluster.CLIENT_CONFIG);
        new OperatorToolsScenario(storage, dir.resolve("data"), 400_000, "--backend", "rocksdb").run();
    }
}
