package dev.cairn.tck;

import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.ForwardingCheckpointStorage;
import dev.cairn.checkpoint.StateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.StorageException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The checkpoint storage {@link CoordinatorTck} puts around the storage under test. It delegates every call,
 * records what each checkpoint location wrote and finalized (so the suite can check later that discarded
 * checkpoints left no file behind), and on demand fails or stalls the stream commits or the finalization of
 * the next checkpoints, to drive the coordinator's timeout and failure counting through a real storage.
 *
 * <p>A fault is armed for "the next {@code n} checkpoint locations initialized"; savepoint locations are never
 * faulted. A stall waits until {@link #releaseStalls()} (or at most the configured longest stall) and then
 * fails, so a stalled checkpoint never publishes a stream or metadata after it was given up: whatever it wrote
 * before is left for the coordinator to delete when it aborts the checkpoint.
 */
public final class CoordinatorFaultyStorage extends ForwardingCheckpointStorage {
    /** What goes wrong with an armed checkpoint. */
    public enum Fault {
        /** Every stream commit of the checkpoint throws a {@link StorageException}: the tasks decline it. */
        FAIL_STREAMS,
        /** Every stream commit of the checkpoint blocks until released, then throws. */
        STALL_STREAMS,
        /** Writing the checkpoint's metadata throws a {@link StorageException}. */
        FAIL_FINALIZE,
        /** Writing the checkpoint's metadata blocks until released, then throws. */
        STALL_FINALIZE
    }

    /** One stream committed through a checkpoint location of this storage. */
    public record Written(long checkpointId, CheckpointedStateScope scope, StreamStateHandle handle) {
    }

    private final Duration longestStall;
    private final Deque<Fault> armed = new ArrayDeque<>();
    private final Map<Long, Fault> faults = new ConcurrentHashMap<>();
    private final List<Written> written = new CopyOnWriteArrayList<>();
    private final Map<Long, CompletedCheckpoint> finalized = new TreeMap<>();
    private final AtomicInteger activeStalls = new AtomicInteger();
    private volatile CountDownLatch release = new CountDownLatch(1);

    /**
     * @param delegate     the storage under test; closed with this one
     * @param longestStall the longest a stall lasts without {@link #releaseStalls()}
     */
    public CoordinatorFaultyStorage(CheckpointStorage delegate, Duration longestStall) {
        super(delegate);
        this.longestStall = Objects.requireNonNull(longestStall, "longestStall");
    }

    /** The storage under test. */
    public CheckpointStorage delegate() {
        return delegate;
    }

    /** Applies {@code fault} to each of the next {@code checkpoints} checkpoint locations initialized. */
    public synchronized void arm(Fault fault, int checkpoints) {
        Objects.requireNonNull(fault, "fault");
        for (int i = 0; i < checkpoints; i++) {
            armed.add(fault);
        }
        release = new CountDownLatch(1);
    }

    /** Ends every stall now in progress; later stalls (of checkpoints armed afterwards) wait again. */
    public void releaseStalls() {
        release.countDown();
    }

    /** Waits until no call is stalled any more (after {@link #releaseStalls()}); false on timeout. */
    public boolean awaitNoStalls(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (activeStalls.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    /** Calls stalled right now. */
    public int activeStalls() {
        return activeStalls.get();
    }

    /** The checkpoint ids that received a fault, with it, ascending. */
    public synchronized Map<Long, Fault> faultedCheckpoints() {
        return new TreeMap<>(faults);
    }

    /** The fault applied to checkpoint {@code checkpointId}, if any. */
    public Optional<Fault> faultOf(long checkpointId) {
        return Optional.ofNullable(faults.get(checkpointId));
    }

    /** Every checkpoint whose metadata this storage wrote (also ones discarded since), ascending by id. */
    public synchronized List<CompletedCheckpoint> finalizedCheckpoints() {
        return List.copyOf(finalized.values());
    }

    /** Every stream committed through the location of checkpoint {@code checkpointId}. */
    public List<Written> written(long checkpointId) {
        return written.stream().filter(w -> w.checkpointId() == checkpointId).toList();
    }

    /** Every stream committed through any checkpoint location. */
    public List<Written> written() {
        return List.copyOf(written);
    }

    @Override
    public CheckpointStorageLocation initializeLocation(long checkpointId) {
        Fault fault;
        synchronized (this) {
            fault = armed.poll();
            if (fault != null) {
                faults.put(checkpointId, fault);
            }
        }
        return new Location(delegate.initializeLocation(checkpointId), fault);
    }

    @Override
    public CheckpointStorageLocation initializeSavepointLocation(long checkpointId, String targetDirectory) {
        return new Location(delegate.initializeSavepointLocation(checkpointId, targetDirectory), null);
    }

    /** Releases every stall and closes the storage under test. */
    @Override
    public void close() {
        releaseStalls();
        delegate.close();
    }

    @Override
    public String toString() {
        return "CoordinatorFaultyStorage[" + delegate + "]";
    }

    private void stall(String what) {
        CountDownLatch latch = release;
        activeStalls.incrementAndGet();
        try {
            if (!latch.await(longestStall.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new StorageException("injected: " + what + " stalled for the longest stall of "
                        + longestStall.toMillis() + " ms without being released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("injected: interrupted while " + what + " was stalled", e);
        } finally {
            activeStalls.decrementAndGet();
        }
    }

    /** A checkpoint location that applies its fault and records what it wrote. */
    private final class Location implements CheckpointStorageLocation {
        private final CheckpointStorageLocation location;
        private final Fault fault;

        Location(CheckpointStorageLocation location, Fault fault) {
            this.location = location;
            this.fault = fault;
        }

        @Override
        public long checkpointId() {
            return location.checkpointId();
        }

        @Override
        public CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope) {
            return new Stream(location.createOutputStream(scope), scope, location.checkpointId(), fault);
        }

        @Override
        public CheckpointStreamFactory forSubtask(String operatorId, int subtaskIndex) {
            CheckpointStreamFactory subtask = location.forSubtask(operatorId, subtaskIndex);
            return new CheckpointStreamFactory() {
                @Override
                public CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope) {
                    return new Stream(subtask.createOutputStream(scope), scope, location.checkpointId(), fault);
                }

                @Override
                public Collection<StreamStateHandle> reusable(Collection<StreamStateHandle> candidates) {
                    return subtask.reusable(candidates);
                }
            };
        }

        @Override
        public Collection<StreamStateHandle> reusable(Collection<StreamStateHandle> candidates) {
            return location.reusable(candidates);
        }

        @Override
        public CompletedCheckpoint finalizeCheckpoint(CheckpointMetadata metadata) {
            long id = location.checkpointId();
            if (fault == Fault.FAIL_FINALIZE) {
                throw new StorageException("injected: writing the metadata of checkpoint " + id + " failed");
            }
            if (fault == Fault.STALL_FINALIZE) {
                stall("writing the metadata of checkpoint " + id);
                throw new StorageException("injected: writing the metadata of checkpoint " + id
                        + " was stalled and then failed");
            }
            CompletedCheckpoint completed = location.finalizeCheckpoint(metadata);
            synchronized (CoordinatorFaultyStorage.this) {
                finalized.put(completed.checkpointId(), completed);
            }
            return completed;
        }

        @Override
        public void discardOnFailure() {
            location.discardOnFailure();
        }
    }

    /** A state stream that applies its checkpoint's fault at commit and records the handle it published. */
    private final class Stream extends CheckpointStateOutputStream {
        private final CheckpointStateOutputStream out;
        private final CheckpointedStateScope scope;
        private final long checkpointId;
        private final Fault fault;

        Stream(CheckpointStateOutputStream out, CheckpointedStateScope scope, long checkpointId, Fault fault) {
            this.out = out;
            this.scope = scope;
            this.checkpointId = checkpointId;
            this.fault = fault;
        }

        @Override
        public void write(int b) {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            out.write(b, off, len);
        }

        @Override
        public long position() {
            return out.position();
        }

        @Override
        public StreamStateHandle commit() {
            if (fault == Fault.STALL_STREAMS) {
                try {
                    stall("a state stream of checkpoint " + checkpointId);
                } finally {
                    out.close();
                }
                throw new StorageException("injected: a state stream of checkpoint " + checkpointId
                        + " was stalled and then failed");
            }
            if (fault == Fault.FAIL_STREAMS) {
                out.close();
                throw new StorageException("injected: committing a state stream of checkpoint " + checkpointId
                        + " failed");
            }
            StreamStateHandle handle = out.commit();
            written.add(new Written(checkpointId, scope, handle));
            return handle;
        }

        @Override
        public void close() {
            out.close();
        }
    }

    /** The handles of {@code metadata} as a flat list of streams. */
    static List<StreamStateHandle> streamsOf(CheckpointMetadata metadata) {
        List<StreamStateHandle> streams = new ArrayList<>();
        for (StateHandle h : metadata.allHandles()) {
            streams.addAll(h.streams());
        }
        return streams;
    }
}
