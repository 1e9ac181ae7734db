package dev.cairn.backend.rocksdb;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.backend.StateBackend;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ValueStateDescriptor;
import dev.cairn.storage.fs.LocalBlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** File checkpoint storage in a temporary directory, keyed backends closed after each test, value helpers. */
abstract class RocksDbTestSupport {
    static final int MAX_PARALLELISM = 128;
    static final KeyGroupRange ALL = KeyGroupRange.of(0, MAX_PARALLELISM - 1);
    static final ValueStateDescriptor<byte[]> BYTES = new ValueStateDescriptor<>("bytes", Serializers.BYTES);

    @TempDir
    Path tempDir;
    BlobStore store;
    FileCheckpointStorage storage;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private int nextLocal;

    @BeforeEach
    void openStorage() {
        store = BlobStores.forLocation(LocalBlobStore.toLocation(tempDir), Map.of());
        storage = new FileCheckpointStorage(store, LocalBlobStore.toLocation(tempDir.resolve("checkpoints")), "job");
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable r : resources) {
            r.close();
        }
        storage.close();
        store.close();
    }

    Path newLocalDirectory() {
        try {
            return Files.createDirectories(tempDir.resolve("local-" + nextLocal++));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RocksDbKeyedStateBackend<Long> backend(StateBackend backend, KeyGroupRange range,
            Collection<KeyedStateHandle> restore) {
        return backend(backend, range, restore, newLocalDirectory());
    }

    RocksDbKeyedStateBackend<Long> backend(StateBackend backend, KeyGroupRange range,
            Collection<KeyedStateHandle> restore, Path local) {
        KeyedStateBackend<Long> b = backend.createKeyedBackend(new KeyedBackendParameters<>("op", Serializers.LONG,
                MAX_PARALLELISM, range, local, storage), restore);
        resources.add(b);
        return (RocksDbKeyedStateBackend<Long>) b;
    }

    static RocksDbStateBackend rocksdb(Map<String, String> options) {
        return (RocksDbStateBackend) new RocksDbStateBackendFactory().create(options);
    }

    /** Runs the snapshot's both phases and returns the handle. */
    KeyedStateHandle snapshot(KeyedStateBackend<?> b, long id, SnapshotType type) {
        RunnableFuture<KeyedStateHandle> f = b.snapshot(id, type, storage.initializeLocation(id));
        return run(f);
    }

    static <H> H run(RunnableFuture<H> f) {
        f.run();
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code size} pseudo-random bytes derived from {@code key} and {@code round}. */
    static byte[] value(long key, int round, int size) {
        byte[] bytes = new byte[size];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long x = (key + 1) * 0x9E3779B97F4A7C15L + round * 0xBF58476D1CE4E5B9L;
        while (buffer.remaining() >= 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            buffer.putLong(x);
        }
        return bytes;
    }

    static void write(KeyedStateBackend<Long> b, long fromKey, long toKey, int round, int size) {
        var state = b.getState(BYTES);
        for (long k = fromKey; k < toKey; k++) {
            b.setCurrentKey(k);
            state.update(value(k, round, size));
        }
    }

    /** Files under {@code directory}, recursively, as relative paths. */
    static List<Path> filesUnder(Path directory) {
        if (!Files.exists(directory)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile).map(directory::relativize).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flips one bit at {@code fraction} of the file's length. */
    static void flipBit(Path file, double fraction) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            int at = (int) (bytes.length * fraction);
            bytes[at] ^= 0x10;
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
