package dev.cairn.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.IncompatibleStateException;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.state.RedistributionMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class StateAssignmentTest {
    private static final int MAX = 12;

    private static KeyGroupsStateHandle keyed(KeyGroupRange range, String tag) {
        return new KeyGroupsStateHandle(range, new long[range.size()], new InlineStateHandle(tag.getBytes()));
    }

    /** A checkpoint of operator "keyed" as if its subtasks at {@code parallelism} each wrote one handle. */
    private static CheckpointMetadata keyedCheckpoint(int parallelism) {
        List<SubtaskSnapshot> subtasks = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            KeyGroupRange range = KeyGroups.rangeForSubtask(MAX, parallelism, i);
            subtasks.add(new SubtaskSnapshot(i, List.of(keyed(range, "p" + parallelism + "s" + i)), List.of(), false));
        }
        return new CheckpointMetadata(1, 0, List.of(new OperatorSnapshot("keyed", parallelism, MAX, subtasks)));
    }

    /** The key groups the new subtask would read: those of its handles within its own range. */
    private static List<Integer> readable(SubtaskRestoreState s) {
        List<Integer> groups = new ArrayList<>();
        for (KeyedStateHandle h : s.keyedState()) {
            for (int g : h.keyGroupRange().intersection(s.keyGroupRange())) {
                groups.add(g);
            }
        }
        return groups.stream().sorted().toList();
    }

    @Test
    void keyedStateFollowsKeyGroupsThroughRescales() {
        CheckpointMetadata one = keyedCheckpoint(1);
        List<SubtaskRestoreState> two = StateAssignment.assign(one, "keyed", 2, MAX);
        assertThat(two).extracting(SubtaskRestoreState::keyGroupRange)
                .containsExactly(KeyGroupRange.of(0, 5), KeyGroupRange.of(6, 11));
        assertThat(two).allSatisfy(s -> assertThat(s.keyedState()).containsExactlyElementsOf(
                one.operators().get(0).subtasks().get(0).keyedState()));

        List<SubtaskRestoreState> three = StateAssignment.assign(keyedCheckpoint(2), "keyed", 3, MAX);
        assertThat(three).extracting(SubtaskRestoreState::keyGroupRange)
                .containsExactly(KeyGroupRange.of(0, 3), KeyGroupRange.of(4, 7), KeyGroupRange.of(8, 11));
        assertThat(three.get(0).keyedState()).containsExactly(keyed(KeyGroupRange.of(0, 5), "p2s0"));
        assertThat(three.get(1).keyedState()).as("the middle subtask needs both old handles")
                .containsExactly(keyed(KeyGroupRange.of(0, 5), "p2s0"), keyed(KeyGroupRange.of(6, 11), "p2s1"));
        assertThat(three.get(2).keyedState()).containsExactly(keyed(KeyGroupRange.of(6, 11), "p2s1"));

        List<SubtaskRestoreState> backToOne = StateAssignment.assign(keyedCheckpoint(3), "keyed", 1, MAX);
        assertThat(backToOne).singleElement().satisfies(s -> {
            assertThat(s.keyGroupRange()).isEqualTo(KeyGroupRange.of(0, 11));
            assertThat(s.keyedState()).hasSize(3);
            assertThat(readable(s)).containsExactlyElementsOf(IntStream.range(0, MAX).boxed().toList());
        });
        for (SubtaskRestoreState s : three) {
            assertThat(readable(s)).as("every key group of " + s.keyGroupRange() + " exactly once")
                    .containsExactlyElementsOf(IntStream.rangeClosed(s.keyGroupRange().start(),
                            s.keyGroupRange().end()).boxed().toList());
        }
    }

    private static OperatorStateHandle opState(RedistributionMode mode, String name, int elements, String tag) {
        long[] offsets = LongStream.range(0, elements).map(i -> i * 8).toArray();
        return new OperatorStateHandle(Map.of(name, new OperatorStateHandle.StateMetaInfo(mode, offsets)),
                new InlineStateHandle(tag.getBytes()));
    }

    private static CheckpointMetadata operatorCheckpoint(RedistributionMode mode, int... elementsPerSubtask) {
        List<SubtaskSnapshot> subtasks = new ArrayList<>();
        for (int i = 0; i < elementsPerSubtask.length; i++) {
            subtasks.add(new SubtaskSnapshot(i, List.of(), List.of(opState(mode, "s", elementsPerSubtask[i], "h" + i)),
                    false));
        }
        return new CheckpointMetadata(3, 0, List.of(new OperatorSnapshot("op", elementsPerSubtask.length, MAX,
                subtasks)));
    }

    private static int elements(SubtaskRestoreState s) {
        return s.operatorState().stream().mapToInt(h -> h.states().get("s").size()).sum();
    }

    @Test
    void splitStateIsDividedEvenly() {
        List<SubtaskRestoreState> out = StateAssignment.assign(operatorCheckpoint(RedistributionMode.SPLIT, 4, 3),
                "op", 3, MAX);
        assertThat(out).extracting(StateAssignmentTest::elements).containsExactly(3, 2, 2);
        List<Long> all = new ArrayList<>();
        for (SubtaskRestoreState s : out) {
            for (OperatorStateHandle h : s.operatorState()) {
                Arrays.stream(h.states().get("s").offsets()).forEach(o -> all.add(o));
            }
        }
        assertThat(all).as("each element goes to exactly one subtask").hasSize(7);
    }

    @Test
    void unionStateGoesToEverySubtask() {
        List<SubtaskRestoreState> out = StateAssignment.assign(operatorCheckpoint(RedistributionMode.UNION, 2, 1),
                "op", 4, MAX);
        assertThat(out).hasSize(4).allSatisfy(s -> assertThat(elements(s)).isEqualTo(3));
    }

    @Test
    void broadcastStateGivesEachSubtaskOneCopy() {
        List<SubtaskRestoreState> out = StateAssignment.assign(operatorCheckpoint(RedistributionMode.BROADCAST, 2, 2),
                "op", 3, MAX);
        assertThat(out).allSatisfy(s -> {
            assertThat(s.operatorState()).hasSize(1);
            assertThat(elements(s)).isEqualTo(2);
        });
        assertThat(out.get(2).operatorState().get(0).delegate()).isEqualTo(new InlineStateHandle("h0".getBytes()));
    }

    @Test
    void aChangedMaxParallelismIsRefused() {
        assertThatThrownBy(() -> StateAssignment.assign(keyedCheckpoint(2), "keyed", 2, 24))
                .isInstanceOf(IncompatibleStateException.class)
                .hasMessageContainingAll("'keyed'", "max parallelism 12", "max parallelism 24");
    }

    @Test
    void anOperatorAbsentFromTheCheckpointStartsEmpty() {
        List<SubtaskRestoreState> out = StateAssignment.assign(keyedCheckpoint(2), "new-operator", 2, 64);
        assertThat(out).hasSize(2).allSatisfy(s -> assertThat(s.isEmpty()).isTrue());
        assertThat(out.get(1).keyGroupRange()).isEqualTo(KeyGroupRange.of(32, 63));
    }

    @Test
    void finishedSubtasksContributeNothingAndAFullyFinishedOperatorIsRecognized() {
        CheckpointMetadata m = new CheckpointMetadata(2, 0, List.of(
                new OperatorSnapshot("done", 2, MAX, List.of(new SubtaskSnapshot(0, List.of(), List.of(), true),
                        new SubtaskSnapshot(1, List.of(), List.of(), true))),
                new OperatorSnapshot("half", 2, MAX, List.of(new SubtaskSnapshot(0, List.of(), List.of(), true),
                        new SubtaskSnapshot(1, List.of(), List.of(opState(RedistributionMode.SPLIT, "s", 2, "x")),
                                false)))));
        assertThat(StateAssignment.isFullyFinished(m, "done")).isTrue();
        assertThat(StateAssignment.isFullyFinished(m, "half")).isFalse();
        assertThat(StateAssignment.isFullyFinished(m, "absent")).isFalse();
        assertThat(StateAssignment.assign(m, "half", 2, MAX)).extracting(StateAssignmentTest::elements)
                .containsExactly(1, 1);
    }

    @Test
    void aParallelismOutsideTheMaxParallelismIsRefused() {
        assertThatThrownBy(() -> StateAssignment.assign(keyedCheckpoint(1), "keyed", 13, MAX))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parallelism 13");
    }
}
