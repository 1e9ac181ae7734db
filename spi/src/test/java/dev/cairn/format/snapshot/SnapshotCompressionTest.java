package dev.cairn.format.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.error.CorruptCheckpointException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SnapshotCompressionTest {
    private static final byte[] DATA = "the same words again and again, ".repeat(500).getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest
    @EnumSource(SnapshotCompression.class)
    void roundTrip(SnapshotCompression codec) {
        byte[] compressed = codec.compress(DATA, 0, DATA.length);
        if (codec != SnapshotCompression.NONE) {
            assertThat(compressed.length).isLessThan(DATA.length / 4);
        }
        assertThat(codec.decompress("f", compressed, 0, compressed.length, DATA.length)).isEqualTo(DATA);
        assertThat(SnapshotCompression.ofCode(codec.code())).isEqualTo(codec);
    }

    @ParameterizedTest
    @EnumSource(SnapshotCompression.class)
    void wrongDeclaredLengthRefused(SnapshotCompression codec) {
        byte[] compressed = codec.compress(DATA, 0, DATA.length);
        assertThatThrownBy(() -> codec.decompress("f", compressed, 0, compressed.length, DATA.length - 1))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageStartingWith("f: ");
    }

    @ParameterizedTest
    @EnumSource(SnapshotCompression.class)
    void declaredLengthBeyondTheCodecsRatioRefusedWithoutAllocating(SnapshotCompression codec) {
        assertThatThrownBy(() -> codec.decompress("f", new byte[10], 0, 10, Integer.MAX_VALUE - 100))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("outside");
    }

    @ParameterizedTest
    @EnumSource(value = SnapshotCompression.class, names = {"LZ4", "SNAPPY"})
    void garbageRefused(SnapshotCompression codec) {
        byte[] garbage = new byte[64];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (i * 37 + 11);
        }
        assertThatThrownBy(() -> codec.decompress("f", garbage, 0, garbage.length, 1000))
                .isInstanceOf(CorruptCheckpointException.class);
    }

    @Test
    void parse() {
        assertThat(SnapshotCompression.parse(" Lz4 ")).isEqualTo(SnapshotCompression.LZ4);
        assertThat(SnapshotCompression.ofCode(77)).isNull();
        assertThatThrownBy(() -> SnapshotCompression.parse("zip")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zip");
    }
}
