package dev.cairn.format.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.StateType;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class KeyedSnapshotFormatTest {
    private static final KeyGroupRange RANGE = KeyGroupRange.of(4, 7);

    private static KeyedSnapshotHeader header(SnapshotCompression codec) {
        return new KeyedSnapshotHeader(Serializers.LONG.snapshot(), 16, RANGE, codec, List.of(
                new KeyedStateMetaInfo("a", StateType.VALUE, Serializers.STRING.snapshot()),
                new KeyedStateMetaInfo("b", StateType.LIST, Serializers.listOf(Serializers.LONG).snapshot())));
    }

    private static KeyGroupsStateHandle write(SnapshotCompression codec) {
        KeyedSnapshotWriter w = new KeyedSnapshotWriter(new InMemoryStream(), header(codec));
        for (int kg : RANGE) {
            w.beginKeyGroup(kg);
            if (kg != 5) {
                w.add(0, Serializers.LONG, (long) kg, Serializers.STRING, "value-" + kg);
                w.add(1, Serializers.LONG, (long) kg, Serializers.listOf(Serializers.LONG), List.of(1L, (long) kg));
            }
            w.endKeyGroup();
        }
        return w.finish();
    }

    @ParameterizedTest
    @EnumSource(SnapshotCompression.class)
    void roundTrip(SnapshotCompression codec) throws IOException {
        KeyGroupsStateHandle handle = write(codec);
        try (KeyedSnapshotReader r = KeyedSnapshotReader.open(handle, InMemoryStream.READER, "op-1")) {
            assertThat(r.header()).isEqualTo(header(codec));
            assertThat(r.file()).isEqualTo("inline state op-1");
            assertThat(r.readKeyGroup(5).states()).isEmpty();
            KeyGroupBlock block = r.readKeyGroup(6);
            assertThat(block.states()).hasSize(2);
            KeyGroupBlock.StateEntries a = block.states().get(0);
            assertThat(a.stateIndex()).isZero();
            assertThat(Serializers.STRING.deserialize(new DataInputStream(new ByteArrayInputStream(a.values().get(0)))))
                    .isEqualTo("value-6");
            assertThat(Serializers.LONG.deserialize(new DataInputStream(new ByteArrayInputStream(a.keys().get(0)))))
                    .isEqualTo(6L);
        }
    }

    @Test
    void blockAtTheOffsetOfAnotherKeyGroupRefused() {
        KeyGroupsStateHandle good = write(SnapshotCompression.NONE);
        long[] offsets = good.offsets();
        offsets[0] = offsets[1];
        KeyGroupsStateHandle swapped = new KeyGroupsStateHandle(RANGE, offsets, good.delegate());
        try (KeyedSnapshotReader r = KeyedSnapshotReader.open(swapped, InMemoryStream.READER, "op-1")) {
            assertThatThrownBy(() -> r.readKeyGroup(4)).isInstanceOf(CorruptCheckpointException.class)
                    .hasMessageContaining("inline state op-1").hasMessageContaining("holds key group 5");
        }
    }

    @Test
    void offsetIntoTheHeaderRefused() {
        KeyGroupsStateHandle good = write(SnapshotCompression.NONE);
        long[] offsets = good.offsets();
        offsets[2] = 0;
        KeyGroupsStateHandle bad = new KeyGroupsStateHandle(RANGE, offsets, good.delegate());
        try (KeyedSnapshotReader r = KeyedSnapshotReader.open(bad, InMemoryStream.READER, "op-1")) {
            assertThatThrownBy(() -> r.readKeyGroup(6)).isInstanceOf(CorruptCheckpointException.class)
                    .hasMessageContaining("header");
        }
    }

    @Test
    void handleClaimingAnotherRangeRefused() {
        KeyGroupsStateHandle good = write(SnapshotCompression.NONE);
        KeyGroupsStateHandle bad = new KeyGroupsStateHandle(KeyGroupRange.of(4, 6),
                java.util.Arrays.copyOf(good.offsets(), 3), good.delegate());
        assertThatThrownBy(() -> KeyedSnapshotReader.open(bad, InMemoryStream.READER, "op-1"))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("claims");
    }

    @Test
    void writerEnforcesKeyGroupOrder() {
        KeyedSnapshotWriter w = new KeyedSnapshotWriter(new InMemoryStream(), header(SnapshotCompression.NONE));
        assertThatThrownBy(() -> w.beginKeyGroup(5)).isInstanceOf(IllegalStateException.class);
        w.beginKeyGroup(4);
        w.endKeyGroup();
        assertThatThrownBy(w::finish).isInstanceOf(IllegalStateException.class).hasMessageContaining("5..7");
    }
}
