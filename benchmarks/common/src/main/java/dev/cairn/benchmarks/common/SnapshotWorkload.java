package dev.cairn.benchmarks.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * The keyed state of the snapshot and restore suites, identical for every system: {@code long} keys
 * {@code 0..keys-1} with pseudo-random (incompressible) {@code byte[]} values, one value state, max parallelism
 * 128. The snapshot suite uses 1 KiB values; the rescale suite uses 216-byte values, so that a key plus its value
 * is 224 bytes as in apache/flink-benchmarks' rescaling benchmark (96-byte key, 128-byte value), with keys that
 * hash the same in every JVM (a {@code byte[]} key hashes by identity). A checkpoint changes a given percentage of
 * the keys, drawn per round without repetition.
 */
public final class SnapshotWorkload {
    /** Key groups of every backend in these suites (Flink's default for parallelism up to 128). */
    public static final int MAX_PARALLELISM = 128;
    /** Name of the one value state. */
    public static final String STATE_NAME = "snapshot-state";
    /** Value size of the snapshot suite. */
    public static final int SNAPSHOT_VALUE_BYTES = 1024;
    /** Value size of the rescale suite: 8-byte key + 216-byte value = 224 bytes per entry. */
    public static final int RESCALE_VALUE_BYTES = 216;
    /** Bytes of a serialized key. */
    public static final int KEY_BYTES = Long.BYTES;

    private SnapshotWorkload() {
    }

    /** Number of keys whose keys and values add up to {@code stateBytes}, at least one. */
    public static int keyCount(long stateBytes, int valueBytes) {
        long keys = stateBytes / (KEY_BYTES + valueBytes);
        if (keys > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(stateBytes + " bytes need more than " + Integer.MAX_VALUE + " keys");
        }
        return (int) Math.max(1, keys);
    }

    /** A fresh array of {@code size} pseudo-random bytes derived from {@code key} and {@code round}. */
    public static byte[] value(long key, int round, int size) {
        byte[] bytes = new byte[size];
        long x = (key + 1) * 0x9E3779B97F4A7C15L + (round + 1) * 0xBF58476D1CE4E5B9L;
        int i = 0;
        while (i < size) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            for (int b = 0; b < Long.BYTES && i < size; b++, i++) {
                bytes[i] = (byte) (x >>> (b * 8));
            }
        }
        return bytes;
    }

    /**
     * {@code percent}% of the keys {@code 0..keyCount-1} (at least one), distinct, in ascending order,
     * different for every {@code round}.
     */
    public static long[] changedKeys(int keyCount, int percent, int round) {
        if (percent <= 0 || percent > 100) {
            throw new IllegalArgumentException("percent must be in 1..100, was " + percent);
        }
        int count = (int) Math.max(1, (long) keyCount * percent / 100);
        BitSet chosen = new BitSet(keyCount);
        SplittableRandom random = new SplittableRandom(0x5EED_0000L + round);
        int picked = 0;
        while (picked < count) {
            int k = random.nextInt(keyCount);
            if (!chosen.get(k)) {
                chosen.set(k);
                picked++;
            }
        }
        long[] keys = new long[count];
        int i = 0;
        for (int k = chosen.nextSetBit(0); k >= 0; k = chosen.nextSetBit(k + 1)) {
            keys[i++] = k;
        }
        return keys;
    }

    /** A new directory under {@code java.io.tmpdir}, removed by {@link #deleteRecursively}. */
    public static Path createTempDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory " + prefix, e);
        }
    }

    /** Deletes {@code directory} and everything under it; a missing directory is fine. */
    public static void deleteRecursively(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }

    /** Total size of the regular files under {@code directory}, 0 if it does not exist. */
    public static long sizeOf(Path directory) {
        if (!Files.exists(directory)) {
            return 0;
        }
        try (var walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + directory, e);
        }
    }
}
