package dev.cairn.storage.fs;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.error.StorageException;
import java.io.IOException;
import java.util.Objects;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * What the two write streams of {@link HadoopBlobStore} share: writes through an {@link FSDataOutputStream},
 * a commit that {@code hsync}s (or {@code hflush}es where that is all there is) and closes before it
 * publishes, and the refusal of every write after a commit, an abort or a failed write. What a commit
 * publishes and what an abort takes back is the subclass's: a new blob renames its temporary file, an
 * append has nothing to publish and cuts the file back.
 */
abstract class HadoopFileOutputStream extends BlobOutputStream {
    final String location;
    final FSDataOutputStream out;
    private final boolean append;
    private long position;
    private boolean finished;
    private boolean committed;
    private IOException writeFailure;

    /** @param append whether this extends a committed blob (names the stream so in errors) */
    HadoopFileOutputStream(String location, FSDataOutputStream out, boolean append) {
        this.location = location;
        this.out = out;
        this.append = append;
    }

    /** After the stream is synced and closed: makes the bytes the blob's. */
    abstract void publish() throws IOException;

    /** The blob's length once {@code written} bytes of this stream are committed. */
    abstract long committedLength(long written);

    /** Close without a commit: closes the stream and takes back what it wrote. */
    abstract void takeBack();

    /** Bytes written by this stream. */
    @Override
    public final long position() {
        return position;
    }

    @Override
    public final void write(int b) {
        ensureWritable();
        try {
            out.write(b);
        } catch (IOException e) {
            writeFailure = e;
            throw failure(location, append ? "append write" : "write", e);
        }
        position++;
    }

    @Override
    public final void write(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureWritable();
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            writeFailure = e;
            throw failure(location, append ? "append write" : "write", e);
        }
        position += len;
    }

    @Override
    public final void flush() {
        ensureWritable();
        try {
            out.flush();
        } catch (IOException e) {
            writeFailure = e;
            throw failure(location, append ? "append flush" : "flush", e);
        }
    }

    @Override
    public final BlobInfo commit() {
        ensureWritable();
        try {
            if (out.hasCapability(StreamCapabilities.HSYNC)) {
                out.hsync();
            } else if (out.hasCapability(StreamCapabilities.HFLUSH)) {
                out.hflush();
            }
            out.close();
            publish();
        } catch (IOException e) {
            throw abortAfter(failure(location, "commit", e));
        } catch (RuntimeException e) {
            throw abortAfter(e);
        }
        finished = true;
        committed = true;
        return new BlobInfo(location, committedLength(position));
    }

    /** Unless committed or closed already, {@linkplain #takeBack takes back} what the stream wrote. */
    @Override
    public final void close() {
        if (finished) {
            return;
        }
        finished = true;
        takeBack();
    }

    /** Closes the underlying stream for an abort; returns what closing it threw, or null. */
    final IOException closeForAbort() {
        try {
            out.close();
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /** {@code first} with {@code next} suppressed in it, or {@code next} if there is no first. */
    static IOException combine(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    static StorageException failure(String location, String what, IOException e) {
        return new StorageException(location + ": " + what + " failed: " + e, e);
    }

    private RuntimeException abortAfter(RuntimeException cause) {
        if (!finished) {
            try {
                close();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
        return cause;
    }

    private void ensureWritable() {
        if (committed) {
            throw new StorageException(location + (append ? ": the append is already committed"
                    : ": the blob is already committed; blobs are immutable"));
        }
        if (finished) {
            throw new StorageException(location + (append ? ": the append stream is closed (aborted)"
                    : ": the stream is closed (aborted)"));
        }
        if (writeFailure != null) {
            throw new StorageException(location + ": an earlier write failed, so this " + (append ? "append" : "blob")
                    + " can only be aborted", writeFailure);
        }
    }
}
