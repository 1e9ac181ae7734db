package dev.cairn.blob;

/** A committed blob opened for reading: its length and positioned or streamed reads. */
public interface InputBlob {
    String location();

    long length();

    /** A new stream over the whole blob, positioned at 0; the caller closes it. */
    SeekableInputStream newStream();

    /**
     * Reads exactly {@code length} bytes starting at {@code position}; fails with a
     * {@link dev.cairn.error.StorageException} if the blob ends earlier.
     */
    default void readFully(long position, byte[] buffer, int offset, int length) {
        try (SeekableInputStream in = newStream()) {
            in.seek(position);
            in.readFully(buffer, offset, length);
        }
    }
}
