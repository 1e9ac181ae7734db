package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.error.IncompatibleStateException;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.MapStateDescriptor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.rocksdb.AbstractImmutableNativeReference;

class RocksDbLifecycleTest extends RocksDbTestSupport {
    @Test
    void everyNativeObjectIsClosedExactlyOnceAndTheWorkingDirectoryRemoved() {
        Path local = newLocalDirectory();
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of(), local);
        write(b, 0, 1000, 0, 100);
        b.getState(new MapStateDescriptor<>("map", Serializers.LONG, Serializers.LONG));
        snapshot(b, 1, SnapshotType.CHECKPOINT);
        snapshot(b, 2, SnapshotType.SAVEPOINT);
        RunnableFuture<KeyedStateHandle> neverRun = b.snapshot(3, SnapshotType.SAVEPOINT,
                storage.initializeLocation(3));
        List<AbstractImmutableNativeReference> created = b.resources().created();
        assertThat(created).isNotEmpty().allMatch(AbstractImmutableNativeReference::isOwningHandle);
        b.close();
        assertThat(created).as("native objects after close").noneMatch(AbstractImmutableNativeReference::isOwningHandle);
        b.close();
        assertThat(filesUnder(local)).isEmpty();
        assertThat(b.workingDirectoryExists()).isFalse();
        neverRun.run();
        assertThat(neverRun.isDone()).isTrue();
        assertThatThrownBy(neverRun::get).hasMessageContaining("closed");
        assertThatThrownBy(() -> b.setCurrentKey(1L)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeWaitsForARunningFullSnapshot() throws Exception {
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of());
        write(b, 0, 20000, 0, 200);
        RunnableFuture<KeyedStateHandle> savepoint = b.snapshot(1, SnapshotType.SAVEPOINT,
                storage.initializeLocation(1));
        CompletableFuture<Void> running = CompletableFuture.runAsync(savepoint);
        Thread.sleep(5);
        b.close();
        running.get(60, TimeUnit.SECONDS);
        assertThat(savepoint.isDone()).isTrue();
        boolean completed = !savepoint.isCancelled() && catchingGet(savepoint) != null;
        if (completed) {
            RocksDbKeyedStateBackend<Long> restored = backend(rocksdb(Map.of()), ALL, List.of(savepoint.get()));
            assertThat(restored.keys(BYTES.name()).count()).isEqualTo(20000);
        }
    }

    private static KeyedStateHandle catchingGet(RunnableFuture<KeyedStateHandle> f) {
        try {
            return f.get();
        } catch (Exception e) {
            return null;
        }
    }

    @Test
    void restoredListAndMapStatesAreRewrittenForTheirDescriptor() {
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of());
        ListStateDescriptor<String> list = new ListStateDescriptor<>("list", Serializers.STRING);
        for (long k = 0; k < 500; k++) {
            b.setCurrentKey(k);
            b.getState(list).addAll(List.of("x" + k, "y"));
        }
        KeyedStateHandle savepoint = snapshot(b, 1, SnapshotType.SAVEPOINT);
        RocksDbKeyedStateBackend<Long> restored = backend(rocksdb(Map.of()), ALL, List.of(savepoint));
        assertThat(restored.keys("list").count()).as("keys of a state not requested yet").isEqualTo(500);
        assertThatThrownBy(() -> restored.getState(new ListStateDescriptor<>("list", Serializers.LONG)))
                .isInstanceOf(IncompatibleStateException.class).hasMessageContaining("list");
        restored.setCurrentKey(42L);
        var state = restored.getState(list);
        assertThat(state.get()).containsExactly("x42", "y");
        state.add("z");
        assertThat(state.get()).containsExactly("x42", "y", "z");
        assertThat(restored.keys("list").count()).isEqualTo(500);
    }
}
