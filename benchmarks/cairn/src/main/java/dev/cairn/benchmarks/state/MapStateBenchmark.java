package dev.cairn.benchmarks.state;

import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.StateWorkload;
import dev.cairn.benchmarks.common.Systems;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.MapState;
import dev.cairn.state.MapStateDescriptor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeutils.base.DoubleSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * MapState put, get, contains and iterate, in the shape of apache/flink-benchmarks' {@code MapStateBenchmark}:
 * {@link Profile#preloadedKeys} long keys, each holding a map of {@link StateWorkload#MAP_KEYS} long → double
 * entries, and per operation {@code setCurrentKey(key)} followed by one state call.
 *
 * <p>Matched (flink-benchmarks name in brackets): {@code mapPut} overwrites an existing map key ({@code mapUpdate});
 * {@code mapGet} reads one ({@code mapGet}); {@code mapContains} asks for {@code mapKey << 1}, present for half of
 * the map keys ({@code mapContains}); {@code mapIterate} walks the whole map through its iterator, counted as ten
 * operations ({@code mapIterator}, {@code @OperationsPerInvocation(10)}). Different: the maps are loaded with one
 * {@code putAll} per key (flink-benchmarks puts the ten entries one by one; the stored state is the same shape)
 * and every key's map holds the same ten values; keys, map keys and values come from arrays generated up front
 * instead of a per-invocation {@code @Setup}.
 *
 * <p>Systems: {@code cairn-memory}, {@code flink-heap}, {@code cairn-rocksdb}; Flink's RocksDB backend runs in
 * the {@code flink-rocksdb} module under the same names.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
public class MapStateBenchmark {
    static final String STATE = "mapState";

    @Param({Systems.CAIRN_MEMORY, Systems.FLINK_HEAP, Systems.CAIRN_ROCKSDB})
    public String system;

    private Driver driver;
    private StateWorkload.Cursor keys;
    private StateWorkload.Cursor mapKeys;
    private Long[] mapKeyArray;
    private Long[] containsKeys;
    private Double[] mapValues;
    private Path directory;

    @Setup(Level.Trial)
    public void setUp() {
        StateWorkload w = StateWorkload.of(Profile.current());
        mapKeyArray = w.mapKeys;
        mapValues = w.mapValues;
        containsKeys = new Long[mapKeyArray.length];
        for (int i = 0; i < mapKeyArray.length; i++) {
            containsKeys[i] = mapKeyArray[i] << 1;
        }
        directory = Backends.temporaryDirectory("cairn-bench-map-");
        driver = switch (system) {
            case Systems.CAIRN_MEMORY -> new CairnDriver(Backends.cairn("memory", Serializers.LONG, directory),
                    w.preloadedKeys);
            case Systems.CAIRN_ROCKSDB -> new CairnDriver(Backends.cairn("rocksdb", Serializers.LONG, directory),
                    w.preloadedKeys);
            case Systems.FLINK_HEAP -> new FlinkDriver(Backends.flinkHeap(LongSerializer.INSTANCE), w.preloadedKeys);
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
        Map<Long, Double> entries = new HashMap<>();
        for (int i = 0; i < mapKeyArray.length; i++) {
            entries.put(mapKeyArray[i], mapValues[i]);
        }
        for (int i = 0; i < w.preloadedKeys.length; i++) {
            driver.putAll(i, entries);
        }
        keys = new StateWorkload.Cursor(w.preloadedKeys.length);
        mapKeys = new StateWorkload.Cursor(mapKeyArray.length);
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

    /** Overwrites one entry of a pre-loaded key's map (flink-benchmarks: mapUpdate). */
    @Benchmark
    public void mapPut() {
        int m = mapKeys.next();
        driver.put(keys.next(), mapKeyArray[m], mapValues[m]);
    }

    /** Reads one entry of a pre-loaded key's map. */
    @Benchmark
    public Object mapGet() {
        return driver.get(keys.next(), mapKeyArray[mapKeys.next()]);
    }

    /** Asks whether a pre-loaded key's map holds {@code mapKey << 1} (true for half of the map keys). */
    @Benchmark
    public boolean mapContains() {
        return driver.contains(keys.next(), containsKeys[mapKeys.next()]);
    }

    /** Iterates every entry of a pre-loaded key's map; one operation per entry. */
    @Benchmark
    @OperationsPerInvocation(StateWorkload.MAP_KEYS)
    public void mapIterate(Blackhole bh) {
        driver.iterate(keys.next(), bh);
    }

    /** One system's map state over the pre-loaded keys. */
    abstract static class Driver implements AutoCloseable {
        abstract void putAll(int key, Map<Long, Double> entries);

        abstract void put(int key, Long mapKey, Double value);

        abstract Object get(int key, Long mapKey);

        abstract boolean contains(int key, Long mapKey);

        abstract void iterate(int key, Blackhole bh);
    }

    static final class CairnDriver extends Driver {
        private final KeyedStateBackend<Long> backend;
        private final MapState<Long, Double> state;
        private final Long[] keys;

        CairnDriver(KeyedStateBackend<Long> backend, Long[] keys) {
            this.backend = backend;
            this.state = backend.getState(new MapStateDescriptor<>(STATE, Serializers.LONG, Serializers.DOUBLE));
            this.keys = keys;
        }

        @Override
        void putAll(int key, Map<Long, Double> entries) {
            backend.setCurrentKey(keys[key]);
            state.putAll(entries);
        }

        @Override
        void put(int key, Long mapKey, Double value) {
            backend.setCurrentKey(keys[key]);
            state.put(mapKey, value);
        }

        @Override
        Object get(int key, Long mapKey) {
            backend.setCurrentKey(keys[key]);
            return state.get(mapKey);
        }

        @Override
        boolean contains(int key, Long mapKey) {
            backend.setCurrentKey(keys[key]);
            return state.contains(mapKey);
        }

        @Override
        void iterate(int key, Blackhole bh) {
            backend.setCurrentKey(keys[key]);
            var it = state.iterator();
            while (it.hasNext()) {
                Map.Entry<Long, Double> e = it.next();
                bh.consume(e.getKey());
                bh.consume(e.getValue());
            }
        }

        @Override
        public void close() {
            backend.close();
        }
    }

    static final class FlinkDriver extends Driver {
        private final org.apache.flink.runtime.state.KeyedStateBackend<Long> backend;
        private final org.apache.flink.api.common.state.MapState<Long, Double> state;
        private final Long[] keys;

        FlinkDriver(org.apache.flink.runtime.state.KeyedStateBackend<Long> backend, Long[] keys) {
            this.backend = backend;
            try {
                this.state = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                        new org.apache.flink.api.common.state.MapStateDescriptor<>(STATE, LongSerializer.INSTANCE,
                                DoubleSerializer.INSTANCE));
            } catch (Exception e) {
                throw new IllegalStateException("creating Flink map state failed: " + e, e);
            }
            this.keys = keys;
        }

        @Override
        void putAll(int key, Map<Long, Double> entries) {
            backend.setCurrentKey(keys[key]);
            try {
                state.putAll(entries);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        void put(int key, Long mapKey, Double value) {
            backend.setCurrentKey(keys[key]);
            try {
                state.put(mapKey, value);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        Object get(int key, Long mapKey) {
            backend.setCurrentKey(keys[key]);
            try {
                return state.get(mapKey);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        boolean contains(int key, Long mapKey) {
            backend.setCurrentKey(keys[key]);
            try {
                return state.contains(mapKey);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        void iterate(int key, Blackhole bh) {
            backend.setCurrentKey(keys[key]);
            try {
                var it = state.iterator();
                while (it.hasNext()) {
                    Map.Entry<Long, Double> e = it.next();
                    bh.consume(e.getKey());
                    bh.consume(e.getValue());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            backend.dispose();
        }
    }
}
