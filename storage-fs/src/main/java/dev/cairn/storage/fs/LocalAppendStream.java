package dev.cairn.storage.fs;

import dev.cairn.blob.BlobInfo;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An append to a committed file of {@link LocalBlobStore} ({@link dev.cairn.blob.SupportsAppend}). The
 * channel is opened for {@code WRITE}, not {@code APPEND}, and positioned at the expected length, so bytes a
 * killed writer left beyond it are cut off rather than kept in front of the new ones. {@link #commit()}
 * forces the file to the device; {@link #close()} before a commit truncates it back to the expected
 * length. One append per file at a time: two concurrent appends to one file would interleave.
 */
final class LocalAppendStream extends LocalChannelOutputStream {
    private final Path path;
    private final long expectedLength;
    private final AtomicLong fileSyncs;

    private LocalAppendStream(String location, Path path, FileChannel channel, long expectedLength, int bufferSize,
            AtomicLong fileSyncs) {
        super(location, channel, bufferSize, "append");
        this.path = path;
        this.expectedLength = expectedLength;
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
}
