package dev.cairn.storage.fs;

import dev.cairn.blob.BlobOutputStream;
import dev.cairn.error.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * The buffered writes to a {@link FileChannel} that a new blob and an append of {@link LocalBlobStore}
 * share; subclasses decide what {@link #commit()} publishes and what {@link #close()} undoes. After a
 * failed write the stream can only be aborted.
 */
abstract class LocalChannelOutputStream extends BlobOutputStream {
    final String location;
    final FileChannel channel;
    private final ByteBuffer buffer;
    private final String what;
    long position;
    boolean finished;
    boolean committed;
    private IOException writeFailure;

    /** @param what "blob" or "append", for messages */
    LocalChannelOutputStream(String location, FileChannel channel, int bufferSize, String what) {
        this.location = location;
        this.channel = channel;
        this.buffer = ByteBuffer.allocate(bufferSize);
        this.what = what;
    }

    /** Bytes written by this stream. */
    @Override
    public long position() {
        return position;
    }

    @Override
    public void write(int b) {
        ensureWritable();
        if (!buffer.hasRemaining()) {
            drain();
        }
        buffer.put((byte) b);
        position++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureWritable();
        if (len >= buffer.capacity()) {
            drain();
            writeFully(ByteBuffer.wrap(b, off, len));
        } else {
            if (len > buffer.remaining()) {
                drain();
            }
            buffer.put(b, off, len);
        }
        position += len;
    }

    @Override
    public void flush() {
        ensureWritable();
        drain();
    }

    /** Closes (aborts) unless finished, keeping {@code cause} as the failure. */
    RuntimeException abortAfter(RuntimeException cause) {
        if (!finished) {
            try {
                close();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
        return cause;
    }

    void drain() {
        buffer.flip();
        try {
            writeFully(buffer);
        } finally {
            buffer.clear();
        }
    }

    private void writeFully(ByteBuffer source) {
        try {
            while (source.hasRemaining()) {
                channel.write(source);
            }
        } catch (IOException e) {
            writeFailure = e;
            throw failure(location, what.equals("append") ? "append write" : "write", e);
        }
    }

    void ensureWritable() {
        if (committed) {
            throw new StorageException(location + ": the " + what + " is already committed"
                    + (what.equals("blob") ? "; blobs are immutable" : ""));
        }
        if (finished) {
            throw new StorageException(location + ": the " + (what.equals("blob") ? "" : what + " ")
                    + "stream is closed (aborted)");
        }
        if (writeFailure != null) {
            throw new StorageException(location + ": an earlier write failed, so this " + what
                    + " can only be aborted", writeFailure);
        }
    }

    static StorageException failure(String location, String what, IOException e) {
        return new StorageException(location + ": " + what + " failed: " + e, e);
    }
}
