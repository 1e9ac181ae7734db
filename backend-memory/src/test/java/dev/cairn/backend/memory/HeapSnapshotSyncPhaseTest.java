package dev.cairn.backend.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.serialization.Serializers;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synchronous phase of a snapshot of a 1,000,000-entry state serializes and copies nothing. */
class HeapSnapshotSyncPhaseTest {
    private static final int ENTRIES = 1_000_000;

    @TempDir
    Path tempDir;

    @Test
    void synchronousPhaseMakesNoSerializerCalls() throws Exception {
        CountingSerializer keys = new CountingSerializer("test.counting-key");
        CountingSerializer values = new CountingSerializer("test.counting-value");
        ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>("big", values);
        try (MemoryCheckpointStorage storage = new MemoryCheckpointStorage("sync-phase")) {
            KeyGroupRange all = KeyGroupRange.of(0, 127);
            long restoredCount;
            try (KeyedStateBackend<Long> backend = new HeapStateBackend().createKeyedBackend(
                    new KeyedBackendParameters<>("op", keys, 128, all, tempDir, storage), List.of())) {
                ValueState<Long> state = backend.getState(descriptor);
                for (long k = 0; k < ENTRIES; k++) {
                    backend.setCurrentKey(k);
                    state.update(k);
                }
                long before = keys.calls() + values.calls();
                RunnableFuture<KeyedStateHandle> pending = backend.snapshot(1, SnapshotType.CHECKPOINT,
                        storage.initializeLocation(1));
                assertThat(keys.calls() + values.calls() - before).as("serializer calls in the synchronous phase")
                        .isZero();
                backend.setCurrentKey(7L);
                state.update(-7L);
                pending.run();
                KeyedStateHandle handle = pending.get();
                assertThat(keys.serialized.get()).as("keys serialized by the asynchronous phase").isEqualTo(ENTRIES);
                try (KeyedStateBackend<Long> restored = new HeapStateBackend().createKeyedBackend(
                        new KeyedBackendParameters<>("op", keys, 128, all, tempDir, storage), List.of(handle))) {
                    restoredCount = restored.keys("big").count();
                    ValueState<Long> restoredState = restored.getState(descriptor);
                    restored.setCurrentKey(7L);
                    assertThat(restoredState.value()).as("a write after the synchronous phase").isEqualTo(7L);
                    restored.setCurrentKey(999_999L);
                    assertThat(restoredState.value()).isEqualTo(999_999L);
                }
            }
            assertThat(restoredCount).isEqualTo(ENTRIES);
        }
    }

    /** A long serializer that counts every call that serializes, deserializes or copies. */
    private static final class CountingSerializer implements TypeSerializer<Long> {
        private final SerializerSnapshot snapshot;
        final AtomicLong serialized = new AtomicLong();
        final AtomicLong deserialized = new AtomicLong();
        final AtomicLong copied = new AtomicLong();

        CountingSerializer(String id) {
            this.snapshot = SerializerSnapshot.of(id, 1);
        }

        long calls() {
            return serialized.get() + deserialized.get() + copied.get();
        }

        @Override
        public void serialize(Long value, DataOutput out) throws IOException {
            serialized.incrementAndGet();
            Serializers.LONG.serialize(value, out);
        }

        @Override
        public Long deserialize(DataInput in) throws IOException {
            deserialized.incrementAndGet();
            return Serializers.LONG.deserialize(in);
        }

        @Override
        public Long copy(Long value) {
            copied.incrementAndGet();
            return value;
        }

        @Override
        public SerializerSnapshot snapshot() {
            return snapshot;
        }
    }
}
