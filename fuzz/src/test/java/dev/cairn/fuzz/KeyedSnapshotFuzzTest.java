package dev.cairn.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.StateBackend;
import dev.cairn.backend.StateBackends;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.format.FormatReader;
import dev.cairn.format.HandleFormat;
import dev.cairn.format.snapshot.KeyedSnapshotReader;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import dev.cairn.serialization.Serializers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the canonical keyed snapshot format: the input is a key-groups handle whose stream is inline (as
 * {@link HandleFormat} writes it); the stream is read block by block with {@link KeyedSnapshotReader}, then
 * restored by the {@code memory} backend, every state read back. Seeded with the keyed state files of real
 * checkpoints of the {@code memory} backend; in the checksum-fixing mode every frame of the stream is resealed.
 */
class KeyedSnapshotFuzzTest {
    private static final FuzzHarness HARNESS = new FuzzHarness("keyed-snapshot");
    private static final MemoryCheckpointStorage READER = new MemoryCheckpointStorage("fuzz");
    private static final StateBackend HEAP = StateBackends.create("memory", Map.of());
    private static final KeyGroupRange ALL = KeyGroupRange.of(0, CheckpointFixture.MAX_PARALLELISM - 1);
    private static final Path LOCAL = local();

    static Stream<Arguments> seeds() {
        return Seeds.arguments(Seeds.get().keyedSnapshots);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] input) {
        boolean reseal = FuzzHarness.resealed(input);
        byte[] bytes = FuzzHarness.body(input);
        HARNESS.check(() -> {
            FormatReader in = new FormatReader(FuzzHarness.ROOT + "chk-2/_metadata", "checkpoint metadata", bytes, 0,
                    bytes.length);
            KeyedStateHandle read = HandleFormat.readKeyed(in, FuzzHarness.ROOT, CheckpointFixture.MAX_PARALLELISM);
            if (!(read instanceof KeyGroupsStateHandle kg) || !(kg.delegate() instanceof InlineStateHandle stream)) {
                return;
            }
            KeyGroupsStateHandle handle = reseal ? new KeyGroupsStateHandle(kg.keyGroupRange(), kg.offsets(),
                    new InlineStateHandle(FuzzHarness.resealFrames(stream.unsafeData()))) : kg;
            try (KeyedSnapshotReader reader = KeyedSnapshotReader.open(handle, READER, CheckpointFixture.OPERATOR)) {
                for (int group : handle.keyGroupRange()) {
                    reader.readKeyGroup(group);
                }
            }
            try (KeyedStateBackend<Long> heap = HEAP.createKeyedBackend(new KeyedBackendParameters<>(
                    CheckpointFixture.OPERATOR, Serializers.LONG, CheckpointFixture.MAX_PARALLELISM, ALL, LOCAL,
                    READER), List.of(handle))) {
                readAll(heap);
            }
        });
    }

    /** Reads every key and value of the fixture's states, deserializing all of them. */
    static void readAll(KeyedStateBackend<Long> backend) {
        var value = backend.getState(CheckpointFixture.VALUE);
        var list = backend.getState(CheckpointFixture.LIST);
        var map = backend.getState(CheckpointFixture.MAP);
        for (String name : List.of("value", "list", "map")) {
            for (Long key : backend.keys(name).toList()) {
                backend.setCurrentKey(key);
                value.value();
                list.get();
                map.entries().forEach(e -> e.getValue());
            }
        }
    }

    private static Path local() {
        try {
            Path work = Path.of(System.getProperty("cairn.fuzz.work", System.getProperty("java.io.tmpdir")));
            return Files.createTempDirectory(Files.createDirectories(work), "heap-local-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void report() {
        HARNESS.report();
    }
}
