package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn demo --backend rocksdb}: exactly once through injected failures, with incremental checkpoints. */
class DemoRocksDbTest {
    @Test
    void rocksDbBackendSurvivesThreeFailuresExactlyOnce(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report.json");
        DemoCommandTest.Run run = DemoCommandTest.demo(dir.resolve("data"), "--backend", "rocksdb", "--events",
                "60000", "--failures", "3", "--seed", "11", "--report", report.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("restored from");
        assertThat(run.lastLine()).matches("verified: exactly-once \\(60000 events, 3 failures, \\d+ checkpoints\\)");

        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.path("backend").asText()).isEqualTo("rocksdb");
        assertThat(json.path("verification").path("verified").asBoolean()).isTrue();
        boolean reused = false;
        for (JsonNode cp : json.path("checkpoints")) {
            if (cp.path("status").asText().equals("COMPLETED")
                    && cp.path("persistedBytes").asLong() < cp.path("stateSize").asLong()) {
                reused = true;
            }
        }
        assertThat(reused).as("an incremental checkpoint persisted less than the state it refers to").isTrue();
        try (Stream<Path> local = Files.walk(dir.resolve("data"))) {
            assertThat(local.filter(p -> p.getFileName().toString().startsWith("rocksdb-")))
                    .as("RocksDB working directories are removed when the job ends").isEmpty();
        }
    }
}
