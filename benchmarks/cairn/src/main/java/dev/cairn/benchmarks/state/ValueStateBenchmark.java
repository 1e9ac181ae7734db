package dev.cairn.benchmarks.state;

import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.StateWorkload;
import dev.cairn.benchmarks.common.Systems;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
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
 * ValueState get, update and add (update of a key not in state yet), in the shape of apache/flink-benchmarks'
 * {@code ValueStateBenchmark}: {@link Profile#preloadedKeys} long keys loaded with a long value each before
 * measuring, {@link Profile#newKeys} further keys for add, 8-byte long values, and per operation
 * {@code setCurrentKey(key)} followed by one state call, on a keyed backend built directly for key groups
 * {@code [0, 1]} of a max parallelism of 2.
 *
 * <p>Matched: the key and value counts and their shuffled order ({@link StateWorkload}), the state name and
 * types, the per-operation calls, the Flink heap backend's construction. Different: keys and values come from
 * arrays generated in the trial setup and walked by a cursor (flink-benchmarks draws them in a per-invocation
 * {@code @Setup}, whose cost JMH includes in sub-microsecond results), and the values loaded are
 * {@link StateWorkload#initialValue} instead of {@code Random.nextLong()}.
 *
 * <p>Systems: {@code cairn-memory} and {@code cairn-rocksdb} (Cairn's backends with default options, found by
 * name), {@code flink-heap} (Flink's {@code HashMapStateBackend}), and the ceilings {@code raw-hashmap} (a
 * {@code HashMap<Long, Long>} get/put of the same boxed keys and values) and {@code raw-rocksdbjni}
 * ({@link RawRocksDb}: {@code RocksDB.get/put} of exactly the key and value bytes Cairn stores — the 2-byte key
 * group, the 8-byte key, the 8-byte value — serialized up front). Flink's RocksDB backend runs in the
 * {@code flink-rocksdb} module under the same class and method names.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
public class ValueStateBenchmark {
    static final String STATE = "kvState";

    @Param({Systems.CAIRN_MEMORY, Systems.FLINK_HEAP, Systems.RAW_HASHMAP, Systems.CAIRN_ROCKSDB,
        Systems.RAW_ROCKSDBJNI})
    public String system;

    private Driver driver;
    private StateWorkload.Cursor preloaded;
    private StateWorkload.Cursor fresh;
    private StateWorkload.Cursor values;
    private int preloadedCount;
    private Path directory;

    @Setup(Level.Trial)
    public void setUp() {
        StateWorkload w = StateWorkload.of(Profile.current());
        preloadedCount = w.preloadedKeys.length;
        Long[] keys = new Long[w.preloadedKeys.length + w.newKeys.length];
        System.arraycopy(w.preloadedKeys, 0, keys, 0, w.preloadedKeys.length);
        System.arraycopy(w.newKeys, 0, keys, w.preloadedKeys.length, w.newKeys.length);
        directory = Backends.temporaryDirectory("cairn-bench-value-");
        driver = switch (system) {
            case Systems.CAIRN_MEMORY -> new CairnDriver(Backends.cairn("memory", Serializers.LONG, directory), keys,
                    w.values);
            case Systems.CAIRN_ROCKSDB -> new CairnDriver(Backends.cairn("rocksdb", Serializers.LONG, directory), keys,
                    w.values);
            case Systems.FLINK_HEAP -> new FlinkDriver(Backends.flinkHeap(LongSerializer.INSTANCE), keys, w.values);
            case Systems.RAW_HASHMAP -> new HashMapDriver(keys, w.values);
            case Systems.RAW_ROCKSDBJNI -> new RawRocksDriver(new RawRocksDb(directory), keys, w.values);
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
        for (int i = 0; i < preloadedCount; i++) {
            driver.update(i, i % w.values.length);
        }
        preloaded = new StateWorkload.Cursor(preloadedCount);
        fresh = new StateWorkload.Cursor(w.newKeys.length);
        values = new StateWorkload.Cursor(w.values.length);
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

    /** Reads the value of a pre-loaded key. */
    @Benchmark
    public Object valueGet() {
        return driver.get(preloaded.next());
    }

    /** Overwrites the value of a pre-loaded key. */
    @Benchmark
    public void valueUpdate() {
        driver.update(preloaded.next(), values.next());
    }

    /** Writes the value of a new key (after one pass over the new keys, an overwrite, as in flink-benchmarks). */
    @Benchmark
    public void valueAdd() {
        driver.update(preloadedCount + fresh.next(), values.next());
    }

    /** One system: reads and writes the value of key number {@code key} (pre-loaded keys first, then new ones). */
    abstract static class Driver implements AutoCloseable {
        abstract Object get(int key);

        abstract void update(int key, int value);
    }

    static final class CairnDriver extends Driver {
        private final KeyedStateBackend<Long> backend;
        private final ValueState<Long> state;
        private final Long[] keys;
        private final Long[] values;

        CairnDriver(KeyedStateBackend<Long> backend, Long[] keys, Long[] values) {
            this.backend = backend;
            this.state = backend.getState(new ValueStateDescriptor<>(STATE, Serializers.LONG));
            this.keys = keys;
            this.values = values;
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

    static final class FlinkDriver extends Driver {
        private final org.apache.flink.runtime.state.KeyedStateBackend<Long> backend;
        private final org.apache.flink.api.common.state.ValueState<Long> state;
        private final Long[] keys;
        private final Long[] values;

        FlinkDriver(org.apache.flink.runtime.state.KeyedStateBackend<Long> backend, Long[] keys, Long[] values) {
            this.backend = backend;
            try {
                this.state = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                        new org.apache.flink.api.common.state.ValueStateDescriptor<>(STATE, LongSerializer.INSTANCE));
            } catch (Exception e) {
                throw new IllegalStateException("creating Flink value state failed: " + e, e);
            }
            this.keys = keys;
            this.values = values;
        }

        @Override
        Object get(int key) {
            backend.setCurrentKey(keys[key]);
            try {
                return state.value();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        void update(int key, int value) {
            backend.setCurrentKey(keys[key]);
            try {
                state.update(values[value]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            backend.dispose();
        }
    }

    static final class HashMapDriver extends Driver {
        private final HashMap<Long, Long> map = new HashMap<>();
        private final Long[] keys;
        private final Long[] values;

        HashMapDriver(Long[] keys, Long[] values) {
            this.keys = keys;
            this.values = values;
        }

        @Override
        Object get(int key) {
            return map.get(keys[key]);
        }

        @Override
        void update(int key, int value) {
            map.put(keys[key], values[value]);
        }

        @Override
        public void close() {
            map.clear();
        }
    }

    static final class RawRocksDriver extends Driver {
        private final RawRocksDb db;
        private final byte[][] keys;
        private final byte[][] values;

        RawRocksDriver(RawRocksDb db, Long[] keys, Long[] values) {
            this.db = db;
            this.keys = new byte[keys.length][];
            for (int i = 0; i < keys.length; i++) {
                byte[] k = new byte[10];
                int keyGroup = KeyGroups.keyGroupOf(keys[i], Backends.KEY_GROUPS);
                k[0] = (byte) (keyGroup >>> 8);
                k[1] = (byte) keyGroup;
                writeLong(k, 2, keys[i]);
                this.keys[i] = k;
            }
            this.values = new byte[values.length][];
            for (int i = 0; i < values.length; i++) {
                byte[] v = new byte[8];
                writeLong(v, 0, values[i]);
                this.values[i] = v;
            }
        }

        private static void writeLong(byte[] b, int off, long v) {
            for (int i = 0; i < 8; i++) {
                b[off + i] = (byte) (v >>> (56 - 8 * i));
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
