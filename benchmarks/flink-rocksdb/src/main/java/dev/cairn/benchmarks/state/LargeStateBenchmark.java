package dev.cairn.benchmarks.state;

import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.StateWorkload;
import dev.cairn.benchmarks.common.Systems;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
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
 * The {@code flink-rocksdb} side of the {@code benchmarks/cairn} module's {@code LargeStateBenchmark} (same keys,
 * values, loading loop and sampled accesses, documented there) on Flink's {@code EmbeddedRocksDBStateBackend}
 * with its defaults ({@link FlinkRocksDb}): string keys through {@code StringSerializer}, byte-array values
 * through {@code BytePrimitiveArraySerializer}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LargeStateBenchmark {
    @Param({Systems.FLINK_ROCKSDB})
    public String system;

    private FlinkRocksDb db;
    private KeyedStateBackend<String> backend;
    private ValueState<byte[]> state;
    private String[] keyArray;
    private byte[][] valuePool;
    private StateWorkload.Cursor keys;
    private StateWorkload.Cursor values;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (!Systems.FLINK_ROCKSDB.equals(system)) {
            throw new IllegalArgumentException("unknown system " + system);
        }
        StateWorkload.Large w = new StateWorkload.Large(Profile.current().largeStateKeys);
        db = FlinkRocksDb.open(StringSerializer.INSTANCE);
        backend = db.keyed();
        state = db.state(new ValueStateDescriptor<>("largeState", BytePrimitiveArraySerializer.INSTANCE));
        byte[] value = new byte[StateWorkload.Large.VALUE_BYTES];
        for (int i = 0; i < w.count; i++) {
            StateWorkload.Large.initialValue(i, value);
            backend.setCurrentKey(StateWorkload.Large.key(i));
            state.update(value);
        }
        keyArray = new String[w.sample.length];
        for (int i = 0; i < keyArray.length; i++) {
            keyArray[i] = StateWorkload.Large.key(w.sample[i]);
        }
        valuePool = w.valuePool;
        keys = new StateWorkload.Cursor(keyArray.length);
        values = new StateWorkload.Cursor(valuePool.length);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (db != null) {
            db.close();
        }
    }

    @Benchmark
    public Object valueGet() throws IOException {
        backend.setCurrentKey(keyArray[keys.next()]);
        return state.value();
    }

    @Benchmark
    public void valueUpdate() throws IOException {
        backend.setCurrentKey(keyArray[keys.next()]);
        state.update(valuePool[values.next()]);
    }
}
