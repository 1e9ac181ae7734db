package dev.cairn.backend.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.OperatorBackendParameters;
import dev.cairn.backend.OperatorStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.backend.StateBackend;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.state.State;
import dev.cairn.state.StateDescriptor;
import dev.cairn.tck.StateBackendTck;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import java.util.stream.Stream;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.junit.jupiter.api.Test;

/** Proves that {@link StateBackendTck} catches a backend whose snapshots see later writes, and passes a healthy one. */
class StateBackendTckSelfTest {

    @Test
    void healthyBackendPassesEveryRule() {
        Events tests = run(Healthy.class);
        assertThat(failedRules(tests)).isEmpty();
        assertThat(tests.succeeded().count()).isEqualTo(27);
    }

    @Test
    void deferredSynchronousPhaseFailsExactlyTheIsolationRules() {
        Events tests = run(DeferredSnapshotTck.class);
        assertThat(failedRules(tests)).containsExactly("ruleSTATE11_snapshotIsolation",
                "ruleSTATE12_concurrentSnapshots");
    }

    private static Events run(Class<?> suite) {
        return EngineTestKit.engine("junit-jupiter").selectors(DiscoverySelectors.selectClass(suite)).execute()
                .testEvents();
    }

    private static Set<String> failedRules(Events tests) {
        Set<String> failed = new TreeSet<>();
        tests.failed().stream().forEach(e -> failed.add(((MethodSource) e.getTestDescriptor().getSource().orElseThrow())
                .getMethodName()));
        return failed;
    }

    /** The real backend, as a reference point. */
    static class Healthy extends StateBackendTck {
        @Override
        protected StateBackend createBackend() {
            return new HeapStateBackend();
        }

        @Override
        protected StateBackend createBackend(Map<String, String> options) {
            return new HeapStateBackendFactory().create(options);
        }
    }

    /** A backend whose snapshot does its synchronous phase only when the future runs, so later writes leak in. */
    static class DeferredSnapshotTck extends StateBackendTck {
        @Override
        protected StateBackend createBackend() {
            return new DeferredSnapshotBackend(new HeapStateBackend());
        }
    }

    static final class DeferredSnapshotBackend implements StateBackend {
        private final StateBackend delegate;

        DeferredSnapshotBackend(StateBackend delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return "deferred-snapshot";
        }

        @Override
        public <K> KeyedStateBackend<K> createKeyedBackend(KeyedBackendParameters<K> parameters,
                Collection<KeyedStateHandle> restoreState) {
            return new Deferred<>(delegate.createKeyedBackend(parameters, restoreState));
        }

        @Override
        public OperatorStateBackend createOperatorBackend(OperatorBackendParameters parameters,
                Collection<OperatorStateHandle> restoreState) {
            return delegate.createOperatorBackend(parameters, restoreState);
        }
    }

    static final class Deferred<K> implements KeyedStateBackend<K> {
        private final KeyedStateBackend<K> delegate;

        Deferred(KeyedStateBackend<K> delegate) {
            this.delegate = delegate;
        }

        @Override
        public RunnableFuture<KeyedStateHandle> snapshot(long checkpointId, SnapshotType type,
                CheckpointStreamFactory streams) {
            return new FutureTask<>(() -> {
                RunnableFuture<KeyedStateHandle> real = delegate.snapshot(checkpointId, type, streams);
                real.run();
                return real.get();
            });
        }

        @Override
        public void setCurrentKey(K key) {
            delegate.setCurrentKey(key);
        }

        @Override
        public K getCurrentKey() {
            return delegate.getCurrentKey();
        }

        @Override
        public <S extends State> S getState(StateDescriptor<S, ?> descriptor) {
            return delegate.getState(descriptor);
        }

        @Override
        public Stream<K> keys(String stateName) {
            return delegate.keys(stateName);
        }

        @Override
        public KeyGroupRange keyGroupRange() {
            return delegate.keyGroupRange();
        }

        @Override
        public int maxParallelism() {
            return delegate.maxParallelism();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
