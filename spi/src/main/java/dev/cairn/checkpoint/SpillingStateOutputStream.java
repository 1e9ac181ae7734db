package dev.cairn.checkpoint;

import java.util.Objects;

/**
 * A checkpoint state stream that buffers its bytes and spills them to a sink (a blob, a segment of a
 * merged file) once the buffer is full, so a stream that stays small can still become an inline
 * handle at commit. Large writes go straight to an open sink. Subclasses open the sink and commit.
 */
public abstract class SpillingStateOutputStream extends CheckpointStateOutputStream {
    /** The buffered bytes not yet spilled: {@code buffer[0, count)}; null once closed. */
    protected byte[] buffer;
    protected int count;
    /** Bytes written to the sink. */
    protected long flushed;
    protected boolean closed;

    protected SpillingStateOutputStream(int bufferSize) {
        this.buffer = new byte[bufferSize];
    }

    /** Whether the sink is open. */
    protected abstract boolean spilled();

    /** Opens the sink; called once, before the first bytes are spilled. */
    protected abstract void openSink();

    /** Writes {@code len} bytes to the open sink. */
    protected abstract void writeToSink(byte[] b, int off, int len);

    /** What the closed-stream error names, e.g. the sink's location; empty by default. */
    protected String describe() {
        return "";
    }

    @Override
    public void write(int b) {
        ensureOpen();
        if (count == buffer.length) {
            spill();
        }
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensureOpen();
        Objects.checkFromIndexSize(off, len, b.length);
        if (spilled() && count == 0 && len >= buffer.length) {
            writeThrough(b, off, len);
            return;
        }
        while (len > 0) {
            if (count == buffer.length) {
                spill();
            }
            int n = Math.min(len, buffer.length - count);
            System.arraycopy(b, off, buffer, count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public long position() {
        return flushed + count;
    }

    /** Opens the sink if needed and writes the buffered bytes to it. */
    protected final void spill() {
        if (!spilled()) {
            openSink();
        }
        if (count > 0) {
            writeThrough(buffer, 0, count);
            count = 0;
        }
    }

    private void writeThrough(byte[] b, int off, int len) {
        writeToSink(b, off, len);
        flushed += len;
    }

    protected final void ensureOpen() {
        if (closed) {
            String what = describe();
            throw new IllegalStateException("checkpoint state stream is closed" + (what.isEmpty() ? "" : " (" + what
                    + ")"));
        }
    }
}
