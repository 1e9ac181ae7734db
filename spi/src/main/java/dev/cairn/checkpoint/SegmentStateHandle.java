package dev.cairn.checkpoint;

import java.util.Objects;

/**
 * One logical state file stored as a range of a larger, merged physical file: {@code length} bytes
 * from {@code offset} of the blob at {@code physicalLocation}, whose CRC32C is {@code crc32c}. Many
 * segments, of one or of several checkpoints, share a physical file; it is deleted once no retained
 * checkpoint refers to any of them. A reader checks the CRC, so a flipped byte is refused.
 */
public record SegmentStateHandle(String physicalLocation, long offset, long length, int crc32c)
        implements StreamStateHandle {
    public SegmentStateHandle {
        Objects.requireNonNull(physicalLocation, "physicalLocation");
        if (offset < 0 || length < 0 || offset + length < 0) {
            throw new IllegalArgumentException("segment [" + offset + ", +" + length + ") of " + physicalLocation
                    + " is not a valid byte range");
        }
    }

    @Override
    public long stateSize() {
        return length;
    }

    /** The first byte after the segment. */
    public long end() {
        return offset + length;
    }

    @Override
    public String toString() {
        return "Segment[" + physicalLocation + " @" + offset + " +" + length + "]";
    }
}
