package dev.cairn.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SerializersTest {

    static <T> byte[] write(TypeSerializer<T> s, T v) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.serialize(v, new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    static <T> T roundTrip(TypeSerializer<T> s, T v) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(write(s, v)));
        T out = s.deserialize(in);
        assertThat(in.available()).as("all bytes consumed").isZero();
        return out;
    }

    @Test
    void builtInsRoundTrip() throws IOException {
        assertThat(roundTrip(Serializers.BOOLEAN, true)).isTrue();
        assertThat(roundTrip(Serializers.INT, -7)).isEqualTo(-7);
        assertThat(roundTrip(Serializers.LONG, Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
        assertThat(roundTrip(Serializers.DOUBLE, Math.PI)).isEqualTo(Math.PI);
        String big = "ü".repeat(100_000);
        assertThat(roundTrip(Serializers.STRING, big)).isEqualTo(big);
        assertThat(roundTrip(Serializers.BYTES, new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
    }

    @Test
    void compositesRoundTripAndKeepOrderAndNulls() throws IOException {
        TypeSerializer<List<String>> list = Serializers.listOf(Serializers.STRING);
        assertThat(roundTrip(list, List.of("a", "b", "c"))).containsExactly("a", "b", "c");
        TypeSerializer<Map<Long, String>> map = Serializers.mapOf(Serializers.LONG, Serializers.STRING);
        Map<Long, String> m = new LinkedHashMap<>();
        m.put(3L, "x");
        m.put(1L, null);
        Map<Long, String> back = roundTrip(map, m);
        assertThat(back.keySet()).containsExactly(3L, 1L);
        assertThat(back.get(3L)).isEqualTo("x");
        assertThat(back).containsKey(1L);
        assertThat(back.get(1L)).isNull();
    }

    @Test
    void copiesAreIndependent() {
        TypeSerializer<List<byte[]>> list = Serializers.listOf(Serializers.BYTES);
        List<byte[]> original = new ArrayList<>(List.of(new byte[] {1}));
        List<byte[]> copy = list.copy(original);
        copy.get(0)[0] = 9;
        copy.add(new byte[0]);
        assertThat(original).hasSize(1);
        assertThat(original.get(0)[0]).isEqualTo((byte) 1);
    }

    @Test
    void aCorruptLengthFailsWithoutAllocatingIt() {
        byte[] claimsTwoGigabytes = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0, 1, 2};
        assertThatThrownBy(() -> Serializers.BYTES.deserialize(
                new DataInputStream(new ByteArrayInputStream(claimsTwoGigabytes)))).isInstanceOf(EOFException.class);
        byte[] negative = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> Serializers.listOf(Serializers.INT).deserialize(
                new DataInputStream(new ByteArrayInputStream(negative)))).hasMessageContaining("invalid length");
    }

    @Test
    void compatibilityFollowsIdVersionAndNesting() {
        TypeSerializer<List<Long>> longs = Serializers.listOf(Serializers.LONG);
        assertThat(longs.canRead(Serializers.listOf(Serializers.LONG).snapshot())).isTrue();
        assertThat(longs.canRead(Serializers.listOf(Serializers.INT).snapshot())).isFalse();
        assertThat(Serializers.LONG.canRead(Serializers.INT.snapshot())).isFalse();
        assertThat(Serializers.mapOf(Serializers.STRING, Serializers.LONG)
                .canRead(Serializers.mapOf(Serializers.STRING, Serializers.INT).snapshot())).isFalse();
    }

    @Test
    void snapshotsRefuseAbsurdIdsAndDepth() {
        assertThatThrownBy(() -> SerializerSnapshot.of("", 1)).isInstanceOf(IllegalArgumentException.class);
        SerializerSnapshot deep = SerializerSnapshot.of("x", 1);
        for (int i = 0; i < SerializerSnapshot.MAX_DEPTH - 1; i++) {
            deep = SerializerSnapshot.of("x", 1, deep);
        }
        SerializerSnapshot tooDeep = deep;
        assertThatThrownBy(() -> SerializerSnapshot.of("x", 1, tooDeep)).hasMessageContaining("nests deeper");
    }
}
