package dev.cairn.keygroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyGroupsTest {

    @ParameterizedTest
    @CsvSource({"128,1", "128,2", "128,3", "128,7", "128,128", "13,4", "32768,5", "1,1"})
    void subtaskRangesPartitionAllKeyGroups(int maxParallelism, int parallelism) {
        int next = 0;
        for (int i = 0; i < parallelism; i++) {
            KeyGroupRange r = KeyGroups.rangeForSubtask(maxParallelism, parallelism, i);
            assertThat(r.start()).isEqualTo(next);
            for (int kg = r.start(); kg <= r.end(); kg++) {
                assertThat(KeyGroups.subtaskForKeyGroup(maxParallelism, parallelism, kg)).isEqualTo(i);
            }
            next = r.end() + 1;
        }
        assertThat(next).isEqualTo(maxParallelism);
    }

    @Test
    void keysSpreadOverAllKeyGroups() {
        int[] counts = new int[128];
        for (long k = 0; k < 128_000; k++) {
            int kg = KeyGroups.keyGroupOf(k, 128);
            assertThat(kg).isBetween(0, 127);
            counts[kg]++;
        }
        for (int c : counts) {
            assertThat(c).isBetween(800, 1200);
        }
    }

    @Test
    void murmurHashIsNonNegativeAtTheExtremes() {
        for (int h : new int[] {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertThat(KeyGroups.murmurHash(h)).isNotNegative();
        }
    }

    @Test
    void keyGroupIsStableForEqualKeys() {
        assertThat(KeyGroups.keyGroupOf("user-42", 128)).isEqualTo(KeyGroups.keyGroupOf(new String("user-42"), 128));
    }

    @Test
    void rejectsInvalidArguments() {
        assertThatThrownBy(() -> KeyGroups.keyGroupOf(null, 128)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> KeyGroups.rangeForSubtask(128, 129, 0)).hasMessageContaining("parallelism 129");
        assertThatThrownBy(() -> KeyGroups.rangeForSubtask(0, 1, 0)).hasMessageContaining("maxParallelism 0");
        assertThatThrownBy(() -> KeyGroups.rangeForSubtask(128, 2, 2)).hasMessageContaining("subtask index 2");
        assertThatThrownBy(() -> new KeyGroupRange(5, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rangeIntersection() {
        assertThat(KeyGroupRange.of(0, 63).intersection(KeyGroupRange.of(32, 127))).isEqualTo(KeyGroupRange.of(32, 63));
        assertThat(KeyGroupRange.of(0, 10).intersection(KeyGroupRange.of(11, 20)).isEmpty()).isTrue();
        assertThat(KeyGroupRange.EMPTY.size()).isZero();
        assertThat(KeyGroupRange.of(3, 5)).containsExactly(3, 4, 5);
    }
}
