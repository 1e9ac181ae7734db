package dev.cairn.format.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.format.FormatReader;
import dev.cairn.format.FormatWriter;
import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.serialization.Serializers;
import org.junit.jupiter.api.Test;

class SerializerSnapshotCodecTest {
    private static SerializerSnapshot roundTrip(byte[] bytes) {
        FormatReader in = new FormatReader("test-file", "test", bytes, 0, bytes.length);
        SerializerSnapshot s = SerializerSnapshotCodec.read(in);
        in.expectEnd();
        return s;
    }

    @Test
    void nestedSnapshotsRoundTrip() {
        SerializerSnapshot s = Serializers.mapOf(Serializers.STRING, Serializers.listOf(Serializers.LONG)).snapshot();
        FormatWriter w = new FormatWriter();
        SerializerSnapshotCodec.write(w, s);
        assertThat(roundTrip(w.toByteArray())).isEqualTo(s);
    }

    @Test
    void tooDeepNestingRefused() {
        FormatWriter w = new FormatWriter();
        for (int i = 0; i <= SerializerSnapshot.MAX_DEPTH; i++) {
            w.writeString("x").writeInt(1).writeInt(1);
        }
        w.writeString("leaf").writeInt(1).writeInt(0);
        assertThatThrownBy(() -> roundTrip(w.toByteArray())).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("test-file").hasMessageContaining("deeper");
    }

    @Test
    void hugeNestedCountRefusedBeforeAllocating() {
        byte[] bytes = new FormatWriter().writeString("x").writeInt(1).writeInt(Integer.MAX_VALUE).toByteArray();
        assertThatThrownBy(() -> roundTrip(bytes)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("nested serializer count");
    }

    @Test
    void tooManyNestedRefused() {
        FormatWriter w = new FormatWriter().writeString("x").writeInt(1).writeInt(SerializerSnapshotCodec.MAX_NESTED + 1);
        for (int i = 0; i <= SerializerSnapshotCodec.MAX_NESTED; i++) {
            w.writeString("y").writeInt(1).writeInt(0);
        }
        assertThatThrownBy(() -> roundTrip(w.toByteArray())).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("more than " + SerializerSnapshotCodec.MAX_NESTED);
    }

    @Test
    void emptyIdRefused() {
        byte[] bytes = new FormatWriter().writeString("").writeInt(1).writeInt(0).toByteArray();
        assertThatThrownBy(() -> roundTrip(bytes)).isInstanceOf(CorruptCheckpointException.class);
    }
}
