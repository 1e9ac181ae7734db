package dev.cairn.benchmarks.flink;

import dev.cairn.benchmarks.common.SnapshotBackend;
import dev.cairn.benchmarks.common.SnapshotSystem;
import dev.cairn.benchmarks.common.SnapshotWorkload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RunnableFuture;
import java.util.function.Function;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.state.CheckpointStorageLocation;
import org.apache.flink.runtime.state.CheckpointableKeyedStateBackend;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackendParametersImpl;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SharedStateRegistryImpl;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.filesystem.FsCheckpointStorageAccess;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;

/**
 * An Apache Flink state backend built directly, as apache/flink-benchmarks does: a task environment from Flink's
 * own test utilities ({@link MockEnvironment}: memory manager, I/O manager, configuration), keyed backends created
 * through the public {@link StateBackend} API, snapshots written by {@link FsCheckpointStorageAccess} (Flink's
 * {@code FileSystemCheckpointStorage}: 20 KiB inline threshold, 4 KiB write buffer) into a temporary directory,
 * and completed checkpoints registered in a {@link SharedStateRegistryImpl} as the JobManager does before the
 * backend is notified. Restores hand each backend the intersection of every handle with its key-group range,
 * as Flink's {@code StateAssignmentOperation} does. {@link #close()} deletes the directory.
 */
public final class FlinkSnapshotSystem implements SnapshotSystem {
    /** Managed memory of the task, as apache/flink-benchmarks' rescaling benchmark sets it. */
    public static final long MANAGED_MEMORY_BYTES = 512L << 20;

    private static final ValueStateDescriptor<byte[]> STATE =
            new ValueStateDescriptor<>(SnapshotWorkload.STATE_NAME, BytePrimitiveArraySerializer.INSTANCE);

    private final Path directory;
    private final StateBackend stateBackend;
    private final MockEnvironment environment;
    private final FsCheckpointStorageAccess storage;
    private final SharedStateRegistryImpl registry = new SharedStateRegistryImpl();
    private final JobID jobId = new JobID();

    /** @param backendFactory makes the state backend, given a directory it may use for local files */
    public FlinkSnapshotSystem(String name, Function<Path, StateBackend> backendFactory) {
        this.directory = SnapshotWorkload.createTempDirectory("flink-bench-" + name + "-");
        MockEnvironment env = null;
        boolean ready = false;
        try {
            this.stateBackend = backendFactory.apply(directory.resolve("local"));
            env = MockEnvironment.builder().setManagedMemorySize(MANAGED_MEMORY_BYTES)
                    .setMaxParallelism(SnapshotWorkload.MAX_PARALLELISM).build();
            this.environment = env;
            this.storage = new FsCheckpointStorageAccess(
                    new org.apache.flink.core.fs.Path(directory.resolve("checkpoints").toUri()), null, jobId,
                    20 * 1024, 4096);
            storage.initializeBaseLocationsForCheckpoint();
            ready = true;
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up Flink's " + name + " backend in " + directory, e);
        } finally {
            if (!ready) {
                try {
                    if (env != null) {
                        env.close();
                    }
                } catch (Exception closing) {
                    // the set-up failure is already propagating; the directory is removed either way
                } finally {
                    SnapshotWorkload.deleteRecursively(directory);
                }
            }
        }
    }

    @Override
    public SnapshotBackend create(int firstKeyGroup, int lastKeyGroup, List<Object> restoreFrom) {
        KeyGroupRange range = new KeyGroupRange(firstKeyGroup, lastKeyGroup);
        List<KeyedStateHandle> handles = new ArrayList<>(restoreFrom.size());
        for (Object h : restoreFrom) {
            KeyedStateHandle intersection = ((KeyedStateHandle) h).getIntersection(range);
            if (intersection != null) {
                handles.add(intersection);
            }
        }
        try {
            CheckpointableKeyedStateBackend<Long> keyed = stateBackend.createKeyedStateBackend(
                    new KeyedStateBackendParametersImpl<>(environment, jobId, "bench", LongSerializer.INSTANCE,
                            SnapshotWorkload.MAX_PARALLELISM, range, environment.getTaskKvStateRegistry(),
                            TtlTimeProvider.DEFAULT, new UnregisteredMetricsGroup(), handles,
                            new CloseableRegistry()));
            return new Backend(keyed);
        } catch (Exception e) {
            throw new IllegalStateException("Flink could not create a keyed backend for " + range, e);
        }
    }

