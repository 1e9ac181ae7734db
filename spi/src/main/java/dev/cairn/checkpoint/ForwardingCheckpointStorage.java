package dev.cairn.checkpoint;

import dev.cairn.blob.SeekableInputStream;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A {@link CheckpointStorage} that passes every call, the optional job-directory methods included, to a
 * delegate. Decorators (fault injection, auditing, metrics) extend it and override only what they change,
 * so a method added to the SPI later is forwarded instead of silently falling back to its default.
 */
public abstract class ForwardingCheckpointStorage implements CheckpointStorage {
    protected final CheckpointStorage delegate;

    protected ForwardingCheckpointStorage(CheckpointStorage delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The storage this one decorates. */
    public CheckpointStorage delegate() {
        return delegate;
    }

    /** The innermost storage behind any number of forwarding decorators. */
    public static CheckpointStorage unwrap(CheckpointStorage storage) {
        CheckpointStorage s = storage;
        while (s instanceof ForwardingCheckpointStorage f) {
            s = f.delegate;
        }
        return s;
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
    public void discard(CompletedCheckpoint checkpoint) {
        delegate.discard(checkpoint);
    }

    @Override
    public CheckpointScan scan() {
        return delegate.scan();
    }

    @Override
    public long highestCheckpointId() {
        return delegate.highestCheckpointId();
    }

    @Override
    public void markJobEnded(JobEnd end) {
        delegate.markJobEnded(end);
    }

    @Override
    public List<String> removeUnreferenced(Collection<CompletedCheckpoint> keep) {
        return delegate.removeUnreferenced(keep);
    }

    @Override
    public void discardJob() {
        delegate.discardJob();
    }

    @Override
    public JobDirectoryHold holdJobDirectory(String description) {
        return delegate.holdJobDirectory(description);
    }

    @Override
    public List<JobLease> leases() {
        return delegate.leases();
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
