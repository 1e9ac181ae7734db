package dev.cairn.format;

import dev.cairn.error.CorruptCheckpointException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Reads a body of bytes that came from storage and trusts none of it: every length and count
 * is checked against the bytes that remain before anything is allocated, and every failure is
 * a {@link CorruptCheckpointException} naming the file, the offset and the reason.
 */
public final class FormatReader {
    private final String file;
    private final String formatName;
    private final byte[] bytes;
    private final int start;
    private final int end;
    private int pos;

    public FormatReader(String file, String formatName, byte[] bytes, int off, int len) {
        this.file = file;
        this.formatName = formatName;
        this.bytes = bytes;
        this.start = off;
        this.end = off + len;
        this.pos = off;
    }

    public String file() {
        return file;
    }

    /** Bytes left to read. */
    public int remaining() {
        return end - pos;
    }

    /** Offset within the body. */
    public int offset() {
        return pos - start;
    }

    public int readUnsignedByte() {
        need(1, "a byte");
        return bytes[pos++] & 0xFF;
    }

    public boolean readBoolean() {
        int b = readUnsignedByte();
        if (b > 1) {
            throw corrupt("invalid boolean " + b);
        }
        return b == 1;
    }

    public int readInt() {
        need(4, "an int");
        int v = ByteBuffer.wrap(bytes, pos, 4).getInt();
        pos += 4;
        return v;
    }

    public long readLong() {
        need(8, "a long");
        long v = ByteBuffer.wrap(bytes, pos, 8).getLong();
        pos += 8;
        return v;
    }

    /** A non-negative long no larger than {@code max}. */
    public long readLong(String what, long max) {
        long v = readLong();
        if (v < 0 || v > max) {
            throw corrupt(what + " " + v + " outside [0, " + max + "]");
        }
        return v;
    }

    /** An int in {@code [min, max]}. */
    public int readInt(String what, int min, int max) {
        int v = readInt();
        if (v < min || v > max) {
            throw corrupt(what + " " + v + " outside [" + min + ", " + max + "]");
        }
        return v;
    }

    /**
     * A count of items that each take at least {@code minBytesPerItem} bytes; refused if the
     * remaining bytes cannot hold that many, so a crafted count never drives an allocation.
     */
    public int readCount(String what, int minBytesPerItem) {
        int n = readInt();
        if (n < 0) {
            throw corrupt("negative " + what + " " + n);
        }
        if ((long) n * Math.max(1, minBytesPerItem) > remaining()) {
            throw corrupt(what + " " + n + " exceeds what the remaining " + remaining() + " bytes can hold");
        }
        return n;
    }

    /** A length-prefixed byte array. */
    public byte[] readBytes(String what) {
        int n = readCount(what + " length", 1);
        byte[] b = new byte[n];
        System.arraycopy(bytes, pos, b, 0, n);
        pos += n;
        return b;
    }

    /** A length-prefixed UTF-8 string of at most {@code maxChars} bytes; malformed UTF-8 is refused. */
    public String readString(String what, int maxBytes) {
        int n = readCount(what + " length", 1);
        if (n > maxBytes) {
            throw corrupt(what + " of " + n + " bytes is longer than the limit " + maxBytes);
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, pos, n)).toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw corrupt(what + " is not valid UTF-8");
        }
    }

    /** Fails unless every byte was consumed. */
    public void expectEnd() {
        if (pos != end) {
            throw corrupt((end - pos) + " unexpected trailing bytes");
        }
    }

    /** An error naming the file, the format and the current offset. */
    public CorruptCheckpointException corrupt(String reason) {
        return new CorruptCheckpointException(file, formatName + " at offset " + offset() + ": " + reason);
    }

    private void need(int n, String what) {
        if (end - pos < n) {
            throw corrupt("truncated: expected " + what + ", " + (end - pos) + " bytes left");
        }
    }
}
