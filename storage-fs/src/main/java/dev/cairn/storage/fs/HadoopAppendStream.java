package dev.cairn.storage.fs;

import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.StorageException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LeaseRecoverable;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.viewfs.ViewFileSystem;
import org.apache.hadoop.ipc.RemoteException;

/**
 * An append to a committed file of {@link HadoopBlobStore} ({@link dev.cairn.blob.SupportsAppend}), through
 * {@link FileSystem#append} and {@link FileSystem#truncate}. A file longer than the expected length (a
 * killed writer's tail) is truncated before the append; {@link #commit()} is {@code hsync} and close;
 * {@link #close()} before a commit closes the stream and truncates the file back.
 *
 * <p>On HDFS a truncate that does not end on a block boundary returns {@code false}: the NameNode keeps the
 * file open under the truncating client's lease until a DataNode has recovered the last block (a
 * heartbeat or so later), and an append before that fails. So after such a truncate, and before looking at
 * a file a killed writer may still hold open ({@link LeaseRecoverable#recoverLease}), the stream waits,
 * up to {@link #RECOVERY_TIMEOUT}, for the file to be closed. {@code viewfs://} is resolved to the mounted
 * file system for this; elsewhere the wait is for the file length, and appends refused while a recovery is
 * in progress are retried.
 */
final class HadoopAppendStream extends HadoopFileOutputStream {
    /** How long opening or aborting an append waits for a lease or block recovery to end. */
    static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(90);

    private static final long MAX_POLL_MILLIS = 250;
    private static final int OPEN_ATTEMPTS = 3;

    private final FileSystem fs;
    private final Path path;
    private final long expectedLength;

    private HadoopAppendStream(String location, FileSystem fs, Path path, long expectedLength,
            FSDataOutputStream out) {
        super(location, out, true);
        this.fs = fs;
        this.path = path;
        this.expectedLength = expectedLength;
    }

    /** Opens {@code path} on {@code fs} to append after its first {@code expectedLength} bytes. */
    static HadoopAppendStream open(String location, FileSystem fs, Path path, long expectedLength, int bufferSize) {
        if (expectedLength < 0) {
            throw new IllegalArgumentException(location + ": cannot append after a negative length ("
                    + expectedLength + ")");
        }
        long deadline = deadline();
        try {
            for (int attempt = 1; ; attempt++) {
                cutTo(location, fs, path, expectedLength, deadline);
                FSDataOutputStream out = appendWhenFree(location, fs, path, bufferSize, deadline);
                long start = out.getPos();
                // A stream that does not report the file's length starts at 0.
                if (start == expectedLength || start == 0) {
                    return new HadoopAppendStream(location, fs, path, expectedLength, out);
                }
                out.close();
                if (attempt == OPEN_ATTEMPTS) {
                    throw new StorageException(location + ": opened for append at byte " + start + " instead of "
                            + expectedLength + " (" + OPEN_ATTEMPTS + " times); is another writer appending?");
                }
            }
        } catch (FileNotFoundException e) {
            throw new BlobNotFoundException(location, e);
        } catch (UnsupportedOperationException e) {
            throw unsupported(location, fs, e);
        } catch (IOException e) {
            throw failure(location, "append", e);
        }
    }

    /** Nothing to publish: the synced and closed append is the blob's. */
    @Override
    void publish() {
    }

    @Override
    long committedLength(long written) {
        return expectedLength + written;
    }

    /** Closes the stream and truncates the file back to the expected length. */
    @Override
    void takeBack() {
        IOException problem = closeForAbort();
        try {
            cutTo(location, fs, path, expectedLength, deadline());
        } catch (FileNotFoundException e) {
            // The blob was deleted: nothing is left to cut back.
        } catch (IOException e) {
            problem = combine(problem, e);
        } catch (UnsupportedOperationException e) {
            throw unsupported(location, fs, e);
        } catch (RuntimeException e) {
            if (problem != null) {
                e.addSuppressed(problem);
            }
            throw e;
        }
        if (problem != null) {
            throw failure(location, "abort (truncating back to " + expectedLength + " bytes)", problem);
        }
    }

