package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.ExternalizedCheckpointRetention;
import dev.cairn.runtime.coordinator.CheckpointStats;
import dev.cairn.runtime.coordinator.CheckpointStatsListener;
import dev.cairn.runtime.dataflow.JobRunner;
import dev.cairn.runtime.sharedstate.SharedStateRegistry;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import dev.cairn.storage.fs.LocalBlobStore;
import dev.cairn.tck.CoordinatorTckJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention with shared files: the keyed counting job on the embedded runtime with the RocksDB
 * backend, 2 retained checkpoints; after 20 completed checkpoints the files under {@code shared/}
 * are exactly the union of the shared files the 2 retained checkpoints reference.
 */
class RocksDbRetentionTest {
    @TempDir
    Path dir;

    @Test
    void sharedDirectoryHoldsExactlyTheFilesOfTheRetainedCheckpoints() throws Exception {
        List<CheckpointStats> completed = new CopyOnWriteArrayList<>();
        Set<String> everReferenced = new HashSet<>();
        FileCheckpointStorage storage = (FileCheckpointStorage) CheckpointStorages.create(
                LocalBlobStore.toLocation(dir.resolve("checkpoints")), "retention-job",
                Map.of(FileCheckpointStorageOptions.INLINE_THRESHOLD, "64"));
        CheckpointConfig config = CheckpointConfig.builder().interval(Duration.ofMillis(30))
                .numRetainedCheckpoints(2).checkpointTimeout(Duration.ofSeconds(30))
                .externalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION).build();
        CheckpointStatsListener listener = new CheckpointStatsListener() {
            @Override
            public void onCheckpointCompleted(CheckpointStats stats) {
                if (!stats.savepoint()) {
                    everReferenced.addAll(SharedStateRegistry.sharedFiles(storage.resolve(stats.pointer())).keySet());
                    completed.add(stats);
                }
            }

            @Override
            public void onCheckpointFailed(CheckpointStats stats) {
            }
        };
        try (storage; JobRunner runner = JobRunner.builder(CoordinatorTckJob.graph(
                CoordinatorTckJob.Events.endless(2, 200, 5), 2, 2, 1, false, dir.resolve("out")))
                .checkpointConfig(config).stateBackend(new RocksDbStateBackend()).checkpointStorage(storage)
                .localDirectory(dir.resolve("local")).statsListener(listener).build()) {
            runner.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (completed.size() < 20 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            runner.cancel();
            runner.awaitTermination(Duration.ofSeconds(30));
            assertThat(completed.size()).as("checkpoints completed").isGreaterThanOrEqualTo(20);

            List<CompletedCheckpoint> retained = storage.completedCheckpoints();
            assertThat(retained).hasSize(2);
            Set<String> referenced = new HashSet<>();
            for (CompletedCheckpoint cp : retained) {
                assertThat(cp.metadata().allHandles()).as("checkpoint %s is incremental", cp.checkpointId())
                        .anyMatch(h -> h instanceof IncrementalKeyedStateHandle);
                referenced.addAll(SharedStateRegistry.sharedFiles(cp).keySet());
            }
            assertThat(referenced).isNotEmpty();
            Path shared = LocalBlobStore.toPath(dev.cairn.blob.Locations.stripTrailingSlash(storage.sharedLocation()));
            Set<String> present;
            try (Stream<Path> files = Files.list(shared)) {
                present = files.map(p -> LocalBlobStore.toLocation(p)).collect(Collectors.toSet());
            }
            assertThat(present).as("files under shared/").containsExactlyInAnyOrderElementsOf(referenced);
            assertThat(everReferenced.size()).as("shared files referenced over the run, most since deleted")
                    .isGreaterThan(referenced.size());
            assertThat(runner.coordinator().sharedStateRegistry().registeredLocations())
                    .containsExactlyInAnyOrderElementsOf(referenced);
        }
    }
}
