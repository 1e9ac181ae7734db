package dev.cairn.runtime.dataflow;

import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import java.io.ByteArrayOutputStream;

/**
 * A stream factory whose streams stay in memory as {@link InlineStateHandle}s. An unaligned checkpoint
 * captures the operator state here at the barrier and writes it to storage together with the channel
 * state once the last barrier arrived.
 */
final class MemoryStreamFactory implements CheckpointStreamFactory {
    static final MemoryStreamFactory INSTANCE = new MemoryStreamFactory();

    @Override
    public CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope) {
        return new CheckpointStateOutputStream() {
            private ByteArrayOutputStream buffer = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                open().write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                open().write(b, off, len);
            }

            @Override
            public long position() {
                return open().size();
            }

            @Override
            public StreamStateHandle commit() {
                InlineStateHandle handle = new InlineStateHandle(open().toByteArray());
                buffer = null;
                return handle;
            }

            @Override
            public void close() {
                buffer = null;
            }

            private ByteArrayOutputStream open() {
                if (buffer == null) {
                    throw new IllegalStateException("stream is closed");
                }
                return buffer;
            }
        };
    }
}
