package dev.cairn.format.snapshot;

import dev.cairn.blob.ByteArraySeekableInputStream;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.StateHandleReader;
import dev.cairn.checkpoint.StreamStateHandle;
import java.io.ByteArrayOutputStream;

/** A checkpoint stream that commits to an {@link InlineStateHandle}, and the reader for such handles. */
final class InMemoryStream extends CheckpointStateOutputStream {
    static final StateHandleReader READER = h -> new ByteArraySeekableInputStream(((InlineStateHandle) h).data());

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    @Override
    public void write(int b) {
        buffer.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        buffer.write(b, off, len);
    }

    @Override
    public long position() {
        return buffer.size();
    }

    @Override
    public StreamStateHandle commit() {
        return new InlineStateHandle(buffer.toByteArray());
    }

    @Override
    public void close() {
    }
}
