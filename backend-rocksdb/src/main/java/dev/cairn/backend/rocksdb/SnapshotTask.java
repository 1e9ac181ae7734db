package dev.cairn.backend.rocksdb;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The asynchronous phase of a snapshot. What the synchronous phase prepared (a RocksDB snapshot,
 * a local checkpoint directory) is released exactly once: when the body finishes, or when the task
 * is cancelled before the body starts, in which case the body never runs.
 */
final class SnapshotTask<H> extends FutureTask<H> {
    private final AtomicBoolean claimed;
    private final Runnable release;

    SnapshotTask(Callable<H> body, Runnable release) {
        this(body, release, new AtomicBoolean());
    }

    private SnapshotTask(Callable<H> body, Runnable release, AtomicBoolean claimed) {
        super(() -> {
            if (!claimed.compareAndSet(false, true)) {
                throw new CancellationException("snapshot was cancelled");
            }
            try {
                return body.call();
            } finally {
                release.run();
            }
        });
        this.claimed = claimed;
        this.release = release;
    }

    static <H> SnapshotTask<H> completed(H result) {
        SnapshotTask<H> task = new SnapshotTask<>(() -> result, () -> { });
        task.run();
        return task;
    }

    @Override
    protected void done() {
        if (claimed.compareAndSet(false, true)) {
            release.run();
        }
    }
}
