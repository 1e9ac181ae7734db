package dev.cairn.format.snapshot;

import dev.cairn.error.CorruptCheckpointException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.xerial.snappy.Snappy;

/**
 * The codecs a snapshot block can be compressed with. The code is what is written to the
 * stream; decompression never allocates more than the uncompressed length the block declares,
 * and that length is itself capped by {@link #maxUncompressedLength(int)}.
 */
public enum SnapshotCompression {
    NONE(0, 1),
    LZ4(1, 255),
    SNAPPY(2, 32);

    /** Largest uncompressed block this build writes or reads. */
    public static final int MAX_BLOCK_BYTES = Integer.MAX_VALUE - 64;

    private static final LZ4Compressor LZ4_COMPRESSOR = LZ4Factory.fastestJavaInstance().fastCompressor();
    private static final LZ4SafeDecompressor LZ4_DECOMPRESSOR = LZ4Factory.safeInstance().safeDecompressor();

    private final int code;
    private final int maxRatio;

    SnapshotCompression(int code, int maxRatio) {
        this.code = code;
        this.maxRatio = maxRatio;
    }

    /** The stable code written to snapshots. */
    public int code() {
        return code;
    }

    /** The codec for a stored code, or {@code null} if unknown. */
    public static SnapshotCompression ofCode(int code) {
        for (SnapshotCompression c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }

    /** Parses a configuration value ({@code none}, {@code lz4}, {@code snappy}, any case). */
    public static SnapshotCompression parse(String value) {
        for (SnapshotCompression c : values()) {
            if (c.name().equalsIgnoreCase(value.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown compression '" + value + "', expected one of "
                + Arrays.toString(values()).toLowerCase(Locale.ROOT));
    }

    /**
     * The largest uncompressed length a block of {@code compressedLength} bytes can honestly
     * decode to with this codec (its worst-case expansion ratio), bounded by {@link #MAX_BLOCK_BYTES}.
     */
    public int maxUncompressedLength(int compressedLength) {
        return (int) Math.min(MAX_BLOCK_BYTES, (long) compressedLength * maxRatio + 64);
    }

    /** Compresses {@code data[off, off+len)}; {@link #NONE} returns a copy. */
    public byte[] compress(byte[] data, int off, int len) {
        switch (this) {
            case NONE:
                return Arrays.copyOfRange(data, off, off + len);
            case LZ4: {
                byte[] out = new byte[LZ4_COMPRESSOR.maxCompressedLength(len)];
                int n = LZ4_COMPRESSOR.compress(data, off, len, out, 0, out.length);
                return Arrays.copyOf(out, n);
            }
            case SNAPPY: {
                byte[] out = new byte[Snappy.maxCompressedLength(len)];
                try {
                    int n = Snappy.rawCompress(data, off, len, out, 0);
                    return Arrays.copyOf(out, n);
                } catch (IOException e) {
                    throw new UncheckedIOException("snappy compression failed", e);
                }
            }
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * Decompresses {@code src[off, off+len)} into exactly {@code uncompressedLength} bytes.
     * Fails with a {@link CorruptCheckpointException} naming {@code file} if the length exceeds
     * the cap or the data does not decode to exactly that many bytes.
     */
    public byte[] decompress(String file, byte[] src, int off, int len, int uncompressedLength) {
        if (uncompressedLength < 0 || uncompressedLength > maxUncompressedLength(len)) {
            throw new CorruptCheckpointException(file, "uncompressed length " + uncompressedLength + " of a "
                    + len + "-byte " + this + " block is outside [0, " + maxUncompressedLength(len) + "]");
        }
        switch (this) {
            case NONE:
                if (len != uncompressedLength) {
                    throw new CorruptCheckpointException(file, "uncompressed block declares " + uncompressedLength
                            + " bytes but holds " + len);
                }
                return Arrays.copyOfRange(src, off, off + len);
            case LZ4: {
                byte[] out = new byte[uncompressedLength];
                int n;
                try {
                    n = LZ4_DECOMPRESSOR.decompress(src, off, len, out, 0, uncompressedLength);
                } catch (LZ4Exception | ArrayIndexOutOfBoundsException e) {
                    throw new CorruptCheckpointException(file, "LZ4 block does not decode: " + e.getMessage(), e);
                }
                if (n != uncompressedLength) {
                    throw new CorruptCheckpointException(file, "LZ4 block decodes to " + n + " bytes, declared "
                            + uncompressedLength);
                }
                return out;
            }
            case SNAPPY: {
                try {
                    if (!Snappy.isValidCompressedBuffer(src, off, len)) {
                        throw new CorruptCheckpointException(file, "Snappy block does not decode");
                    }
                    int n = Snappy.uncompressedLength(src, off, len);
                    if (n != uncompressedLength) {
                        throw new CorruptCheckpointException(file, "Snappy block decodes to " + n
                                + " bytes, declared " + uncompressedLength);
                    }
                    byte[] out = new byte[uncompressedLength];
                    Snappy.uncompress(src, off, len, out, 0);
                    return out;
                } catch (IOException e) {
                    throw new CorruptCheckpointException(file, "Snappy block does not decode: " + e.getMessage(), e);
                }
            }
            default:
                throw new AssertionError(this);
        }
    }
}
