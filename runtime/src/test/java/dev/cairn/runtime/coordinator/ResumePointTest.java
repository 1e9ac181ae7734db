package dev.cairn.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointScan;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.DamagedCheckpoint;
import dev.cairn.checkpoint.JobEnd;
import dev.cairn.error.CorruptCheckpointException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResumePointTest {
    private static CompletedCheckpoint sound(long id) {
        return new CompletedCheckpoint("mem:///c/job/chk-" + id, new CheckpointMetadata(id, id, List.of()));
    }

    private static DamagedCheckpoint damaged(long id) {
        String pointer = "mem:///c/job/chk-" + id;
        return new DamagedCheckpoint(id, pointer, new CorruptCheckpointException(pointer + "/_metadata",
                "checkpoint metadata checksum mismatch"));
    }

    private static CheckpointScan scan(List<CompletedCheckpoint> completed, List<DamagedCheckpoint> damaged,
            JobEnd end) {
        return new CheckpointScan(completed, damaged, 0, Optional.ofNullable(end));
    }

    @Test
    void theNewestSoundCheckpointWinsAndOlderDamagedOnesAreReported() {
        ResumePoint point = ResumePoint.of(scan(List.of(sound(24), sound(26)), List.of(damaged(25)), null), false);
        assertThat(point).isInstanceOf(ResumePoint.Checkpoint.class);
        assertThat(((ResumePoint.Checkpoint) point).checkpoint().checkpointId()).isEqualTo(26);
        assertThat(point.skipped()).extracting(DamagedCheckpoint::checkpointId).containsExactly(25L);
    }

    @Test
    void aDamagedNewestCheckpointIsRefusedNamingItsFileUnlessFallingBack() {
        CheckpointScan scan = scan(List.of(sound(24), sound(25)), List.of(damaged(26)), null);
        assertThatThrownBy(() -> ResumePoint.of(scan, false)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageStartingWith("mem:///c/job/chk-26/_metadata: checkpoint 26 is the newest")
                .hasMessageContaining("checkpoint 25 is the newest sound one")
                .satisfies(e -> assertThat(((CorruptCheckpointException) e).file())
                        .isEqualTo("mem:///c/job/chk-26/_metadata"));
        ResumePoint fallback = ResumePoint.of(scan, true);
        assertThat(((ResumePoint.Checkpoint) fallback).checkpoint().checkpointId()).isEqualTo(25);
        assertThat(fallback.skipped()).extracting(DamagedCheckpoint::checkpointId).containsExactly(26L);
    }

    @Test
    void onlyDamagedCheckpointsRefuseOrStartFromTheBeginningWhenFallingBack() {
        CheckpointScan scan = scan(List.of(), List.of(damaged(3)), null);
        assertThatThrownBy(() -> ResumePoint.of(scan, false)).hasMessageContaining("no older checkpoint is sound");
        assertThat(ResumePoint.of(scan, true)).isInstanceOf(ResumePoint.Nothing.class);
        assertThat(ResumePoint.of(CheckpointScan.empty(), false)).isInstanceOf(ResumePoint.Nothing.class);
    }

    @Test
    void anEndedJobIsReportedAsEndedUnlessALaterRunWentOn() {
        JobEnd end = new JobEnd("FINISHED", 30, 99);
        assertThat(ResumePoint.of(scan(List.of(), List.of(), end), false))
                .isEqualTo(new ResumePoint.JobEnded(end, List.of(), List.of()));
        assertThat(ResumePoint.of(scan(List.of(sound(12)), List.of(), end), false))
                .as("a checkpoint the ended run failed to delete is not progress").isInstanceOf(ResumePoint.JobEnded.class);
        ResumePoint later = ResumePoint.of(scan(List.of(sound(31)), List.of(), end), false);
        assertThat(((ResumePoint.Checkpoint) later).checkpoint().checkpointId()).isEqualTo(31);
    }
}
