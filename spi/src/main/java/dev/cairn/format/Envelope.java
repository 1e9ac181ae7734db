package dev.cairn.format;

import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.UnsupportedVersionException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The frame of every Cairn binary file or block: {@code magic (4) | version (2) | body |
 * crc32c (4)}, the checksum covering everything before it. {@link #open} checks, in order,
 * length, magic, checksum and version, so a bit flip anywhere is a corruption and an intact
 * file of a newer version is reported as such.
 */
public final class Envelope {
    /** Bytes the frame adds around the body. */
    public static final int OVERHEAD = 4 + 2 + 4;

    private Envelope() {
    }

    /** Frames {@code body[off, off+len)}. */
    public static byte[] seal(int magic, int version, byte[] body, int off, int len) {
        if (version < 0 || version > 0xFFFF) {
            throw new IllegalArgumentException("version " + version);
        }
        ByteBuffer out = ByteBuffer.allocate(OVERHEAD + len);
        out.putInt(magic).putShort((short) version).put(body, off, len);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    public static byte[] seal(int magic, int version, byte[] body) {
        return seal(magic, version, body, 0, body.length);
    }

    /**
     * Validates a frame and returns its version and body.
     *
     * @param file       named in errors
     * @param formatName named in errors, e.g. "checkpoint metadata"
     * @param maxVersion the newest version this build reads
     */
    public static Opened open(String file, String formatName, byte[] bytes, int magic, int maxVersion) {
        return open(file, formatName, bytes, 0, bytes.length, magic, maxVersion);
    }

    public static Opened open(String file, String formatName, byte[] bytes, int off, int len, int magic,
            int maxVersion) {
        if (len < OVERHEAD) {
            throw new CorruptCheckpointException(file, formatName + " is truncated: " + len
                    + " bytes, fewer than the " + OVERHEAD + "-byte frame");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, off, len);
        int actualMagic = in.getInt();
        if (actualMagic != magic) {
            throw new CorruptCheckpointException(file, String.format(
                    "not a %s file: magic number 0x%08x, expected 0x%08x", formatName, actualMagic, magic));
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, off, len - 4);
        int stored = ByteBuffer.wrap(bytes, off + len - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new CorruptCheckpointException(file, String.format(
                    "%s checksum mismatch (stored 0x%08x, computed 0x%08x): the file is corrupt or truncated",
                    formatName, stored, (int) crc.getValue()));
        }
        int version = in.getShort() & 0xFFFF;
        if (version == 0 || version > maxVersion) {
            throw new UnsupportedVersionException(file, formatName, version, maxVersion);
        }
        return new Opened(version, new FormatReader(file, formatName, bytes, off + 6, len - OVERHEAD));
    }

    /** A validated frame: its version and a bounded reader over its body. */
    public record Opened(int version, FormatReader body) {
    }
}
