package dev.cairn.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.blob.BlobOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints the write throughput of one 256 MiB blob to S3Proxy (provider defaults: 16 MiB parts, 4 in
 * flight) next to a plain local {@link FileChannel} write of the same bytes, measured in the same run.
 * Opt-in ({@code -Dcairn.s3.throughput=true}) because it moves half a GiB; it prints and does not assert speed.
 */
class S3ThroughputTest {
    private static final int MIB = 1024 * 1024;
    private static final int SIZE = 256 * MIB;

    @Test
    void writeThroughputNextToLocalFileCopy(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Boolean.getBoolean("cairn.s3.throughput"), "set -Dcairn.s3.throughput=true to measure");
        byte[] chunk = new byte[MIB];
        new Random(1).nextBytes(chunk);

        long t0 = System.nanoTime();
        try (FileChannel channel = FileChannel.open(dir.resolve("copy.bin"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            for (int i = 0; i < SIZE / MIB; i++) {
                ByteBuffer buffer = ByteBuffer.wrap(chunk);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
            channel.force(true);
        }
        long local = System.nanoTime() - t0;

        for (String checksum : new String[] {"crc32c", "sdk-default"}) {
            try (S3BlobStore store = new S3BlobStore(S3Config.fromMap(S3ProxyServer.config(Map.of(
                    S3Config.PART_SIZE, Integer.toString(S3Config.DEFAULT_PART_SIZE), S3Config.PARTS_IN_FLIGHT, "4",
                    S3Config.CHECKSUM, checksum))))) {
                String location = S3ProxyServer.newBase("throughput") + "256mib.bin";
                long t1 = System.nanoTime();
                try (BlobOutputStream out = store.create(location)) {
                    for (int i = 0; i < SIZE / MIB; i++) {
                        out.write(chunk);
                    }
                    assertThat(out.commit().length()).isEqualTo(SIZE);
                }
                long s3 = System.nanoTime() - t1;
                System.out.printf("THROUGHPUT 256 MiB: S3Proxy (%s) %.1f MiB/s (%.2f s); local FileChannel %.1f MiB/s (%.2f s)%n",
                        checksum, 256 / (s3 / 1e9), s3 / 1e9, 256 / (local / 1e9), local / 1e9);
                store.delete(location);
            }
        }
    }
}
