package dev.cairn.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CheckpointFailureCounterTest {

    @Test
    void toleranceZeroFailsOverOnTheFirstFailure() {
        CheckpointFailureCounter counter = new CheckpointFailureCounter(0);
        assertThat(counter.checkpointFailed(1)).isTrue();
        assertThat(counter.count()).as("starts afresh").isZero();
    }

    @Test
    void failuresAreConsecutiveAndEachIdCountsOnce() {
        CheckpointFailureCounter counter = new CheckpointFailureCounter(2);
        assertThat(counter.checkpointFailed(1)).isFalse();
        assertThat(counter.checkpointFailed(1)).isFalse();
        assertThat(counter.checkpointFailed(2)).isFalse();
        assertThat(counter.count()).isEqualTo(2);
        assertThat(counter.checkpointFailed(3)).isTrue();
    }

    @Test
    void aCompletedCheckpointResetsAndOlderFailuresAreIgnored() {
        CheckpointFailureCounter counter = new CheckpointFailureCounter(1);
        assertThat(counter.checkpointFailed(1)).isFalse();
        counter.checkpointCompleted(3);
        assertThat(counter.count()).isZero();
        assertThat(counter.checkpointFailed(2)).as("older than the last completed").isFalse();
        assertThat(counter.checkpointFailed(3)).isFalse();
        assertThat(counter.count()).isZero();
        assertThat(counter.checkpointFailed(4)).isFalse();
        counter.checkpointCompleted(2);
        assertThat(counter.count()).as("an older completion does not reset").isEqualTo(1);
        assertThat(counter.checkpointFailed(5)).isTrue();
    }
}
