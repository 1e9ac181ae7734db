package dev.cairn.blob;

import dev.cairn.error.StorageException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** An input stream that knows its position and can move it. I/O failures surface as {@link StorageException}. */
public abstract class SeekableInputStream extends InputStream {

    public abstract long position();

    /** Moves to {@code position}, which may be at most the length of the data. */
    public abstract void seek(long position);

    @Override
    public abstract int read();

    @Override
    public abstract int read(byte[] b, int off, int len);

    @Override
    public abstract void close();

    /** Reads exactly {@code len} bytes or fails with a {@link StorageException} at end of data. */
    public void readFully(byte[] b, int off, int len) {
        int done = 0;
        while (done < len) {
            int n = read(b, off + done, len - done);
            if (n < 0) {
                throw new StorageException("unexpected end of data after " + (position()) + " bytes",
                        new EOFException());
            }
            done += n;
        }
    }

    /** Wraps an {@link IOException} as the unchecked {@link StorageException}, naming the location. */
    protected static StorageException failure(String location, String what, IOException e) {
        return new StorageException(location + ": " + what + " failed: " + e.getMessage(), e);
    }

    /** Always false: use {@link #seek(long)}. */
    @Override
    public boolean markSupported() {
        return false;
    }
}
