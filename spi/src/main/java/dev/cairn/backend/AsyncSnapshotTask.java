package dev.cairn.backend;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The asynchronous phase of a snapshot, as {@link Snapshottable#snapshot} returns it. What the
 * synchronous phase prepared (pinned maps, a database snapshot, a local checkpoint directory) is
 * released exactly once: when the body finishes, or when the task is cancelled before the body
 * starts, in which case the body never runs and so never reads what was released.
 *
 * @param <H> the handle the body produces
 */
public final class AsyncSnapshotTask<H> extends FutureTask<H> {
    private final AtomicBoolean claimed;
    private final Runnable release;

    public AsyncSnapshotTask(Callable<H> body, Runnable release) {
        this(body, release, new AtomicBoolean());
    }

    private AsyncSnapshotTask(Callable<H> body, Runnable release, AtomicBoolean claimed) {
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

    /** An already completed snapshot with the given result (for example {@code null} when there is no state). */
    public static <H> AsyncSnapshotTask<H> completed(H result) {
        AsyncSnapshotTask<H> task = new AsyncSnapshotTask<>(() -> result, () -> { });
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
