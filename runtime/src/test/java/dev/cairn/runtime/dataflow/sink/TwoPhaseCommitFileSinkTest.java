package dev.cairn.runtime.dataflow.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.OperatorBackendParameters;
import dev.cairn.backend.OperatorStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.error.CairnException;
import dev.cairn.runtime.dataflow.TestStateBackend;
import dev.cairn.runtime.dataflow.api.OperatorContext;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.RunnableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pre-commit on the barrier, commit on completion, and commit-or-abort of leftovers on restore. */
class TwoPhaseCommitFileSinkTest {
    @TempDir
    Path out;

    private final MemoryCheckpointStorage storage = new MemoryCheckpointStorage("sink-test");

    @AfterEach
    void closeStorage() {
        storage.close();
    }

    private record Context(String attemptId, OperatorStateBackend operatorState, OptionalLong restoredCheckpointId,
            boolean isRestored, boolean finalCheckpointExpected) implements OperatorContext {
        @Override
        public String operatorId() {
            return "sink";
        }

        @Override
        public int subtaskIndex() {
            return 0;
        }

        @Override
        public int parallelism() {
            return 1;
        }

        @Override
        public int maxParallelism() {
            return 128;
        }

        @Override
        public <K> KeyedStateBackend<K> keyedState() {
            throw new IllegalStateException("not keyed");
        }
    }

    private Context fresh(String attempt, boolean finalCheckpointExpected) {
        return new Context(attempt, backend(List.of()), OptionalLong.empty(), false, finalCheckpointExpected);
    }

    private Context restored(String attempt, long checkpointId, OperatorStateHandle handle) {
        return new Context(attempt, backend(handle == null ? List.of() : List.of(handle)), OptionalLong.of(checkpointId),
                true, true);
    }

    private OperatorStateBackend backend(List<OperatorStateHandle> handles) {
        return new TestStateBackend().createOperatorBackend(new OperatorBackendParameters("sink", 0, storage), handles);
    }

    private OperatorStateHandle snapshot(OperatorStateBackend backend, long checkpointId) throws Exception {
        RunnableFuture<OperatorStateHandle> f = backend.snapshot(checkpointId, SnapshotType.CHECKPOINT,
                storage.initializeLocation(checkpointId));
        f.run();
        return f.get();
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void write(TwoPhaseCommitFileSink<String> sink, String... records) {
        for (String r : records) {
            sink.processElement(r, x -> {
            });
        }
    }

    @Test
    void preCommitsOnTheBarrierAndCommitsWhenTheCheckpointCompletes() throws Exception {
        TwoPhaseCommitFileSink<String> sink = new TwoPhaseCommitFileSink<>(out, s -> s);
        sink.open(fresh("run-0", true));
        write(sink, "a", "b");
        assertThat(files()).singleElement().asString().startsWith(".inprogress-run-0-0-");
        sink.snapshotState(1);
        assertThat(files()).singleElement().asString().startsWith(".pending-1-run-0-0-");
        assertThat(TwoPhaseCommitFileSink.readCommitted(out)).isEmpty();

        sink.notifyCheckpointComplete(1);
        assertThat(TwoPhaseCommitFileSink.readCommitted(out)).containsExactly("a", "b");
        assertThat(files()).singleElement().asString().startsWith("part-1-run-0-0-");
        sink.close();
    }

    @Test
    void aRestoreCommitsThePendingFilesOfTheCheckpointAndDeletesWhatWasInProgress() throws Exception {
        Context first = fresh("run-0", true);
        TwoPhaseCommitFileSink<String> sink = new TwoPhaseCommitFileSink<>(out, s -> s);
        sink.open(first);
        write(sink, "a");
        sink.snapshotState(1);
        sink.notifyCheckpointComplete(1);
        write(sink, "b");
        sink.snapshotState(2);
        OperatorStateHandle atTwo = snapshot(first.operatorState(), 2);
        write(sink, "c");
        sink.close();

        TwoPhaseCommitFileSink<String> restoredSink = new TwoPhaseCommitFileSink<>(out, s -> s);
        restoredSink.open(restored("run-1", 2, atTwo));
        assertThat(TwoPhaseCommitFileSink.readCommitted(out)).containsExactly("a", "b");
        assertThat(files()).allMatch(n -> n.startsWith("part-"));

        TwoPhaseCommitFileSink<String> again = new TwoPhaseCommitFileSink<>(out, s -> s);
        again.open(restored("run-2", 2, atTwo));
        assertThat(TwoPhaseCommitFileSink.readCommitted(out)).as("a second restore commits nothing twice")
                .containsExactly("a", "b");
    }

    @Test
    void aRestoreFromAnOlderCheckpointAbortsFilesPreCommittedForNewerOnes() throws Exception {
        Context first = fresh("run-0", true);
        TwoPhaseCommitFileSink<String> sink = new TwoPhaseCommitFileSink<>(out, s -> s);
        sink.open(first);
        write(sink, "a");
        sink.snapshotState(1);
        OperatorStateHandle atOne = snapshot(first.operatorState(), 1);
        write(sink, "b");
        sink.snapshotState(2);
        write(sink, "c");
        sink.close();

        TwoPhaseCommitFileSink<String> restoredSink = new TwoPhaseCommitFileSink<>(out, s -> s);
        restoredSink.open(restored("run-1", 1, atOne));
        assertThat(TwoPhaseCommitFileSink.readCommitted(out)).containsExactly("a");
        assertThat(files()).singleElement().asString().startsWith("part-1-run-0-0-");
    }

    @Test
    void aFreshStartDeletesEveryLeftoverOfEarlierRuns() throws Exception {
        TwoPhaseCommitFileSink<String> sink = new TwoPhaseCommitFileSink<>(out, s -> s);
        sink.open(fresh("run-0", true));
        write(sink, "a");
        sink.snapshotState(1);
        write(sink, "b");
        sink.close();

        TwoPhaseCommitFileSink<String> next = new TwoPhaseCommitFileSink<>(out, s -> s);
        next.open(fresh("run-1", true));
        assertThat(files()).isEmpty();
    }

    @Test
    void withoutAFinalCheckpointTheLastFileIsCommittedAtTheEndOfInput() throws Exception {
        TwoPhaseCommitFileSink<String> sink = new TwoPhaseCommitFileSink<>(out, s -> s);
        sink.open(fresh("run-0", false));
        write(sink, "a", "b");
        sink.finish(x -> {
        });
        assertThat(TwoPhaseCommitFileSink.readCommitted(out)).containsExactly("a", "b");
        assertThat(files()).allMatch(n -> n.startsWith("part-"));
    }

    @Test
    void aPreCommittedFileThatVanishedIsReportedNotSkipped() throws Exception {
        Context first = fresh("run-0", true);
        TwoPhaseCommitFileSink<String> sink = new TwoPhaseCommitFileSink<>(out, s -> s);
        sink.open(first);
        write(sink, "a");
        sink.snapshotState(1);
        OperatorStateHandle atOne = snapshot(first.operatorState(), 1);
        sink.close();
        for (String name : files()) {
            Files.delete(out.resolve(name));
        }

        TwoPhaseCommitFileSink<String> restoredSink = new TwoPhaseCommitFileSink<>(out, s -> s);
        assertThatThrownBy(() -> restoredSink.open(restored("run-1", 1, atOne))).isInstanceOf(CairnException.class)
                .hasMessageContaining(".pending-1-run-0-0-").hasMessageContaining("missing");
    }
}
