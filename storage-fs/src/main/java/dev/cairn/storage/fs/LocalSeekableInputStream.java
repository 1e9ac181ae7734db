package dev.cairn.storage.fs;

import dev.cairn.blob.SeekableInputStream;
import dev.cairn.error.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * A buffered stream over a {@link FileChannel} using positioned reads only, so a seek costs nothing
 * until the next read and a seek within the buffered window re-reads nothing. Not thread-safe.
 */
final class LocalSeekableInputStream extends SeekableInputStream {
    private final String location;
    private final FileChannel channel;
    private final long length;
    private final ByteBuffer buffer;
    private long bufferStart;
    private long position;
    private boolean closed;

    LocalSeekableInputStream(String location, FileChannel channel, long length, int bufferSize) {
        this.location = location;
        this.channel = channel;
        this.length = length;
        this.buffer = ByteBuffer.allocate(bufferSize);
        this.buffer.limit(0);
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void seek(long newPosition) {
        ensureOpen();
        if (newPosition < 0 || newPosition > length) {
            throw new StorageException(location + ": cannot seek to " + newPosition + ", the blob holds "
                    + length + " bytes");
        }
        position = newPosition;
    }

    @Override
    public int read() {
        ensureOpen();
        if (!isBuffered(position) && !fill()) {
            return -1;
        }
        int b = buffer.get((int) (position - bufferStart)) & 0xFF;
        position++;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len == 0) {
            return 0;
        }
        if (!isBuffered(position)) {
            if (len >= buffer.capacity()) {
                return readDirect(b, off, len);
            }
            if (!fill()) {
                return -1;
            }
        }
        int index = (int) (position - bufferStart);
        int n = Math.min(len, buffer.limit() - index);
        buffer.get(index, b, off, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        ensureOpen();
        if (n <= 0) {
            return 0;
        }
        long target = Math.min(length, position + Math.min(n, length));
        long skipped = Math.max(0, target - position);
        position += skipped;
        return skipped;
    }

    @Override
    public int available() {
        ensureOpen();
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, length - position));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            throw failure(location, "close", e);
        }
    }

    private boolean isBuffered(long pos) {
        return pos >= bufferStart && pos < bufferStart + buffer.limit();
    }

    private boolean fill() {
        buffer.clear();
        try {
            int n;
            do {
                n = channel.read(buffer, position);
            } while (n == 0);
            buffer.flip();
        } catch (IOException e) {
            buffer.limit(0);
            throw failure(location, "read at position " + position, e);
        }
        bufferStart = position;
        return buffer.limit() > 0;
    }

    private int readDirect(byte[] b, int off, int len) {
        ByteBuffer target = ByteBuffer.wrap(b, off, len);
        try {
            int n;
            do {
                n = channel.read(target, position);
            } while (n == 0);
            if (n > 0) {
                position += n;
            }
            return n;
        } catch (IOException e) {
            throw failure(location, "read at position " + position, e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException(location + ": the stream is closed");
        }
    }
}
