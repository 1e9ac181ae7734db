package dev.cairn.runtime.storage;

import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import java.io.ByteArrayOutputStream;

/**
 * A stream factory whose streams stay in memory and commit to {@link InlineStateHandle}s, whatever the
 * scope: the streams of {@link MemoryCheckpointStorage}, and a staging area for state that is captured
 * first and written to real storage later (operator state at an unaligned barrier).
 */
public final class InlineStreamFactory implements CheckpointStreamFactory {
    public static final InlineStreamFactory INSTANCE = new InlineStreamFactory();

    private InlineStreamFactory() {
    }

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
