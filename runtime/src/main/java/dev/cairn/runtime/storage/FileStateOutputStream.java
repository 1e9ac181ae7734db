package dev.cairn.runtime.storage;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.StorageException;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/** Buffers up to the inline threshold, then spills to a blob with a random name in its directory. */
final class FileStateOutputStream extends CheckpointStateOutputStream {
    private final FileCheckpointLocation owner;
    private final BlobStore store;
    private final FileCheckpointStorageOptions options;
    private final String directory;
    private final CheckpointedStateScope scope;
    private byte[] buffer;
    private int count;
    private long flushed;
    private String location;
    private BlobOutputStream blob;
    private boolean closed;

    FileStateOutputStream(FileCheckpointLocation owner, BlobStore store, FileCheckpointStorageOptions options,
            String directory, CheckpointedStateScope scope) {
        this.owner = owner;
        this.store = store;
        this.options = options;
        this.directory = directory;
        this.scope = scope;
        this.buffer = new byte[Math.max(options.inlineThreshold(), options.writeBufferSize())];
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
        if (blob != null && count == 0 && len >= buffer.length) {
            writeToBlob(b, off, len);
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

    private void spill() {
        if (blob == null) {
            location = directory + UUID.randomUUID();
            blob = store.create(location);
        }
        if (count > 0) {
            writeToBlob(buffer, 0, count);
            count = 0;
        }
    }

    private void writeToBlob(byte[] b, int off, int len) {
        blob.write(b, off, len);
        flushed += len;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("checkpoint state stream is closed"
                    + (location == null ? "" : " (" + location + ")"));
        }
    }
}
