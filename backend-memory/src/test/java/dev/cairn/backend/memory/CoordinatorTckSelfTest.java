package dev.cairn.backend.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.OperatorBackendParameters;
import dev.cairn.backend.OperatorStateBackend;
import dev.cairn.backend.StateBackend;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.ForwardingCheckpointStorage;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.StateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import dev.cairn.storage.fs.LocalBlobStore;
import dev.cairn.tck.CoordinatorTck;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Proves that {@link CoordinatorTck} catches a backend that loses state when restored at another parallelism,
 * a storage that never deletes discarded checkpoints and one that keeps the files of aborted checkpoints, each
 * failing exactly the rules about its fault.
 * The healthy pair passes every rule in {@link HeapCoordinatorTckTest}.
 */
class CoordinatorTckSelfTest {

    @Test
    void backendRestoringOnlyOneOfSeveralHandlesFailsExactlyTheRescaleRule() {
        Events tests = run(FirstHandleOnlyTck.class);
        assertThat(failedRules(tests)).as(failures(tests)).containsExactly("ruleCOORD04_restoreAtNewParallelism");
        assertThat(tests.succeeded().count()).isEqualTo(13);
    }

    @Test
    void storageWhoseDiscardDeletesNothingFailsExactlyTheDeletionRules() {
        Events tests = run(NeverDiscardingTck.class);
        assertThat(failedRules(tests)).as(failures(tests)).containsExactly("ruleCOORD06_retainsExactlyN",
                "ruleCOORD07_externalizedRetentionOnCancel", "ruleCOORD08_externalizedRetentionOnFailure",
                "ruleCOORD10_claimModes", "ruleCOORD14_resumedRunOwnsTheJobDirectory");
        assertThat(tests.succeeded().count()).isEqualTo(9);
    }

    @Test
    void storageWithoutTheJobDirectoryMethodsFailsExactlyTheResumeRule() {
        Events tests = run(MandatoryOnlyTck.class);
        assertThat(failedRules(tests)).as(failures(tests)).containsExactly("ruleCOORD14_resumedRunOwnsTheJobDirectory");
    }

    @Test
    void storageThatKeepsTheFilesOfAbortedCheckpointsFailsExactlyTheTimeoutRule() {
        Events tests = run(LeakingAbortTck.class);
        assertThat(failedRules(tests)).as(failures(tests)).containsExactly("ruleCOORD11_checkpointTimeout");
        assertThat(tests.succeeded().count()).isEqualTo(13);
    }

    private static String failures(Events tests) {
        StringBuilder b = new StringBuilder("failed rules:");
        tests.failed().stream().forEach(e -> b.append("\n  ").append(e.getTestDescriptor().getDisplayName())
                .append(": ").append(e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                        .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
                        .map(t -> String.valueOf(t.getMessage()).strip()).orElse("?")));
        return b.toString();
    }

    private static Events run(Class<?> suite) {
        return EngineTestKit.engine("junit-jupiter").selectors(DiscoverySelectors.selectClass(suite)).execute()
                .testEvents();
    }

    private static Set<String> failedRules(Events tests) {
        Set<String> failed = new TreeSet<>();
        tests.failed().stream().forEach(e -> failed.add(((MethodSource) e.getTestDescriptor().getSource().orElseThrow())
                .getMethodName()));
        return failed;
    }

    private static CheckpointStorage fileStorage(String jobId, Path directory) {
        return CheckpointStorages.create(LocalBlobStore.toLocation(directory), jobId,
                Map.of(FileCheckpointStorageOptions.INLINE_THRESHOLD, "64"));
    }

    /** The heap backend, except that a keyed backend restores only the first handle it is given. */
    static class FirstHandleOnlyTck extends CoordinatorTck {
        @Override
        protected StateBackend createBackend() {
            HeapStateBackend heap = new HeapStateBackend();
            return new StateBackend() {
                @Override
                public String name() {
                    return "first-handle-only";
                }

                @Override
                public <K> KeyedStateBackend<K> createKeyedBackend(KeyedBackendParameters<K> parameters,
                        Collection<KeyedStateHandle> restoreState) {
                    return heap.createKeyedBackend(parameters, restoreState.stream().limit(1).toList());
                }

                @Override
                public OperatorStateBackend createOperatorBackend(OperatorBackendParameters parameters,
                        Collection<OperatorStateHandle> restoreState) {
                    return heap.createOperatorBackend(parameters, restoreState);
                }
            };
        }

