package dev.cairn.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints the write throughput of a 256 MiB blob through {@link GcsBlobStore} on
 * {@code LocalStorageHelper}, next to a plain {@link FileChannel} write of the same bytes in the
 * same run. Printed, not asserted: the fake measures the provider's own overhead (buffering,
 * CRC32C, the client's upload path) plus the fake's own cost, which grows with the number of
 * chunks (it copies the whole upload on each), not a network. {@code -Dcairn.gcs.benchChunk=<bytes>}
 * changes the chunk size.
 */
class GcsWriteThroughputTest {
    private static final int MIB = 1024 * 1024;
    private static final int SIZE = 256 * MIB;
    private static final int WRITE = MIB;

    @TempDir
    Path dir;

    @Test
    void writeThroughputOf256MiB() throws IOException {
        byte[] block = new byte[WRITE];
        new Random(42).nextBytes(block);

        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(dir.resolve("copy.bin"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            for (int i = 0; i < SIZE / WRITE; i++) {
                ByteBuffer b = ByteBuffer.wrap(block);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
            ch.force(true);
        }
        long fileNanos = System.nanoTime() - t0;

        int chunk = Integer.getInteger("cairn.gcs.benchChunk", GcsBlobStore.DEFAULT_CHUNK_SIZE);
        GcsBlobStore store = new GcsBlobStore(LocalStorageHelper.customOptions(false).getService(), chunk, false);
        long t1 = System.nanoTime();
        BlobInfo info;
        try (BlobOutputStream out = store.create("gs://bench/256mib.bin")) {
            for (int i = 0; i < SIZE / WRITE; i++) {
                out.write(block, 0, WRITE);
            }
            info = out.commit();
        }
        long gcsNanos = System.nanoTime() - t1;
        assertThat(info.length()).isEqualTo(SIZE);
        store.delete("gs://bench/256mib.bin");

        System.out.printf("[throughput] 256 MiB write: gcs (LocalStorageHelper, %d MiB chunks) %.0f MiB/s (%.2f s);"
                        + " local FileChannel write+force %.0f MiB/s (%.2f s)%n",
                chunk / MIB, 256 / (gcsNanos / 1e9), gcsNanos / 1e9,
                256 / (fileNanos / 1e9), fileNanos / 1e9);
    }
}
