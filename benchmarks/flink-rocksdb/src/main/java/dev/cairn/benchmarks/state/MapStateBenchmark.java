package dev.cairn.benchmarks.state;

import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.StateWorkload;
import dev.cairn.benchmarks.common.Systems;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.DoubleSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
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
 * The {@code flink-rocksdb} side of the {@code benchmarks/cairn} module's {@code MapStateBenchmark} (same
 * workload and per-operation calls, documented there) on Flink's {@code EmbeddedRocksDBStateBackend} with its
 * defaults ({@link FlinkRocksDb}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
public class MapStateBenchmark {
    @Param({Systems.FLINK_ROCKSDB})
    public String system;

    private FlinkRocksDb db;
    private KeyedStateBackend<Long> backend;
    private MapState<Long, Double> state;
    private Long[] keyArray;
    private Long[] mapKeyArray;
    private Long[] containsKeys;
    private Double[] mapValues;
    private StateWorkload.Cursor keys;
    private StateWorkload.Cursor mapKeys;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (!Systems.FLINK_ROCKSDB.equals(system)) {
            throw new IllegalArgumentException("unknown system " + system);
        }
        StateWorkload w = StateWorkload.of(Profile.current());
        keyArray = w.preloadedKeys;
        mapKeyArray = w.mapKeys;
        mapValues = w.mapValues;
        containsKeys = new Long[mapKeyArray.length];
        for (int i = 0; i < mapKeyArray.length; i++) {
            containsKeys[i] = mapKeyArray[i] << 1;
        }
        db = FlinkRocksDb.open(LongSerializer.INSTANCE);
        backend = db.keyed();
        state = db.state(new MapStateDescriptor<>("mapState", LongSerializer.INSTANCE, DoubleSerializer.INSTANCE));
        Map<Long, Double> entries = new HashMap<>();
        for (int i = 0; i < mapKeyArray.length; i++) {
            entries.put(mapKeyArray[i], mapValues[i]);
        }
        for (Long key : keyArray) {
            backend.setCurrentKey(key);
            state.putAll(entries);
        }
        keys = new StateWorkload.Cursor(keyArray.length);
        mapKeys = new StateWorkload.Cursor(mapKeyArray.length);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (db != null) {
            db.close();
        }
    }

    @Benchmark
    public void mapPut() throws Exception {
        int m = mapKeys.next();
        backend.setCurrentKey(keyArray[keys.next()]);
        state.put(mapKeyArray[m], mapValues[m]);
    }

    @Benchmark
    public Object mapGet() throws Exception {
        backend.setCurrentKey(keyArray[keys.next()]);
        return state.get(mapKeyArray[mapKeys.next()]);
    }

    @Benchmark
    public boolean mapContains() throws Exception {
        backend.setCurrentKey(keyArray[keys.next()]);
        return state.contains(containsKeys[mapKeys.next()]);
    }

    @Benchmark
    @OperationsPerInvocation(StateWorkload.MAP_KEYS)
    public void mapIterate(Blackhole bh) throws Exception {
        backend.setCurrentKey(keyArray[keys.next()]);
        Iterator<Map.Entry<Long, Double>> it = state.iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Double> e = it.next();
            bh.consume(e.getKey());
            bh.consume(e.getValue());
        }
    }
}
