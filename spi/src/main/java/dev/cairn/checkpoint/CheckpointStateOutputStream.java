package dev.cairn.checkpoint;

import java.io.OutputStream;

/**
 * Where a backend writes one piece of snapshot data. {@link #commit()} publishes the bytes and
 * returns their handle (inline when small); {@link #close()} without a commit aborts and leaves
 * nothing, so a snapshot that fails half-way never produces a truncated file.
 */
public abstract class CheckpointStateOutputStream extends OutputStream {

    /** Bytes written so far; offsets for handles are taken from it. */
    public abstract long position();

    /** Publishes the written bytes and closes the stream. If it throws, nothing was published. */
    public abstract StreamStateHandle commit();

    /** Aborts unless committed; idempotent. */
    @Override
    public abstract void close();
}
