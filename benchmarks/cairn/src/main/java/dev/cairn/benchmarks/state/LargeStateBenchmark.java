package dev.cairn.benchmarks.state;

import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.StateWorkload;
import dev.cairn.benchmarks.common.Systems;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ValueState get and update on a state far larger than the block cache, so RocksDB reads SST files:
 * {@link Profile#largeStateKeys} keys (10 M in the full profile, about 2.3 GB of keys and values) of
 * {@value StateWorkload.Large#KEY_CHARS} ASCII characters with {@value StateWorkload.Large#VALUE_BYTES}-byte
 * values. Keys are strings and values byte arrays through each system's own serializers (Cairn writes a 4-byte
 * length before each, 100 + 132 bytes; Flink a 1-byte varint length before the key and a 4-byte one before the
 * value, 97 + 132 bytes); {@code raw-rocksdbjni} gets and puts exactly Cairn's bytes (with the 2-byte key group).
 *
 * <p>Loading: {@code raw-rocksdbjni} writes through 4 MiB write batches; Cairn and Flink offer no bulk API for
 * value state, so their loaders call {@code setCurrentKey} and {@code update} per key in one loop of the trial
 * setup (no JMH call per key), with keys and values derived from the key's index so that nothing proportional to
 * the state is held on the heap. The benchmarks then access a random sample of at most
 * {@value StateWorkload.Large#MAX_SAMPLE} loaded keys, generated up front. No system is compacted after loading.
 *
 * <p>Systems: {@code cairn-rocksdb} and the ceiling {@code raw-rocksdbjni}; Flink's RocksDB backend runs in the
 * {@code flink-rocksdb} module under the same names.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LargeStateBenchmark {
    static final String STATE = "largeState";

    @Param({Systems.CAIRN_ROCKSDB, Systems.RAW_ROCKSDBJNI})
    public String system;

    private Driver driver;
    private StateWorkload.Cursor keys;
    private StateWorkload.Cursor values;
    private Path directory;

    @Setup(Level.Trial)
    public void setUp() {
        StateWorkload.Large w = new StateWorkload.Large(Profile.current().largeStateKeys);
        directory = Backends.temporaryDirectory("cairn-bench-large-");
        driver = switch (system) {
            case Systems.CAIRN_ROCKSDB -> new CairnDriver(
                    Backends.cairn("rocksdb", Serializers.STRING, directory), w);
            case Systems.RAW_ROCKSDBJNI -> new RawRocksDriver(new RawRocksDb(directory), w);
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
        driver.load(w.count);
        keys = new StateWorkload.Cursor(w.sample.length);
        values = new StateWorkload.Cursor(w.valuePool.length);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try {
            if (driver != null) {
                driver.close();
            }
        } finally {
            Backends.deleteRecursively(directory);
        }
    }

    /** Reads the value of a random loaded key. */
    @Benchmark
    public Object valueGet() {
        return driver.get(keys.next());
    }

    /** Overwrites the value of a random loaded key. */
    @Benchmark
    public void valueUpdate() {
        driver.update(keys.next(), values.next());
    }

    /** One system: loads the state, then reads and writes sampled key number {@code key}. */
    abstract static class Driver implements AutoCloseable {
        abstract void load(int count);

        abstract Object get(int key);

        abstract void update(int key, int value);
    }

    static final class CairnDriver extends Driver {
        private final KeyedStateBackend<String> backend;
        private final ValueState<byte[]> state;
        private final String[] keys;
        private final byte[][] values;

        CairnDriver(KeyedStateBackend<String> backend, StateWorkload.Large w) {
            this.backend = backend;
            this.state = backend.getState(new ValueStateDescriptor<>(STATE, Serializers.BYTES));
            this.keys = new String[w.sample.length];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = StateWorkload.Large.key(w.sample[i]);
            }
            this.values = w.valuePool;
        }

        @Override
        void load(int count) {
            byte[] value = new byte[StateWorkload.Large.VALUE_BYTES];
            for (int i = 0; i < count; i++) {
                StateWorkload.Large.initialValue(i, value);
                backend.setCurrentKey(StateWorkload.Large.key(i));
                state.update(value);
            }
        }

        @Override
        Object get(int key) {
            backend.setCurrentKey(keys[key]);
            return state.value();
        }

        @Override
        void update(int key, int value) {
            backend.setCurrentKey(keys[key]);
            state.update(values[value]);
        }

        @Override
        public void close() {
            backend.close();
        }
    }

    static final class RawRocksDriver extends Driver {
        private static final int KEY_BYTES = 2 + 4 + StateWorkload.Large.KEY_CHARS;
        private static final int VALUE_BYTES = 4 + StateWorkload.Large.VALUE_BYTES;

        private final RawRocksDb db;
        private final byte[][] keys;
        private final byte[][] values;

        RawRocksDriver(RawRocksDb db, StateWorkload.Large w) {
            this.db = db;
            this.keys = new byte[w.sample.length][];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = key(w.sample[i], new byte[KEY_BYTES]);
            }
            this.values = new byte[w.valuePool.length][];
            for (int i = 0; i < values.length; i++) {
                byte[] v = new byte[VALUE_BYTES];
                writeInt(v, 0, StateWorkload.Large.VALUE_BYTES);
                System.arraycopy(w.valuePool[i], 0, v, 4, StateWorkload.Large.VALUE_BYTES);
                values[i] = v;
            }
        }

        /** Cairn's bytes for key {@code index}: key group, then the string serializer's length and characters. */
        private static byte[] key(int index, byte[] out) {
            StateWorkload.Large.keyBytes(index, out, 6);
            int keyGroup = KeyGroups.keyGroupOf(new String(out, 6, StateWorkload.Large.KEY_CHARS,
                    StandardCharsets.ISO_8859_1), Backends.KEY_GROUPS);
            out[0] = (byte) (keyGroup >>> 8);
            out[1] = (byte) keyGroup;
            writeInt(out, 2, StateWorkload.Large.KEY_CHARS);
            return out;
        }

        private static void writeInt(byte[] b, int off, int v) {
            b[off] = (byte) (v >>> 24);
            b[off + 1] = (byte) (v >>> 16);
            b[off + 2] = (byte) (v >>> 8);
            b[off + 3] = (byte) v;
        }

        @Override
        void load(int count) {
            byte[] value = new byte[StateWorkload.Large.VALUE_BYTES];
            try (RawRocksDb.Loader loader = db.new Loader()) {
                for (int i = 0; i < count; i++) {
                    StateWorkload.Large.initialValue(i, value);
                    byte[] v = new byte[VALUE_BYTES];
                    writeInt(v, 0, StateWorkload.Large.VALUE_BYTES);
                    System.arraycopy(value, 0, v, 4, StateWorkload.Large.VALUE_BYTES);
                    loader.put(key(i, new byte[KEY_BYTES]), v);
                }
            }
        }

        @Override
        Object get(int key) {
            return db.get(keys[key]);
        }

        @Override
        void update(int key, int value) {
            db.put(keys[key], values[value]);
        }

        @Override
        public void close() {
            db.close();
        }
    }
}
