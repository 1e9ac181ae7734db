package dev.cairn.benchmarks.state;

import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.StateWorkload;
import dev.cairn.benchmarks.common.Systems;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
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
 * The {@code flink-rocksdb} side of the {@code benchmarks/cairn} module's {@code ValueStateBenchmark} (same
 * workload, same per-operation calls, documented there): ValueState get, update and add on Flink's
 * {@code EmbeddedRocksDBStateBackend} with its defaults ({@link FlinkRocksDb}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
public class ValueStateBenchmark {
    @Param({Systems.FLINK_ROCKSDB})
    public String system;

    private FlinkRocksDb db;
    private KeyedStateBackend<Long> backend;
    private ValueState<Long> state;
    private Long[] keys;
    private Long[] values;
    private StateWorkload.Cursor preloaded;
    private StateWorkload.Cursor fresh;
    private StateWorkload.Cursor valueCursor;
    private int preloadedCount;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (!Systems.FLINK_ROCKSDB.equals(system)) {
            throw new IllegalArgumentException("unknown system " + system);
        }
        StateWorkload w = StateWorkload.of(Profile.current());
        preloadedCount = w.preloadedKeys.length;
        keys = new Long[w.preloadedKeys.length + w.newKeys.length];
        System.arraycopy(w.preloadedKeys, 0, keys, 0, w.preloadedKeys.length);
        System.arraycopy(w.newKeys, 0, keys, w.preloadedKeys.length, w.newKeys.length);
        values = w.values;
        db = FlinkRocksDb.open(LongSerializer.INSTANCE);
        backend = db.keyed();
        state = db.state(new ValueStateDescriptor<>("kvState", LongSerializer.INSTANCE));
        for (int i = 0; i < preloadedCount; i++) {
            backend.setCurrentKey(keys[i]);
            state.update(values[i % values.length]);
        }
        preloaded = new StateWorkload.Cursor(preloadedCount);
        fresh = new StateWorkload.Cursor(w.newKeys.length);
        valueCursor = new StateWorkload.Cursor(values.length);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (db != null) {
            db.close();
        }
    }

    @Benchmark
    public Object valueGet() throws IOException {
        backend.setCurrentKey(keys[preloaded.next()]);
        return state.value();
    }

    @Benchmark
    public void valueUpdate() throws IOException {
        backend.setCurrentKey(keys[preloaded.next()]);
        state.update(values[valueCursor.next()]);
    }

    @Benchmark
    public void valueAdd() throws IOException {
        backend.setCurrentKey(keys[preloadedCount + fresh.next()]);
        state.update(values[valueCursor.next()]);
    }
}
