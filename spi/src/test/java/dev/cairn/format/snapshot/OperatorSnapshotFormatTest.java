package dev.cairn.format.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.RedistributionMode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorSnapshotFormatTest {
    private static OperatorStateHandle write() {
        OperatorSnapshotWriter w = new OperatorSnapshotWriter(new InMemoryStream(), List.of(
                new OperatorStateMetaInfo("split", RedistributionMode.SPLIT, Serializers.STRING.snapshot()),
                new OperatorStateMetaInfo("bc", RedistributionMode.BROADCAST,
                        Serializers.mapOf(Serializers.STRING, Serializers.LONG).snapshot())));
        w.add(0, Serializers.STRING, "x");
        w.add(1, Serializers.mapOf(Serializers.STRING, Serializers.LONG), Map.of("k", 1L));
        w.add(0, Serializers.STRING, "y");
        for (int i = 0; i < 5; i++) {
            w.add(0, Serializers.STRING, "z" + i);
        }
        return w.finish();
    }

    @Test
    void everyElementHasItsOffset() {
        OperatorStateHandle handle = write();
        assertThat(handle.states().get("split").size()).isEqualTo(7);
        assertThat(handle.states().get("bc").size()).isEqualTo(1);
        try (OperatorSnapshotReader r = OperatorSnapshotReader.open(handle, InMemoryStream.READER, "op")) {
            List<byte[]> elements = r.readElements("split");
            assertThat(elements).hasSize(7);
            assertThat(new String(elements.get(1), 4, elements.get(1).length - 4, StandardCharsets.UTF_8))
                    .isEqualTo("y");
            assertThat(r.state("bc").mode()).isEqualTo(RedistributionMode.BROADCAST);
        }
    }

    @Test
    void offsetOfAnotherStatesElementRefused() {
        OperatorStateHandle good = write();
        Map<String, OperatorStateHandle.StateMetaInfo> states = new LinkedHashMap<>(good.states());
        states.put("split", new OperatorStateHandle.StateMetaInfo(RedistributionMode.SPLIT,
                good.states().get("bc").offsets()));
        OperatorStateHandle bad = new OperatorStateHandle(states, good.delegate());
        try (OperatorSnapshotReader r = OperatorSnapshotReader.open(bad, InMemoryStream.READER, "op")) {
            assertThatThrownBy(() -> r.readElements("split")).isInstanceOf(CorruptCheckpointException.class)
                    .hasMessageContaining("inline state op").hasMessageContaining("state index 1");
        }
    }

    @Test
    void handleNamingAnUnknownStateOrModeRefused() {
        OperatorStateHandle good = write();
        OperatorStateHandle unknown = new OperatorStateHandle(Map.of("other",
                good.states().get("split")), good.delegate());
        assertThatThrownBy(() -> OperatorSnapshotReader.open(unknown, InMemoryStream.READER, "op"))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("other");
        OperatorStateHandle wrongMode = new OperatorStateHandle(Map.of("split", new OperatorStateHandle.StateMetaInfo(
                RedistributionMode.UNION, good.states().get("split").offsets())), good.delegate());
        assertThatThrownBy(() -> OperatorSnapshotReader.open(wrongMode, InMemoryStream.READER, "op"))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("UNION");
    }
}
