package dev.cairn.backend.rocksdb;

/**
 * Keeps the native database open while asynchronous snapshot phases use it: each running phase
 * holds a lease, and {@link #closeAndWait()} refuses new leases and waits for the held ones, so the
 * database is never closed under a running phase.
 */
final class ResourceGuard {
    private final String what;
    private int leases;
    private boolean closed;

    ResourceGuard(String what) {
        this.what = what;
    }

    /** A lease to release exactly once; fails if the guarded resource is closed. */
    synchronized Lease acquire() {
        if (closed) {
            throw new IllegalStateException(what + " is closed");
        }
        leases++;
        return new Lease();
    }

    private synchronized void release() {
        leases--;
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Refuses new leases and waits until every lease is released. */
    synchronized void closeAndWait() {
        closed = true;
        boolean interrupted = false;
        while (leases > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One use of the guarded resource. */
    final class Lease implements AutoCloseable {
        private boolean released;

        @Override
        public void close() {
            if (!released) {
                released = true;
                release();
            }
        }
    }
}
