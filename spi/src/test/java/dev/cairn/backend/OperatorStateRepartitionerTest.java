package dev.cairn.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle.StateMetaInfo;
import dev.cairn.state.RedistributionMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorStateRepartitionerTest {
    private static OperatorStateHandle handle(int id, Map<String, StateMetaInfo> states) {
        return new OperatorStateHandle(states, new InlineStateHandle(new byte[] {(byte) id}));
    }

    private static long[] offsets(int base, int count) {
        long[] o = new long[count];
        for (int i = 0; i < count; i++) {
            o[i] = base + i;
        }
        return o;
    }

    /** (stream id, offset) pairs of {@code name} across a subtask's handles. */
    private static List<String> elements(List<OperatorStateHandle> handles, String name) {
        List<String> out = new ArrayList<>();
        for (OperatorStateHandle h : handles) {
            StateMetaInfo m = h.states().get(name);
            if (m != null) {
                for (long o : m.offsets()) {
                    out.add(((InlineStateHandle) h.delegate()).data()[0] + ":" + o);
                }
            }
        }
        return out;
    }

    @Test
    void splitGivesEveryElementToExactlyOneSubtaskBalanced() {
        List<OperatorStateHandle> old = List.of(
                handle(0, Map.of("s", new StateMetaInfo(RedistributionMode.SPLIT, offsets(100, 10)))),
                handle(1, Map.of("s", new StateMetaInfo(RedistributionMode.SPLIT, offsets(200, 7)))));
        for (int parallelism = 1; parallelism <= 20; parallelism++) {
            List<List<OperatorStateHandle>> result = OperatorStateRepartitioner.repartition(old, parallelism);
            assertThat(result).hasSize(parallelism);
            List<String> all = new ArrayList<>();
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (List<OperatorStateHandle> subtask : result) {
                List<String> mine = elements(subtask, "s");
                all.addAll(mine);
                min = Math.min(min, mine.size());
                max = Math.max(max, mine.size());
                assertThat(subtask).as("every subtask learns the state exists")
                        .anySatisfy(h -> assertThat(h.states()).containsKey("s"));
            }
            assertThat(all).as("parallelism %s", parallelism).doesNotHaveDuplicates().hasSize(17);
            assertThat(max - min).as("balance at parallelism %s", parallelism).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void unionGivesEverySubtaskEverything() {
        List<OperatorStateHandle> old = List.of(
                handle(0, Map.of("u", new StateMetaInfo(RedistributionMode.UNION, offsets(10, 3)))),
                handle(1, Map.of("u", new StateMetaInfo(RedistributionMode.UNION, offsets(20, 2)))));
        for (List<OperatorStateHandle> subtask : OperatorStateRepartitioner.repartition(old, 3)) {
            assertThat(elements(subtask, "u")).containsExactlyInAnyOrder("0:10", "0:11", "0:12", "1:20", "1:21");
        }
    }

    @Test
    void broadcastGivesEachSubtaskOneMap() {
        List<OperatorStateHandle> old = List.of(
                handle(0, Map.of("b", new StateMetaInfo(RedistributionMode.BROADCAST, new long[] {5}))),
                handle(1, Map.of("b", new StateMetaInfo(RedistributionMode.BROADCAST, new long[] {6}))));
        List<List<OperatorStateHandle>> result = OperatorStateRepartitioner.repartition(old, 3);
        assertThat(elements(result.get(0), "b")).containsExactly("0:5");
        assertThat(elements(result.get(1), "b")).containsExactly("1:6");
        assertThat(elements(result.get(2), "b")).containsExactly("0:5");
    }

    @Test
    void conflictingModesRefused() {
        List<OperatorStateHandle> old = List.of(
                handle(0, Map.of("x", new StateMetaInfo(RedistributionMode.SPLIT, offsets(1, 1)))),
                handle(1, Map.of("x", new StateMetaInfo(RedistributionMode.UNION, offsets(1, 1)))));
        assertThatThrownBy(() -> OperatorStateRepartitioner.repartition(old, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
    }
}