    /**
     * Makes {@code path} exactly {@code length} bytes long and closed: waits out (or forces) the recovery of
     * a lease still held, refuses a shorter file, truncates a longer one and waits for the truncate to end.
     */
    private static void cutTo(String location, FileSystem fs, Path path, long length, long deadline)
            throws IOException {
        Lease lease = lease(fs, path);
        if (lease != null && !lease.fs().isFileClosed(lease.path()) && !lease.fs().recoverLease(lease.path())) {
            awaitClosed(location, lease, deadline, "the lease of an earlier writer to be recovered");
        }
        FileStatus status = fs.getFileStatus(path);
        if (!status.isFile()) {
            throw new BlobNotFoundException(location);
        }
        long current = status.getLen();
        if (current < length) {
            throw new StorageException(location + ": cannot append after byte " + length + " of " + path
                    + ", which holds only " + current + " bytes");
        }
        if (current == length || fs.truncate(path, length)) {
            return;
        }
        if (lease != null) {
            awaitClosed(location, lease, deadline, "the truncate to " + length + " bytes to finish");
        } else {
            awaitLength(location, fs, path, length, deadline);
        }
    }

    /** {@link FileSystem#append}, retried while the file system reports a lease or block recovery in progress. */
    private static FSDataOutputStream appendWhenFree(String location, FileSystem fs, Path path, int bufferSize,
            long deadline) throws IOException {
        for (int polls = 0; ; polls++) {
            try {
                return fs.append(path, bufferSize);
            } catch (RemoteException e) {
                String type = e.getClassName();
                boolean transientRefusal = type != null && (type.endsWith(".RecoveryInProgressException")
                        || type.endsWith(".AlreadyBeingCreatedException"));
                if (!transientRefusal || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                pause(location, polls);
            }
        }
    }

    private static void awaitClosed(String location, Lease lease, long deadline, String what) throws IOException {
        for (int polls = 0; !lease.fs().isFileClosed(lease.path()); polls++) {
            if (System.nanoTime() - deadline >= 0) {
                throw new StorageException(location + ": gave up after " + RECOVERY_TIMEOUT.toSeconds()
                        + " s waiting for " + what + " (the file is still open for writing)");
            }
            pause(location, polls);
        }
    }

    private static void awaitLength(String location, FileSystem fs, Path path, long length, long deadline)
            throws IOException {
        for (int polls = 0; ; polls++) {
            long current = fs.getFileStatus(path).getLen();
            if (current == length) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new StorageException(location + ": gave up after " + RECOVERY_TIMEOUT.toSeconds()
                        + " s waiting for the truncate to " + length + " bytes to finish (the file holds "
                        + current + " bytes)");
            }
            pause(location, polls);
        }
    }

    private static void pause(String location, int polls) {
        try {
            Thread.sleep(Math.min(MAX_POLL_MILLIS, 10L << Math.min(polls, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(location + ": interrupted while waiting for a lease or block recovery", e);
        }
    }

    /** The file system that answers lease questions about {@code path}, and the path there; null if none. */
    private static Lease lease(FileSystem fs, Path path) throws IOException {
        if (fs instanceof LeaseRecoverable recoverable) {
            return new Lease(recoverable, path);
        }
        if (fs instanceof ViewFileSystem view) {
            Path resolved = view.resolvePath(path);
            URI target = resolved.toUri();
            for (FileSystem child : view.getChildFileSystems()) {
                URI uri = child.getUri();
                if (child instanceof LeaseRecoverable recoverable
                        && Objects.equals(uri.getScheme(), target.getScheme())
                        && Objects.equals(uri.getAuthority(), target.getAuthority())) {
                    return new Lease(recoverable, resolved);
                }
            }
        }
        return null;
    }

    private record Lease(LeaseRecoverable fs, Path path) {
    }

    private static long deadline() {
        return System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
    }

    private static StorageException unsupported(String location, FileSystem fs, UnsupportedOperationException e) {
        return new StorageException(location + ": the " + fs.getUri().getScheme() + ":// file system ("
                + fs.getClass().getSimpleName() + ") does not support append and truncate, which appending needs: "
                + e.getMessage(), e);
    }
}
