package dev.cairn.blob;

import dev.cairn.error.StorageException;

/** A {@link SeekableInputStream} over bytes in memory. */
public final class ByteArraySeekableInputStream extends SeekableInputStream {
    private final byte[] data;
    private int pos;

    public ByteArraySeekableInputStream(byte[] data) {
        this.data = data;
    }

    @Override
    public long position() {
        return pos;
    }

    @Override
    public void seek(long position) {
        if (position < 0 || position > data.length) {
            throw new StorageException("seek to " + position + " outside [0, " + data.length + "]");
        }
        pos = (int) position;
    }

    @Override
    public int read() {
        return pos < data.length ? data[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (pos >= data.length) {
            return -1;
        }
        int n = Math.min(len, data.length - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return data.length - pos;
    }

    @Override
    public void close() {
    }
}
