package dev.cairn.benchmarks.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One way of writing and reading a checkpoint file: a Cairn blob provider, Flink's checkpoint stream or the
 * plain {@code FileChannel} baseline. Every target writes the same bytes in {@link #CHUNK}-byte calls and reads
 * them back into a {@link #CHUNK}-byte array, so only the path through the storage layer differs.
 */
interface StorageTarget extends AutoCloseable {
    /** Bytes handed to the target per write call, and the size of the read buffer. */
    int CHUNK = 1024 * 1024;

    /**
     * Writes {@code data} as a new durable file named after {@code name} (unique per shot) and returns the
     * location to read or delete it by.
     */
    String write(String name, byte[] data) throws Exception;

    /** Reads the whole file at {@code location} into {@code buffer}, chunk by chunk; returns the bytes read. */
    long read(String location, byte[] buffer) throws Exception;

    /** Removes the file at {@code location}. */
    void delete(String location) throws Exception;

    @Override
    void close() throws Exception;

    /** Writes {@code data} to {@code out} in {@link #CHUNK}-byte calls. */
    static void writeChunks(OutputStream out, byte[] data) throws IOException {
        for (int off = 0; off < data.length; off += CHUNK) {
            out.write(data, off, Math.min(CHUNK, data.length - off));
        }
    }

    /** Reads {@code in} to its end into {@code buffer}; returns the bytes read. */
    static long drain(InputStream in, byte[] buffer) throws IOException {
        long total = 0;
        for (int n; (n = in.read(buffer, 0, buffer.length)) >= 0; ) {
            total += n;
        }
        return total;
    }
}
