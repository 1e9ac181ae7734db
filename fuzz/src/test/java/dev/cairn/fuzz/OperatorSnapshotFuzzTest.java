package dev.cairn.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.backend.OperatorBackendParameters;
import dev.cairn.backend.OperatorStateBackend;
import dev.cairn.backend.StateBackend;
import dev.cairn.backend.StateBackends;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.format.FormatReader;
import dev.cairn.format.HandleFormat;
import dev.cairn.format.snapshot.OperatorSnapshotReader;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the canonical operator snapshot format: the input is an operator-state handle whose stream is inline;
 * every state the handle names is read with {@link OperatorSnapshotReader}, then the handle is restored by the
 * operator backend and its split, union and broadcast state read back. Seeded with the operator state files of
 * real checkpoints of both backends; in the checksum-fixing mode every frame of the stream is resealed.
 */
class OperatorSnapshotFuzzTest {
    private static final FuzzHarness HARNESS = new FuzzHarness("operator-snapshot");
    private static final MemoryCheckpointStorage READER = new MemoryCheckpointStorage("fuzz");
    private static final StateBackend HEAP = StateBackends.create("memory", Map.of());

    static Stream<Arguments> seeds() {
        return Seeds.arguments(Seeds.get().operatorSnapshots);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] input) {
        boolean reseal = FuzzHarness.resealed(input);
        byte[] bytes = FuzzHarness.body(input);
        HARNESS.check(() -> {
            FormatReader in = new FormatReader(FuzzHarness.ROOT + "chk-2/_metadata", "checkpoint metadata", bytes, 0,
                    bytes.length);
            OperatorStateHandle read = HandleFormat.readOperator(in, FuzzHarness.ROOT);
            if (!(read.delegate() instanceof InlineStateHandle stream)) {
                return;
            }
            OperatorStateHandle handle = reseal ? new OperatorStateHandle(read.states(),
                    new InlineStateHandle(FuzzHarness.resealFrames(stream.unsafeData()))) : read;
            try (OperatorSnapshotReader reader = OperatorSnapshotReader.open(handle, READER,
                    CheckpointFixture.OPERATOR)) {
                for (String name : handle.states().keySet()) {
                    reader.readElements(name);
                }
            }
            try (OperatorStateBackend backend = HEAP.createOperatorBackend(new OperatorBackendParameters(
                    CheckpointFixture.OPERATOR, 0, READER), List.of(handle))) {
                backend.getListState(CheckpointFixture.SPLIT).get();
                backend.getUnionListState(CheckpointFixture.UNION).get();
                backend.getBroadcastState(CheckpointFixture.BROADCAST).entries().forEach(e -> e.getValue());
            }
        });
    }

    @AfterAll
    static void report() {
        HARNESS.report();
    }
}
