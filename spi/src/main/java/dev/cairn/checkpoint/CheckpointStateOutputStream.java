package dev.cairn.checkpoint;

import java.io.OutputStream;

/**
 * Where a backend writes one piece of snapshot data. {@link #commit()} publishes the bytes and
 * returns their handle (inline when small); {@link #close()} without a commit aborts and leaves
 * nothing, so a snapshot that fails half-way never produces a truncated file.
 */
public abstract class CheckpointStateOutputStream extends OutputStream {

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

    /** Bytes written so far; offsets for handles are taken from it. */
    public abstract long position();

    /** Publishes the written bytes and closes the stream. If it throws, nothing was published. */
    public abstract StreamStateHandle commit();

    /** Aborts unless committed; idempotent. */
    @Override
    public abstract void close();
}