        @Override
        protected CheckpointStorage createCheckpointStorage(String jobId, Path directory) {
            return fileStorage(jobId, directory);
        }
    }

    /** File storage seen through the SPI's mandatory methods only. */
    static class MandatoryOnlyTck extends CoordinatorTck {
        @Override
        protected StateBackend createBackend() {
            return new HeapStateBackend();
        }

        @Override
        protected CheckpointStorage createCheckpointStorage(String jobId, Path directory) {
            return new MandatoryOnly(fileStorage(jobId, directory));
        }
    }

    /** File storage whose {@code discard} returns without deleting anything. */
    static class NeverDiscardingTck extends CoordinatorTck {
        @Override
        protected StateBackend createBackend() {
            return new HeapStateBackend();
        }

        @Override
        protected CheckpointStorage createCheckpointStorage(String jobId, Path directory) {
            return new NeverDiscarding(fileStorage(jobId, directory));
        }
    }

    /** File storage whose locations' {@code discardOnFailure} returns without deleting anything. */
    static class LeakingAbortTck extends CoordinatorTck {
        @Override
        protected StateBackend createBackend() {
            return new HeapStateBackend();
        }

        @Override
        protected CheckpointStorage createCheckpointStorage(String jobId, Path directory) {
            return new Forwarding(fileStorage(jobId, directory)) {
                @Override
                public CheckpointStorageLocation initializeLocation(long checkpointId) {
                    CheckpointStorageLocation location = super.initializeLocation(checkpointId);
                    return new CheckpointStorageLocation() {
                        @Override
                        public long checkpointId() {
                            return location.checkpointId();
                        }

                        @Override
                        public CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope) {
                            return location.createOutputStream(scope);
                        }

                        @Override
                        public CompletedCheckpoint finalizeCheckpoint(CheckpointMetadata metadata) {
                            return location.finalizeCheckpoint(metadata);
                        }

                        @Override
                        public void discardOnFailure() {
                        }
                    };
                }
            };
        }
    }

    static final class NeverDiscarding extends Forwarding {
        NeverDiscarding(CheckpointStorage delegate) {
            super(delegate);
        }

        @Override
        public void discard(CompletedCheckpoint checkpoint) {
        }
    }

    /** Forwards every call to the storage under test. */
    static class Forwarding extends ForwardingCheckpointStorage {
        Forwarding(CheckpointStorage delegate) {
            super(delegate);
        }
    }

    /**
     * Forwards only the methods a storage must implement and keeps the SPI's defaults for the job-directory
     * methods (no job-end record, nothing removed on a claim), as a storage written before them would.
     */
    static class MandatoryOnly implements CheckpointStorage {
        final CheckpointStorage delegate;

        MandatoryOnly(CheckpointStorage delegate) {
            this.delegate = delegate;
        }

        @Override
        public void discard(CompletedCheckpoint checkpoint) {
            delegate.discard(checkpoint);
        }

        @Override
        public CheckpointStorageLocation initializeLocation(long checkpointId) {
            return delegate.initializeLocation(checkpointId);
        }

        @Override
        public CheckpointStorageLocation initializeSavepointLocation(long checkpointId, String targetDirectory) {
            return delegate.initializeSavepointLocation(checkpointId, targetDirectory);
        }

        @Override
        public void discardState(long checkpointId, Collection<? extends StateHandle> state) {
            delegate.discardState(checkpointId, state);
        }

        @Override
        public CompletedCheckpoint resolve(String pointer) {
            return delegate.resolve(pointer);
        }

        @Override
        public List<CompletedCheckpoint> completedCheckpoints() {
            return delegate.completedCheckpoints();
        }

        @Override
        public SeekableInputStream open(StreamStateHandle handle) {
            return delegate.open(handle);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
