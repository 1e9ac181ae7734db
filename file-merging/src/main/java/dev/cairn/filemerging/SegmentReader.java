package dev.cairn.filemerging;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.ByteArraySeekableInputStream;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.StorageException;
import java.util.zip.CRC32C;

/**
 * Reads one segment with ranged reads and refuses it, naming the physical file and the segment,
 * if its bytes do not match the recorded CRC32C. A segment up to {@link #IN_MEMORY_LIMIT} bytes is
 * read in one ranged read and checked before the first byte is returned; a larger one is streamed
 * and checked as it is read: when a sequential read reaches its end, in full at the first seek
 * elsewhere, and what was not read at close.
 */
public final class SegmentReader {
    /** Segments up to this size are read and checked whole when opened. */
    public static final int IN_MEMORY_LIMIT = 1 << 20;
    private static final int CHECK_CHUNK = 64 << 10;

    private SegmentReader() {
    }

    /** Opens {@code segment} of a physical file in {@code store}. */
    public static SeekableInputStream open(BlobStore store, SegmentStateHandle segment) {
        InputBlob blob;
        try {
            blob = store.open(segment.physicalLocation());
        } catch (BlobNotFoundException e) {
            throw new CorruptCheckpointException(segment.physicalLocation(), "merged file of " + describe(segment)
                    + " does not exist", e);
        }
        if (blob.length() < segment.end()) {
            throw new CorruptCheckpointException(segment.physicalLocation(), "merged file has " + blob.length()
                    + " bytes, too few for " + describe(segment));
        }
        if (segment.length() <= IN_MEMORY_LIMIT) {
            byte[] bytes = new byte[(int) segment.length()];
            blob.readFully(segment.offset(), bytes, 0, bytes.length);
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            check(segment, crc);
            return new ByteArraySeekableInputStream(bytes);
        }
        return new Checked(blob, segment);
    }

    static void check(SegmentStateHandle segment, CRC32C crc) {
        if ((int) crc.getValue() != segment.crc32c()) {
            throw new CorruptCheckpointException(segment.physicalLocation(), describe(segment) + " has CRC32C "
                    + Integer.toHexString((int) crc.getValue()) + " but " + Integer.toHexString(segment.crc32c())
                    + " was recorded: the merged file is damaged");
        }
    }

    static String describe(SegmentStateHandle segment) {
        return "segment [" + segment.offset() + ", " + segment.end() + ")";
    }

    /** A large segment, streamed from its physical file and checked as described above. */
    private static final class Checked extends SeekableInputStream {
        private final InputBlob blob;
        private final SegmentStateHandle segment;
        private final SeekableInputStream in;
        private final CRC32C crc = new CRC32C();
        private long position;
        private long checkedUpTo;
        private boolean verified;
        private boolean closed;

        Checked(InputBlob blob, SegmentStateHandle segment) {
            this.blob = blob;
            this.segment = segment;
            this.in = blob.newStream();
            in.seek(segment.offset());
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void seek(long target) {
            if (target < 0 || target > segment.length()) {
                throw new StorageException(segment.physicalLocation() + ": seek to " + target + " outside "
                        + describe(segment) + " of " + segment.length() + " bytes");
            }
            if (target != position && !verified) {
                verifyWhole();
            }
            in.seek(segment.offset() + target);
            position = target;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            long left = segment.length() - position;
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new CorruptCheckpointException(segment.physicalLocation(), "merged file ends inside "
                        + describe(segment));
            }
            if (!verified && position == checkedUpTo) {
                crc.update(b, off, n);
                checkedUpTo += n;
                if (checkedUpTo == segment.length()) {
                    check(segment, crc);
                    verified = true;
                }
            }
            position += n;
            return n;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (!verified) {
                    verifyFrom(checkedUpTo);
                }
            } finally {
                in.close();
            }
        }

        private void verifyWhole() {
            crc.reset();
            checkedUpTo = 0;
            verifyFrom(0);
        }

        /** Reads the segment from {@code from} to its end with ranged reads and checks the CRC. */
        private void verifyFrom(long from) {
            byte[] chunk = new byte[(int) Math.min(CHECK_CHUNK, segment.length())];
            long at = from;
            while (at < segment.length()) {
                int n = (int) Math.min(chunk.length, segment.length() - at);
                blob.readFully(segment.offset() + at, chunk, 0, n);
                crc.update(chunk, 0, n);
                at += n;
            }
            checkedUpTo = at;
            check(segment, crc);
            verified = true;
        }
    }
}
