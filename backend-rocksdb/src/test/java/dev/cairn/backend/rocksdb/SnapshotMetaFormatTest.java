package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.format.Envelope;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.StateType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotMetaFormatTest {
    private static final SnapshotMetaFormat.Meta META = new SnapshotMetaFormat.Meta(Serializers.LONG.snapshot(), 128,
            KeyGroupRange.of(0, 63), List.of(new StateMeta("value", StateType.VALUE, Serializers.STRING.snapshot(),
                    Layout.NATIVE, "cf-value")));

    @Test
    void version2RecordsTheChecksumOfEveryFile() {
        Map<String, Integer> checksums = Map.of("000012.sst", 0x12345678, "MANIFEST-000005", -1, "CURRENT", 7);
        SnapshotMetaFormat.Meta read = SnapshotMetaFormat.read("meta", SnapshotMetaFormat.write(
                META.withChecksums(checksums)));
        assertThat(read.checksums()).isEqualTo(checksums);
        assertThat(read.states()).isEqualTo(META.states());
    }

    /** A stream of version 1 (before checksums) is read, with no checksums: the files are then not checked. */
    @Test
    void version1StreamsAreStillRead() {
        byte[] v2 = SnapshotMetaFormat.write(META);
        byte[] body = Arrays.copyOfRange(v2, 6, v2.length - 4 - 4);
        byte[] v1 = Envelope.seal(SnapshotMetaFormat.MAGIC, 1, body);
        SnapshotMetaFormat.Meta read = SnapshotMetaFormat.read("meta", v1);
        assertThat(read.checksums()).isEmpty();
        assertThat(read.keyGroupRange()).isEqualTo(META.keyGroupRange());
    }

    @Test
    void aFileNameThatCouldLeaveTheDirectoryIsRefused() {
        byte[] bytes = SnapshotMetaFormat.write(META.withChecksums(Map.of("../000012.sst", 1)));
        assertThatThrownBy(() -> SnapshotMetaFormat.read("file:///chk-2/meta", bytes))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("file:///chk-2/meta")
                .hasMessageContaining("../000012.sst");
    }
}
