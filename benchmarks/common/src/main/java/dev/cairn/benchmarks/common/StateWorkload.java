package dev.cairn.benchmarks.common;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * The keys and values of the state-access suite, generated once per trial so that no benchmark pays for
 * generating or boxing them while it is measured. The shapes follow apache/flink-benchmarks'
 * {@code StateBenchmarkConstants}: pre-loaded long keys {@code 0 .. preloaded-1} and new keys
 * {@code preloaded .. preloaded+new-1}, each shuffled; one million shuffled long values (fewer when the profile
 * has fewer keys than that); ten map keys
 * {@code 0 .. 9} (shuffled) with random double values; a list of 100 random longs for add-all. Keys and values
 * are boxed up front (as flink-benchmarks keeps them in {@code ArrayList<Long>}) so every system receives the
 * very same objects. A fixed seed makes every system see the same sequence.
 */
public final class StateWorkload {
    /** Map entries per key (flink-benchmarks: mapKeyCount). */
    public static final int MAP_KEYS = 10;
    /** Elements of the add-all list (flink-benchmarks: listValueCount). */
    public static final int LIST_VALUES = 100;
    /** Most distinct values written by update benchmarks (flink-benchmarks: randomValueCount). */
    public static final int RANDOM_VALUES = 1_000_000;

    private static final long SEED = 0x5eed_ca1a_0b5eL;

    /** Keys present in state before measuring, shuffled. */
    public final Long[] preloadedKeys;
    /** Keys absent from state before measuring, shuffled. */
    public final Long[] newKeys;
    /** Values written by update benchmarks, shuffled. */
    public final Long[] values;
    /** Map keys {@code 0 .. MAP_KEYS-1}, shuffled. */
    public final Long[] mapKeys;
    /** One random double per map key. */
    public final Double[] mapValues;
    /** The list given to add-all. */
    public final java.util.List<Long> addAllList;

    private StateWorkload(int preloaded, int fresh, int valueCount) {
        Random random = new Random(SEED);
        preloadedKeys = shuffledRange(0, preloaded, random);
        newKeys = shuffledRange(preloaded, fresh, random);
        values = shuffledRange(0, valueCount, random);
        mapKeys = shuffledRange(0, MAP_KEYS, random);
        mapValues = new Double[MAP_KEYS];
        for (int i = 0; i < MAP_KEYS; i++) {
            mapValues[i] = random.nextDouble();
        }
        Long[] list = new Long[LIST_VALUES];
        for (int i = 0; i < LIST_VALUES; i++) {
            list[i] = random.nextLong();
        }
        addAllList = java.util.List.of(list);
    }

    /** The workload of {@code profile}: its pre-loaded and new key counts. */
    public static StateWorkload of(Profile profile) {
        return new StateWorkload(profile.preloadedKeys, profile.newKeys,
                (int) Math.min(RANDOM_VALUES, Math.max(1L, (long) profile.preloadedKeys + profile.newKeys)));
    }

    /** The value a loader writes for pre-loaded key number {@code index}, the same for every system. */
    public long initialValue(int index) {
        return values[index % values.length];
    }

    private static Long[] shuffledRange(long first, int count, Random random) {
        Long[] keys = new Long[count];
        for (int i = 0; i < count; i++) {
            keys[i] = first + i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Long t = keys[i];
            keys[i] = keys[j];
            keys[j] = t;
        }
        return keys;
    }

    /**
     * A wrap-around position in an array of {@code length} elements; cheaper than a modulo per operation.
     * One per benchmark thread.
     */
    public static final class Cursor {
        private final int length;
        private int next;
        private long laps;

        public Cursor(int length) {
            if (length < 1) {
                throw new IllegalArgumentException("a cursor needs at least one element, got " + length);
            }
            this.length = length;
        }

        /** The current position, then advances (back to 0 after the last element). */
        public int next() {
            int i = next;
            if (i + 1 == length) {
                next = 0;
                laps++;
            } else {
                next = i + 1;
            }
            return i;
        }

        /** The position {@link #next()} returns next. */
        public int position() {
            return next;
        }

        /** How often the cursor went back to 0. */
        public long laps() {
            return laps;
        }
    }

    /**
     * The large-state shape: {@code count} keys of {@link #KEY_CHARS} ASCII characters and values of
     * {@link #VALUE_BYTES} bytes, both derived from the key's index, so that a loader writes ten million keys
     * without holding them in memory. Benchmarks read and write a random sample of the keys, generated up front.
     */
    public static final class Large {
        /** Characters (= bytes in ASCII) of a key. */
        public static final int KEY_CHARS = 96;
        /** Bytes of a value. */
        public static final int VALUE_BYTES = 128;
        /** Most keys the benchmarks sample (and keep on the heap) from the loaded ones. */
        public static final int MAX_SAMPLE = 1 << 20;
        /** Distinct values update benchmarks write. */
        public static final int VALUE_POOL = 1024;

        private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        public final int count;
        /** Indexes of the keys benchmarks access, uniformly random over {@code [0, count)}. */
        public final int[] sample;
        /** Values written by update benchmarks. */
        public final byte[][] valuePool;

        public Large(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("the large state needs at least one key, got " + count);
            }
            this.count = count;
            SplittableRandom random = new SplittableRandom(SEED);
            sample = new int[Math.min(count, MAX_SAMPLE)];
            for (int i = 0; i < sample.length; i++) {
                sample[i] = random.nextInt(count);
            }
            valuePool = new byte[VALUE_POOL][];
            for (int i = 0; i < VALUE_POOL; i++) {
                valuePool[i] = new byte[VALUE_BYTES];
                random.nextBytes(valuePool[i]);
            }
        }

        /** Writes the {@link #KEY_CHARS} ASCII bytes of key {@code index} into {@code out} at {@code offset}. */
        public static void keyBytes(int index, byte[] out, int offset) {
            long state = (long) index * (KEY_CHARS / 16) * 0x9E3779B97F4A7C15L;
            for (int block = 0; block < KEY_CHARS / 16; block++) {
                state += 0x9E3779B97F4A7C15L;
                long z = mix(state);
                for (int c = 0; c < 16; c++) {
                    out[offset + block * 16 + c] = HEX[(int) (z >>> (60 - 4 * c)) & 0xF];
                }
            }
        }

        /** Key {@code index} as a string (what Cairn and Flink store, through their string serializers). */
        public static String key(int index) {
            byte[] b = new byte[KEY_CHARS];
            keyBytes(index, b, 0);
            return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        }

        /** Fills {@code out} with the {@link #VALUE_BYTES} pseudo-random bytes of key {@code index}'s initial value. */
        public static void initialValue(int index, byte[] out) {
            long state = ~index * 0xBF58476D1CE4E5B9L;
            for (int i = 0; i < VALUE_BYTES; i += 8) {
                state += 0x9E3779B97F4A7C15L;
                long z = mix(state);
                for (int j = 0; j < 8; j++) {
                    out[i + j] = (byte) (z >>> (8 * j));
                }
            }
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}
