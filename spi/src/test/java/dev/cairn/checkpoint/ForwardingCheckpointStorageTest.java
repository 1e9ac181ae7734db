package dev.cairn.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

class ForwardingCheckpointStorageTest {

    @Test
    void everyMethodOfTheSpiIsForwarded() throws NoSuchMethodException {
        for (Method m : CheckpointStorage.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Method forwarding = ForwardingCheckpointStorage.class.getMethod(m.getName(), m.getParameterTypes());
            assertThat(forwarding.getDeclaringClass()).as(m.toString()).isEqualTo(ForwardingCheckpointStorage.class);
        }
    }

    @Test
    void theDefaultsHoldNothing() {
        CheckpointStorage none = new ForwardingCheckpointStorage(minimal()) {
        };
        assertThat(none.leases()).isEmpty();
        none.holdJobDirectory("x").close();
    }

    private static CheckpointStorage minimal() {
        return new CheckpointStorage() {
            @Override
            public CheckpointStorageLocation initializeLocation(long checkpointId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletedCheckpoint resolve(String pointer) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.List<CompletedCheckpoint> completedCheckpoints() {
                return java.util.List.of();
            }

            @Override
            public void discard(CompletedCheckpoint checkpoint) {
            }

            @Override
            public dev.cairn.blob.SeekableInputStream open(StreamStateHandle handle) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
            }
        };
    }
}
