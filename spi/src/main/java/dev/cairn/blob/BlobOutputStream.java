package dev.cairn.blob;

import java.io.OutputStream;

/**
 * The bytes of one new blob. {@link #commit()} publishes them atomically and returns what was
 * published; {@link #close()} before {@code commit()} aborts: nothing becomes visible and
 * temporary data is removed. So a writer that fails half-way, and leaves through a
 * try-with-resources block, never publishes a truncated blob.
 */
public abstract class BlobOutputStream extends OutputStream {

    /** Writes one byte; failures are unchecked {@link dev.cairn.error.StorageException}s. */
    @Override
    public abstract void write(int b);

    /** Writes {@code len} bytes; failures are unchecked {@link dev.cairn.error.StorageException}s. */
    @Override
    public abstract void write(byte[] b, int off, int len);

    /** Writes all of {@code b}. */
    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    /** Bytes written so far. */
    public abstract long position();

    /**
     * Makes the written bytes visible at the stream's location, durably, and closes the stream.
     * If it throws, nothing was published.
     */
    public abstract BlobInfo commit();

    /** Aborts unless {@link #commit()} succeeded; idempotent. */
    @Override
    public abstract void close();
}
