package dev.cairn.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.UnsupportedVersionException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
    private static final int MAGIC = 0xCA1A0001;

    private static byte[] sample() {
        return Envelope.seal(MAGIC, 1, new FormatWriter().writeString("hello").writeLong(42).toByteArray());
    }

    @Test
    void roundTrip() {
        Envelope.Opened opened = Envelope.open("f", "test", sample(), MAGIC, 1);
        assertThat(opened.version()).isEqualTo(1);
        assertThat(opened.body().readString("greeting", 100)).isEqualTo("hello");
        assertThat(opened.body().readLong()).isEqualTo(42);
        opened.body().expectEnd();
    }

    @Test
    void everyTruncationIsRefusedNamingTheFile() {
        byte[] full = sample();
        for (int len = 0; len < full.length; len++) {
            byte[] cut = Arrays.copyOf(full, len);
            assertThatThrownBy(() -> Envelope.open("chk-1/_metadata", "test", cut, MAGIC, 1))
                    .isInstanceOf(CorruptCheckpointException.class).hasMessageStartingWith("chk-1/_metadata: ");
        }
    }

    @Test
    void everyBitFlipIsRefused() {
        byte[] full = sample();
        for (int bit = 0; bit < full.length * 8; bit++) {
            byte[] flipped = full.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> Envelope.open("f", "test", flipped, MAGIC, 1))
                    .isInstanceOf(CorruptCheckpointException.class);
        }
    }

    @Test
    void wrongMagicAndFutureVersion() {
        assertThatThrownBy(() -> Envelope.open("f", "test", sample(), 0x12345678, 1))
                .hasMessageContaining("magic number");
        byte[] v2 = Envelope.seal(MAGIC, 2, new byte[0]);
        assertThatThrownBy(() -> Envelope.open("f", "test", v2, MAGIC, 1))
                .isInstanceOf(UnsupportedVersionException.class).hasMessageContaining("version 2");
    }

    @Test
    void readerRefusesCountsTheBytesCannotHold() {
        byte[] body = new FormatWriter().writeInt(Integer.MAX_VALUE).writeInt(1).toByteArray();
        FormatReader r = new FormatReader("f", "test", body, 0, body.length);
        assertThatThrownBy(() -> r.readCount("handles", 8)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("handles 2147483647");
        FormatReader r2 = new FormatReader("f", "test", body, 0, body.length);
        assertThatThrownBy(() -> r2.readBytes("blob")).hasMessageContaining("exceeds");
    }

    @Test
    void readerRefusesMalformedUtf8AndTrailingBytes() {
        byte[] body = new FormatWriter().writeBytes(new byte[] {(byte) 0xC3, 0x28}).writeByte(0).toByteArray();
        FormatReader r = new FormatReader("f", "test", body, 0, body.length);
        assertThatThrownBy(() -> r.readString("name", 10)).hasMessageContaining("UTF-8");
        byte[] ok = new FormatWriter().writeInt(1).writeByte(7).toByteArray();
        FormatReader r2 = new FormatReader("f", "test", ok, 0, ok.length);
        r2.readInt();
        assertThatThrownBy(r2::expectEnd).hasMessageContaining("trailing");
    }
}
