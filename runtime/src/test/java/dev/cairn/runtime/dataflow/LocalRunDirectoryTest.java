package dev.cairn.runtime.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRunDirectoryTest {

    @Test
    void aKilledRunsDirectoryIsDeletedByTheNextRunAndALiveOneIsKept(@TempDir Path root) throws Exception {
        Path killed = Files.createDirectories(root.resolve("run-dead").resolve("attempt-0").resolve("rocksdb-x"));
        Files.write(killed.resolve("000012.sst"), new byte[1024]);
        Files.createFile(root.resolve("run-dead").resolve(".lock"));
        Path unrelated = Files.createDirectories(root.resolve("somebody-else"));

        try (LocalRunDirectory live = LocalRunDirectory.create(root, "live")) {
            assertThat(root.resolve("run-dead")).as("no process holds its lock").doesNotExist();
            assertThat(live.path()).isEqualTo(root.resolve("run-live")).isDirectory();
            assertThat(unrelated).as("not a run directory").exists();

            try (LocalRunDirectory next = LocalRunDirectory.create(root, "next")) {
                assertThat(live.path()).as("its lock is held").isDirectory();
                assertThat(next.path()).isDirectory();
            }
            assertThat(root.resolve("run-next")).as("deleted on close").doesNotExist();
        }
        assertThat(root.resolve("run-live")).doesNotExist();
    }
}
