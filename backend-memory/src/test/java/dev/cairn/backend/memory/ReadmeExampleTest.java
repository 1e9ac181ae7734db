package dev.cairn.backend.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.backend.StateBackend;
import dev.cairn.backend.StateBackends;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RunnableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Using state and checkpoint storage" example, completed and run, so the README stays true. */
class ReadmeExampleTest {

    @Test
    void readmeExampleCheckpointsAndRestores(@TempDir Path dir) throws Exception {
        String root = "file://" + dir.resolve("checkpoints").toAbsolutePath();
        Path localDir = dir.resolve("local");
        StateBackend backend = StateBackends.create("memory", Map.of());
        ValueStateDescriptor<Long> countDescriptor = new ValueStateDescriptor<>("count", Serializers.LONG);
        String pointer;
        try (CheckpointStorage storage = CheckpointStorages.create(root, "job-1", Map.of());
                KeyedStateBackend<String> keyed = backend.createKeyedBackend(
                        new KeyedBackendParameters<>("counter", Serializers.STRING, 128,
                                KeyGroups.rangeForSubtask(128, 1, 0), localDir, storage),
                        List.of())) {
            ValueState<Long> count = keyed.getState(countDescriptor);
            keyed.setCurrentKey("alice");
            count.update(count.value() == null ? 1L : count.value() + 1);

            CheckpointStorageLocation location = storage.initializeLocation(1);
            RunnableFuture<KeyedStateHandle> snapshot = keyed.snapshot(1, SnapshotType.CHECKPOINT, location);
            snapshot.run();
            CheckpointMetadata metadata = new CheckpointMetadata(1, System.currentTimeMillis(), List.of(
                    new OperatorSnapshot("counter", 1, 128,
                            List.of(new SubtaskSnapshot(0, List.of(snapshot.get()), List.of(), false)))));
            pointer = location.finalizeCheckpoint(metadata).pointer();
        }

        try (CheckpointStorage storage = CheckpointStorages.create(root, "job-1", Map.of())) {
            CompletedCheckpoint restored = storage.resolve(pointer);
            try (KeyedStateBackend<String> keyed = backend.createKeyedBackend(
                    new KeyedBackendParameters<>("counter", Serializers.STRING, 128,
                            KeyGroups.rangeForSubtask(128, 1, 0), localDir, storage),
                    restored.metadata().operators().get(0).subtasks().get(0).keyedState())) {
                keyed.setCurrentKey("alice");
                assertThat(keyed.getState(countDescriptor).value()).isEqualTo(1L);
            }
        }
    }
}