    @Override
    public int keyGroupOf(long key) {
        return KeyGroupRangeAssignment.assignToKeyGroup(key, SnapshotWorkload.MAX_PARALLELISM);
    }

    @Override
    public void close() {
        try {
            registry.close();
            environment.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot close Flink's task environment", e);
        } finally {
            SnapshotWorkload.deleteRecursively(directory);
        }
    }

    private final class Backend implements SnapshotBackend {
        private final CheckpointableKeyedStateBackend<Long> keyed;
        private final ValueState<byte[]> state;
        private final Map<Long, KeyedStateHandle> pending = new HashMap<>();

        Backend(CheckpointableKeyedStateBackend<Long> keyed) throws Exception {
            this.keyed = keyed;
            this.state = keyed.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, STATE);
        }

        @Override
        public void put(long key, byte[] value) {
            keyed.setCurrentKey(key);
            try {
                state.update(value);
            } catch (Exception e) {
                throw new IllegalStateException("update of key " + key + " failed", e);
            }
        }

        @Override
        public byte[] get(long key) {
            keyed.setCurrentKey(key);
            try {
                return state.value();
            } catch (Exception e) {
                throw new IllegalStateException("read of key " + key + " failed", e);
            }
        }

        @Override
        public dev.cairn.benchmarks.common.SnapshotResult snapshot(long checkpointId, boolean full) {
            try {
                CheckpointStorageLocation location = storage.initializeLocationForCheckpoint(checkpointId);
                long start = System.nanoTime();
                RunnableFuture<org.apache.flink.runtime.state.SnapshotResult<KeyedStateHandle>> future = keyed.snapshot(checkpointId,
                        System.currentTimeMillis(), location, CheckpointOptions.forCheckpointWithDefaultLocation());
                long synced = System.nanoTime();
                future.run();
                KeyedStateHandle handle = future.get().getJobManagerOwnedSnapshot();
                long done = System.nanoTime();
                Map<String, Long> sst = new LinkedHashMap<>();
                if (handle instanceof IncrementalRemoteKeyedStateHandle incremental) {
                    for (HandleAndLocalPath file : incremental.getSharedState()) {
                        if (file.getLocalPath().endsWith(".sst")) {
                            sst.put(file.getLocalPath(), file.getStateSize());
                        }
                    }
                }
                pending.put(checkpointId, handle);
                return new dev.cairn.benchmarks.common.SnapshotResult(handle, synced - start, done - start,
                        handle.getCheckpointedSize(), sst);
            } catch (Exception e) {
                throw new IllegalStateException("snapshot " + checkpointId + " failed", e);
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            KeyedStateHandle handle = pending.remove(checkpointId);
            if (handle == null) {
                throw new IllegalStateException("no snapshot " + checkpointId + " to complete");
            }
            handle.registerSharedStates(registry, checkpointId);
            registry.checkpointCompleted(checkpointId);
            if (!(keyed instanceof CheckpointListener listener)) {
                throw new IllegalStateException(keyed.getClass().getName() + " does not listen to checkpoints");
            }
            try {
                listener.notifyCheckpointComplete(checkpointId);
            } catch (Exception e) {
                throw new IllegalStateException("notifyCheckpointComplete(" + checkpointId + ") failed", e);
            }
        }

        @Override
        public void close() {
            try {
                keyed.dispose();
                keyed.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close Flink's keyed backend", e);
            }
        }
    }
}
