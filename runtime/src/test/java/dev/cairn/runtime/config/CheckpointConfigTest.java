package dev.cairn.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backend.SnapshotType;
import dev.cairn.error.ConfigurationException;
import dev.cairn.runtime.coordinator.AlignmentType;
import dev.cairn.runtime.coordinator.CheckpointOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointConfigTest {

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    private static void assertRejected(CheckpointConfig.Builder builder, String... fragments) {
        assertThatThrownBy(builder::build).isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll(fragments);
    }

    @Test
    void defaults() {
        CheckpointConfig c = CheckpointConfig.builder().build();
        assertThat(c.interval()).isEmpty();
        assertThat(c.isCheckpointingEnabled()).isFalse();
        assertThat(c.mode()).isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(c.minPauseBetweenCheckpoints()).isZero();
        assertThat(c.checkpointTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.tolerableCheckpointFailureNumber()).isZero();
        assertThat(c.maxConcurrentCheckpoints()).isEqualTo(1);
        assertThat(c.externalizedCheckpointRetention())
                .isEqualTo(ExternalizedCheckpointRetention.NO_EXTERNALIZED_CHECKPOINTS);
        assertThat(c.numRetainedCheckpoints()).isEqualTo(1);
        assertThat(c.unalignedCheckpoints()).isFalse();
        assertThat(c.alignedCheckpointTimeout()).isZero();
        assertThat(c.checkpointsAfterTasksFinish()).isTrue();
        assertThat(c.forceCheckpointingOnIterativeJobs()).isFalse();
        assertThat(c.checkpointStorage()).isEqualTo("memory");
        assertThat(c.stateBackend()).isEqualTo("memory");
    }

    @Test
    void settersAndAccessorsShareNamesAndToBuilderKeepsEverything() {
        CheckpointConfig c = CheckpointConfig.builder().interval(ms(500)).mode(CheckpointingMode.EXACTLY_ONCE)
                .minPauseBetweenCheckpoints(ms(100)).checkpointTimeout(ms(2000)).tolerableCheckpointFailureNumber(3)
                .maxConcurrentCheckpoints(1).externalizedCheckpointRetention(
                        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION)
                .numRetainedCheckpoints(4).unalignedCheckpoints(true).alignedCheckpointTimeout(ms(30))
                .checkpointsAfterTasksFinish(false).forceCheckpointingOnIterativeJobs(true)
                .checkpointStorage("file:///tmp/cp").stateBackend("rocksdb").build();
        assertThat(c.interval()).contains(ms(500));
        assertThat(c.isCheckpointingEnabled()).isTrue();
        assertThat(c.minPauseBetweenCheckpoints()).isEqualTo(ms(100));
        assertThat(c.checkpointTimeout()).isEqualTo(ms(2000));
        assertThat(c.tolerableCheckpointFailureNumber()).isEqualTo(3);
        assertThat(c.externalizedCheckpointRetention())
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(c.numRetainedCheckpoints()).isEqualTo(4);
        assertThat(c.unalignedCheckpoints()).isTrue();
        assertThat(c.alignedCheckpointTimeout()).isEqualTo(ms(30));
        assertThat(c.checkpointsAfterTasksFinish()).isFalse();
        assertThat(c.forceCheckpointingOnIterativeJobs()).isTrue();
        assertThat(c.checkpointStorage()).isEqualTo("file:///tmp/cp");
        assertThat(c.stateBackend()).isEqualTo("rocksdb");
        assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
    }

    @Test
    void maxConcurrentAboveOneWithAMinPauseIsRejected() {
        assertRejected(CheckpointConfig.builder().maxConcurrentCheckpoints(2).minPauseBetweenCheckpoints(ms(1)),
                "maxConcurrentCheckpoints=2", "minPauseBetweenCheckpoints=1 ms");
        assertThatCode(() -> CheckpointConfig.builder().maxConcurrentCheckpoints(2).build()).doesNotThrowAnyException();
        assertThatCode(() -> CheckpointConfig.builder().minPauseBetweenCheckpoints(ms(100)).build())
                .doesNotThrowAnyException();
    }

    @Test
    void unalignedWithAtLeastOnceIsRejected() {
        assertRejected(CheckpointConfig.builder().unalignedCheckpoints(true).mode(CheckpointingMode.AT_LEAST_ONCE),
                "unalignedCheckpoints=true", "mode=AT_LEAST_ONCE");
    }

    @Test
    void unalignedWithMaxConcurrentAboveOneIsRejected() {
        assertRejected(CheckpointConfig.builder().unalignedCheckpoints(true).maxConcurrentCheckpoints(2),
                "unalignedCheckpoints=true", "maxConcurrentCheckpoints=2");
    }

    @ParameterizedTest
    @ValueSource(longs = {-5, 0, 9})
    void intervalOrTimeoutUnderTenMillisecondsIsRejected(long millis) {
        assertRejected(CheckpointConfig.builder().interval(ms(millis)), "interval=" + millis + " ms", "10 ms");
        assertRejected(CheckpointConfig.builder().checkpointTimeout(ms(millis)), "checkpointTimeout=" + millis + " ms");
        assertThatCode(() -> CheckpointConfig.builder().interval(ms(10)).checkpointTimeout(ms(10)).build())
                .doesNotThrowAnyException();
    }

    @Test
    void negativeCountsAndDurationsAreRejected() {
        assertRejected(CheckpointConfig.builder().tolerableCheckpointFailureNumber(-1),
                "tolerableCheckpointFailureNumber=-1");
        assertRejected(CheckpointConfig.builder().maxConcurrentCheckpoints(0), "maxConcurrentCheckpoints=0");
        assertRejected(CheckpointConfig.builder().maxConcurrentCheckpoints(-2), "maxConcurrentCheckpoints=-2");
        assertRejected(CheckpointConfig.builder().numRetainedCheckpoints(-1), "numRetainedCheckpoints=-1");
        assertRejected(CheckpointConfig.builder().minPauseBetweenCheckpoints(ms(-1)), "minPauseBetweenCheckpoints");
        assertRejected(CheckpointConfig.builder().alignedCheckpointTimeout(ms(-1)), "alignedCheckpointTimeout");
    }

    @Test
    void fewerThanOneRetainedCheckpointIsRejected() {
        assertRejected(CheckpointConfig.builder().numRetainedCheckpoints(0), "numRetainedCheckpoints=0",
                "at least 1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "checkpoints", "/data/checkpoints", "::bad", "c:\\x"})
    void aStorageThatIsNeitherMemoryNorAUriIsRejected(String storage) {
        assertRejected(CheckpointConfig.builder().checkpointStorage(storage), "checkpointStorage='" + storage + "'",
                "neither 'memory' nor a URI");
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "MEMORY", "file:///data/cp", "s3://bucket/cp", "maptest:///x"})
    void memoryOrAUriIsAccepted(String storage) {
        assertThat(CheckpointConfig.builder().checkpointStorage(storage).build().checkpointStorage())
                .isEqualTo(storage);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertRejected(CheckpointConfig.builder().interval(ms(1)).tolerableCheckpointFailureNumber(-1)
                .stateBackend(" "), "interval=1 ms", "tolerableCheckpointFailureNumber=-1", "stateBackend");
    }

    @Test
    void barrierOptionsFollowModeAndUnalignedSettings() {
        CheckpointConfig aligned = CheckpointConfig.builder().build();
        assertThat(aligned.optionsFor(SnapshotType.CHECKPOINT))
                .isEqualTo(new CheckpointOptions(SnapshotType.CHECKPOINT, AlignmentType.ALIGNED, 0));
        CheckpointConfig atLeastOnce = CheckpointConfig.builder().mode(CheckpointingMode.AT_LEAST_ONCE).build();
        assertThat(atLeastOnce.optionsFor(SnapshotType.FULL_CHECKPOINT))
                .isEqualTo(new CheckpointOptions(SnapshotType.FULL_CHECKPOINT, AlignmentType.AT_LEAST_ONCE, 0));
        CheckpointConfig unaligned = CheckpointConfig.builder().unalignedCheckpoints(true).build();
        assertThat(unaligned.optionsFor(SnapshotType.CHECKPOINT))
                .isEqualTo(new CheckpointOptions(SnapshotType.CHECKPOINT, AlignmentType.UNALIGNED, 0));
        CheckpointConfig timeoutable = CheckpointConfig.builder().unalignedCheckpoints(true)
                .alignedCheckpointTimeout(ms(40)).build();
        assertThat(timeoutable.optionsFor(SnapshotType.CHECKPOINT))
                .isEqualTo(new CheckpointOptions(SnapshotType.CHECKPOINT, AlignmentType.ALIGNED, 40));
        for (CheckpointConfig c : new CheckpointConfig[] {aligned, atLeastOnce, unaligned, timeoutable}) {
            assertThat(c.optionsFor(SnapshotType.SAVEPOINT)).as("savepoints are always aligned")
                    .isEqualTo(new CheckpointOptions(SnapshotType.SAVEPOINT, AlignmentType.ALIGNED, 0));
        }
    }

    @Test
    void iterativeJobsAreRefusedWithCheckpointingUnlessForced() {
        CheckpointConfig on = CheckpointConfig.builder().interval(ms(100)).build();
        assertThatThrownBy(() -> CheckpointConfig.checkIterativeJob(true, on))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("feedback edge", "forceCheckpointingOnIterativeJobs");
        assertThatCode(() -> CheckpointConfig.checkIterativeJob(false, on)).doesNotThrowAnyException();
        assertThatCode(() -> CheckpointConfig.checkIterativeJob(true, CheckpointConfig.builder().build()))
                .as("checkpointing off").doesNotThrowAnyException();
        assertThatCode(() -> CheckpointConfig.checkIterativeJob(true,
                on.toBuilder().forceCheckpointingOnIterativeJobs(true).build())).doesNotThrowAnyException();
    }
}
