package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.blob.SupportsAppend;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn demo --file-merging} on the embedded {@code file://} storage. The inline threshold is
 * lowered to one byte so that every state stream of the small demo job is a file of its own without
 * merging (RocksDB's SSTs and small metadata files, the source's offsets, the sink's pending files):
 * the many-small-files case merging is for. Each segment merging writes is one such file.
 */
class DemoFileMergingTest {
    private static final String EVERY_STREAM_A_FILE = "checkpoint.storage.inline-threshold=1";

    @Test
    void rocksDbWritesFewPhysicalFilesExactlyOnce(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report.json");
        DemoCommandTest.Run run = DemoCommandTest.demo(dir.resolve("data"), "--backend", "rocksdb", "--events",
                "100000", "--keys", "20000", "--failures", "2", "--seed", "5", "--storage-option", EVERY_STREAM_A_FILE,
                "--file-merging", "--report", report.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.lastLine()).matches("verified: exactly-once \\(100000 events, 2 failures, \\d+ checkpoints\\)");
        assertThat(run.output()).contains("restored from")
                .containsPattern("persisted +files +segments +requests +live +amplif\\. +status");

        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.path("fileMerging").path("options").asText()).startsWith("file merging within checkpoints");
        long completed = 0;
        long files = 0;
        long segments = 0;
        for (JsonNode cp : json.path("checkpoints")) {
            if (!cp.path("status").asText().equals("COMPLETED")) {
                continue;
            }
            completed++;
            JsonNode m = cp.path("fileMerging");
            assertThat(m.fieldNames()).toIterable().as("checkpoint %s", cp.path("id")).containsExactly(
                    "physicalFilesCreated", "segmentsWritten", "storageRequests", "livePhysicalBytes",
                    "spaceAmplification");
            assertThat(m.path("physicalFilesCreated").asLong()).as("checkpoint %s", cp.path("id"))
                    .isLessThanOrEqualTo(m.path("segmentsWritten").asLong());
            assertThat(m.path("storageRequests").asLong()).as("checkpoint %s", cp.path("id")).isPositive();
            assertThat(m.path("spaceAmplification").asDouble()).as("checkpoint %s", cp.path("id"))
                    .isBetween(1.0, 2.0);
            files += m.path("physicalFilesCreated").asLong();
            segments += m.path("segmentsWritten").asLong();
        }
        assertThat(completed).isGreaterThanOrEqualTo(3);
        assertThat(segments).as("state files without merging").isGreaterThanOrEqualTo(10 * completed);
        assertThat(files * 2).as("physical files created (%d) against state files without merging (%d)", files,
                segments).isLessThanOrEqualTo(segments);
    }

    @Test
    void withoutFileMergingTheReportIsUnchanged(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report.json");
        DemoCommandTest.Run run = DemoCommandTest.demo(dir.resolve("data"), "--events", "20000",
                "--storage-option", EVERY_STREAM_A_FILE, "--report", report.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains(String.format("%-6s %10s %12s %14s  %s%n", "id", "duration", "size",
                "persisted", "status")).doesNotContain("segments");
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.has("fileMerging")).isFalse();
        assertThat(json.path("checkpoints")).allSatisfy(cp -> assertThat(cp.has("fileMerging")).isFalse());
    }

    /**
     * The fallback note appears exactly when the store cannot append (the counting decorator keeps the
     * mix-in), and a blocking pool has one file open at a time: the six subtasks' exclusive state goes to
     * two pools (four subtasks per file), so at most two new physical files per checkpoint.
     */
    @Test
    void acrossBoundaryWithBlockingPool(@TempDir Path dir) throws Exception {
        boolean appends;
        try (BlobStore local = BlobStores.forLocation("file://" + dir, Map.of())) {
            appends = local instanceof SupportsAppend;
        }
        Path report = dir.resolve("report.json");
        DemoCommandTest.Run run = DemoCommandTest.demo(dir.resolve("data"), "--events", "20000", "--file-merging",
                "--across-boundary", "--pool", "blocking", "--storage-option", EVERY_STREAM_A_FILE,
                "--report", report.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.lastLine()).startsWith("verified: exactly-once (20000 events");
        assertThat(run.output().lines().filter(l -> l.startsWith("note: ") && l.contains("falls back")).count())
                .as(run.output()).isEqualTo(appends ? 0 : 1);
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.path("fileMerging").path("poolBlocking").asBoolean()).isTrue();
        assertThat(json.path("fileMerging").path("acrossCheckpointBoundary").asBoolean()).isEqualTo(appends);
        for (JsonNode cp : json.path("checkpoints")) {
            if (cp.path("status").asText().equals("COMPLETED")) {
                assertThat(cp.path("fileMerging").path("physicalFilesCreated").asLong()).as("checkpoint %s",
                        cp.path("id")).isLessThanOrEqualTo(2);
            }
        }
    }

    @Test
    void mergingFlagsWithoutFileMergingOrOnMemoryStorageAreRefused(@TempDir Path dir) {
        DemoCommandTest.Run across = DemoCommandTest.demo(dir, "--across-boundary");
        assertThat(across.exitCode()).isNotZero();
        assertThat(across.output()).contains("--across-boundary").contains("--file-merging");
        DemoCommandTest.Run pool = DemoCommandTest.demo(dir, "--pool", "blocking");
        assertThat(pool.exitCode()).isNotZero();
        assertThat(pool.output()).contains("--pool").contains("--file-merging");
        DemoCommandTest.Run badPool = DemoCommandTest.demo(dir, "--file-merging", "--pool", "sometimes");
        assertThat(badPool.exitCode()).isNotZero();
        assertThat(badPool.output()).contains("--pool").contains("sometimes");
        DemoCommandTest.Run memory = DemoCommandTest.demo(dir, "--file-merging", "--storage", "memory");
        assertThat(memory.exitCode()).isNotZero();
        assertThat(memory.output()).contains("--file-merging").contains("'memory'");
    }
}
