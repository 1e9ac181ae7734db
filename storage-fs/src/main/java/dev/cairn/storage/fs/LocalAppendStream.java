package dev.cairn.storage.fs;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An append to a committed file of {@link LocalBlobStore} ({@link dev.cairn.blob.SupportsAppend}). The
 * channel is opened for {@code WRITE}, not {@code APPEND}, and positioned at the expected length, so bytes a
 * killed writer left beyond it are cut off rather than kept in front of the new ones. {@link #commit()}
 * forces the file to the device; {@link #close()} before a commit truncates it back to the expected
 * length. One append per file at a time: two concurrent appends to one file would interleave.
 */
final class LocalAppendStream extends BlobOutputStream {
    private final String location;
    private final Path path;
    private final FileChannel channel;
    private final long expectedLength;
    private final ByteBuffer buffer;
    private final AtomicLong fileSyncs;
    private long position;
    private boolean finished;
    private boolean committed;
    private IOException writeFailure;

    private LocalAppendStream(String location, Path path, FileChannel channel, long expectedLength, int bufferSize,
            AtomicLong fileSyncs) {
        this.location = location;
        this.path = path;
        this.channel = channel;
        this.expectedLength = expectedLength;
        this.buffer = ByteBuffer.allocate(bufferSize);
        this.fileSyncs = fileSyncs;
    }

    /**
     * Opens {@code path} to append after its first {@code expectedLength} bytes; each commit adds one to
     * {@code fileSyncs}.
     */
    static LocalAppendStream open(String location, Path path, long expectedLength, int bufferSize,
            AtomicLong fileSyncs) {
        if (expectedLength < 0) {
            throw new IllegalArgumentException(location + ": cannot append after a negative length ("
                    + expectedLength + ")");
        }
        FileChannel channel;
        try {
            if (!Files.readAttributes(path, BasicFileAttributes.class).isRegularFile()) {
                throw new BlobNotFoundException(location);
            }
            channel = FileChannel.open(path, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(location, e);
        } catch (IOException e) {
            throw failure(location, "append", e);
        }
        try {
            long size = channel.size();
            if (size < expectedLength) {
                throw new StorageException(location + ": cannot append after byte " + expectedLength + " of " + path
                        + ", which holds only " + size + " bytes");
            }
            if (size > expectedLength) {
                channel.truncate(expectedLength);
            }
            channel.position(expectedLength);
            return new LocalAppendStream(location, path, channel, expectedLength, bufferSize, fileSyncs);
        } catch (IOException | RuntimeException e) {
            RuntimeException thrown = e instanceof IOException io ? failure(location, "append", io)
                    : (RuntimeException) e;
            try {
                channel.close();
            } catch (IOException closing) {
                thrown.addSuppressed(closing);
            }
            throw thrown;
        }
    }

    /** Bytes appended by this stream. */
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

    /** Writes what is buffered, forces the file to the device and returns the blob's new length. */
    @Override
    public BlobInfo commit() {
        ensureWritable();
        try {
            drain();
            channel.force(true);
            fileSyncs.incrementAndGet();
            channel.close();
        } catch (IOException e) {
            throw abortAfter(failure(location, "commit", e));
        } catch (RuntimeException e) {
            throw abortAfter(e);
        }
        finished = true;
        committed = true;
        return new BlobInfo(location, expectedLength + position);
    }

    /** Unless committed, truncates the file back to the expected length, forces it and closes the channel. */
    @Override
    public void close() {
        if (finished) {
            return;
        }
        finished = true;
        IOException problem = null;
        try {
            cutBack();
        } catch (IOException e) {
            problem = e;
        }
        try {
            channel.close();
        } catch (IOException e) {
            if (problem == null) {
                problem = e;
            } else {
                problem.addSuppressed(e);
            }
        }
        if (problem != null) {
            throw failure(location, "abort (truncating back to " + expectedLength + " bytes)", problem);
        }
    }

    private void cutBack() throws IOException {
        if (channel.isOpen()) {
            channel.truncate(expectedLength);
            channel.force(true);
            return;
        }
        try (FileChannel again = FileChannel.open(path, StandardOpenOption.WRITE)) {
            again.truncate(expectedLength);
            again.force(true);
        } catch (NoSuchFileException e) {
            // The blob was deleted: nothing is left to cut back.
        }
    }

    private RuntimeException abortAfter(RuntimeException cause) {
        if (!finished) {
            try {
                close();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
        return cause;
    }

    private void drain() {
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
            throw failure(location, "append write", e);
        }
    }

    private void ensureWritable() {
        if (committed) {
            throw new StorageException(location + ": the append is already committed");
        }
        if (finished) {
            throw new StorageException(location + ": the append stream is closed (aborted)");
        }
        if (writeFailure != null) {
            throw new StorageException(location + ": an earlier write failed, so this append can only be aborted",
                    writeFailure);
        }
    }

    private static StorageException failure(String location, String what, IOException e) {
        return new StorageException(location + ": " + what + " failed: " + e, e);
    }
}
