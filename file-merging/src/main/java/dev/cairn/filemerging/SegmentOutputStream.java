package dev.cairn.filemerging;

import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.SpillingStateOutputStream;
import dev.cairn.checkpoint.StreamStateHandle;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One logical state file written as a segment of a physical file. It buffers
 * {@code max(writeBufferSize, inlineThreshold)} bytes before it takes a physical file from its
 * pool, so a small stream holds one only while it commits, and it keeps the file until it commits
 * or closes. Below the inline threshold the commit returns an {@link InlineStateHandle} and writes
 * nothing. Closing without commit leaves the bytes written so far as waste in the physical file,
 * which the commit of the checkpoint takes back or counts against the space bound.
 */
final class SegmentOutputStream extends SpillingStateOutputStream {
    private final CheckpointSession session;
    private final String key;
    private final int inlineThreshold;
    private final CRC32C crc = new CRC32C();
    private PhysicalFile file;
    private long start;

    SegmentOutputStream(CheckpointSession session, String key, int writeBufferSize, int inlineThreshold) {
        super(Math.max(writeBufferSize, inlineThreshold));
        this.session = session;
        this.key = key;
        this.inlineThreshold = inlineThreshold;
    }

    @Override
    protected boolean spilled() {
        return file != null;
    }

    @Override
    protected void openSink() {
        file = session.acquire(key);
        start = file.length;
    }

    @Override
    public StreamStateHandle commit() {
        ensureOpen();
        if (file == null && count < inlineThreshold) {
            InlineStateHandle inline = new InlineStateHandle(Arrays.copyOf(buffer, count));
            closed = true;
            buffer = null;
            return inline;
        }
        boolean done = false;
        try {
            session.ensureWritable(key);
            spill();
            SegmentStateHandle segment = new SegmentStateHandle(file.location, start, flushed, (int) crc.getValue());
            PhysicalFile f = file;
            file = null;
            closed = true;
            buffer = null;
            done = true;
            session.release(f, segment.length(), true, false);
            return segment;
        } finally {
            if (!done) {
                close();
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        buffer = null;
        if (file != null) {
            PhysicalFile f = file;
            file = null;
            session.release(f, flushed, false, false);
        }
    }

    @Override
    protected void writeToSink(byte[] b, int off, int len) {
        session.ensureWritable(key);
        try {
            file.out.write(b, off, len);
        } catch (RuntimeException e) {
            PhysicalFile f = file;
            file = null;
            closed = true;
            buffer = null;
            session.release(f, flushed, false, true);
            throw e;
        }
        crc.update(b, off, len);
    }
}
