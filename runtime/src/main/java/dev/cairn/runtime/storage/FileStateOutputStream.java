package dev.cairn.runtime.storage;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.SpillingStateOutputStream;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.StorageException;
import java.util.Arrays;
import java.util.UUID;

/** Buffers up to the inline threshold, then spills to a blob with a random name in its directory. */
final class FileStateOutputStream extends SpillingStateOutputStream {
    private final FileCheckpointLocation owner;
    private final BlobStore store;
    private final FileCheckpointStorageOptions options;
    private final String directory;
    private final CheckpointedStateScope scope;
    private String location;
    private BlobOutputStream blob;

    FileStateOutputStream(FileCheckpointLocation owner, BlobStore store, FileCheckpointStorageOptions options,
            String directory, CheckpointedStateScope scope) {
        super(Math.max(options.inlineThreshold(), options.writeBufferSize()));
        this.owner = owner;
        this.store = store;
        this.options = options;
        this.directory = directory;
        this.scope = scope;
    }

    @Override
    protected boolean spilled() {
        return blob != null;
    }

    @Override
    protected void openSink() {
        location = directory + UUID.randomUUID();
        blob = store.create(location);
    }

    @Override
    protected void writeToSink(byte[] b, int off, int len) {
        blob.write(b, off, len);
    }

    @Override
    protected String describe() {
        return location == null ? "" : location;
    }

    @Override
    public StreamStateHandle commit() {
        ensureOpen();
        if (blob == null && count < options.inlineThreshold()) {
            InlineStateHandle handle = new InlineStateHandle(Arrays.copyOf(buffer, count));
            release();
            return handle;
        }
        try {
            spill();
            long size = flushed;
            BlobInfo info = blob.commit();
            if (info.length() != size) {
                store.delete(location);
                throw new StorageException(location + ": the store committed " + info.length() + " bytes of "
                        + size);
            }
            release();
            owner.committed(location, scope);
            return new FileStateHandle(location, size);
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            if (blob != null) {
                blob.close();
            }
        } finally {
            release();
        }
    }

    private void release() {
        closed = true;
        buffer = null;
    }
}
