package dev.cairn.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.cairn.checkpoint.StreamStateHandle;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file of a real checkpoint of each backend, truncated, bit-flipped and (RocksDB) swapped for another valid
 * SST of the same size, must be refused on restore with a {@code CairnException} naming the file ({@link MutationRun}).
 * CI runs a deterministic slice (a seeded sample of 128 offsets and bits per heap state file and 12 per RocksDB file,
 * {@code -Dcairn.mutations.sample=N} for another size, {@code -Dcairn.mutations.seed=S} for other positions);
 * {@code -Dcairn.mutations.full=true} runs every offset and every bit of the first 4 KiB of every file.
 */
class CheckpointMutationTest {
    private static final boolean FULL = Boolean.getBoolean("cairn.mutations.full");
    private static final long SEED = Long.getLong("cairn.mutations.seed", 20261204L);

    @TempDir
    Path temp;

    @Test
    void everyMutationOfAHeapCheckpointIsRefusedNamingTheFile() {
        try (CheckpointFixture fixture = new CheckpointFixture(temp.resolve("memory"), "memory", 1)) {
            CompletedCheckpoint checkpoint = fixture.takeCheckpoints(1).get(1);
            MutationRun run = new MutationRun(fixture, checkpoint, FULL, sample(128), SEED);
            Map<Path, String> files = run.files();
            assertThat(files.values()).contains("_metadata", "keyed snapshot", "operator snapshot");
            files.forEach((file, kind) -> {
                run.truncations(file, kind);
                run.bitFlips(file, kind);
            });
            finish(run, "memory");
        }
    }

    @Test
    void everyMutationOfAnIncrementalRocksDbCheckpointIsRefusedNamingTheFile() {
        try (CheckpointFixture fixture = new CheckpointFixture(temp.resolve("rocksdb"), "rocksdb", 1);
                CheckpointFixture other = new CheckpointFixture(temp.resolve("rocksdb-other"), "rocksdb", 1)) {
            List<CompletedCheckpoint> checkpoints = fixture.takeCheckpoints(1);
            CompletedCheckpoint checkpoint = checkpoints.get(1);
            Set<StreamStateHandle> reused = sharedFiles(checkpoint);
            reused.retainAll(sharedFiles(checkpoints.get(0)));
            assertThat(reused).as("checkpoint 2 refers to SSTs that checkpoint 1 uploaded").isNotEmpty();
            other.takeCheckpoints(2);
            MutationRun run = new MutationRun(fixture, checkpoint, FULL, sample(12), SEED);
            Map<Path, String> files = run.files();
            assertThat(files.values()).contains("_metadata", "shared SST", "rocksdb meta-data", "operator snapshot");
            files.forEach((file, kind) -> {
                run.truncations(file, kind);
                run.bitFlips(file, kind);
            });
            int swaps = 0;
            List<Path> candidates = other.files();
            for (Map.Entry<Path, String> e : files.entrySet()) {
                if (!e.getValue().equals("shared SST")) {
                    continue;
                }
                byte[] original = MutationRun.read(e.getKey());
                for (Path candidate : candidates) {
                    byte[] replacement = MutationRun.read(candidate);
                    if (replacement.length == original.length
                            && !java.util.Arrays.equals(replacement, original)) {
                        run.swap(e.getKey(), e.getValue(), replacement);
                        swaps++;
                        break;
                    }
                }
            }
            System.out.println("rocksdb: " + swaps + " shared SSTs swapped for a valid SST of the same size that the"
                    + " same job wrote with other values (round 2)");
            assertThat(swaps).as("shared SSTs with a same-size SST of the other checkpoint").isPositive();
            finish(run, "rocksdb");
        }
    }

    private static int sample(int ci) {
        return Integer.getInteger("cairn.mutations.sample", ci);
    }

    private static Set<StreamStateHandle> sharedFiles(CompletedCheckpoint checkpoint) {
        Set<StreamStateHandle> files = new HashSet<>();
        for (SubtaskSnapshot st : checkpoint.metadata().operators().get(0).subtasks()) {
            for (KeyedStateHandle h : st.keyedState()) {
                files.addAll(((IncrementalKeyedStateHandle) h).sharedState().values());
            }
        }
        return files;
    }

    private static void finish(MutationRun run, String backend) {
        String report = run.report(backend);
        System.out.print(report);
        String directory = System.getProperty("cairn.fuzz.report");
        if (directory != null) {
            try {
                Path dir = Files.createDirectories(Path.of(directory));
                Files.writeString(dir.resolve("mutations-" + backend + ".txt"), report, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(run.problems()).as("mutations not refused with a CairnException naming the file").isEmpty();
        assertThat(run.refused()).isEqualTo(run.tried()).isPositive();
    }
}
