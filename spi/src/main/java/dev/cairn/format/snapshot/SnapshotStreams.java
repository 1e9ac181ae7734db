package dev.cairn.format.snapshot;

import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.StorageException;
import java.io.EOFException;
import java.nio.ByteBuffer;

/**
 * Frames shared by the snapshot formats: a 4-byte length followed by an {@link dev.cairn.format.Envelope}.
 * Reading checks the length against the stream before allocating and turns a short stream into a
 * {@link CorruptCheckpointException} naming the stream.
 */
public final class SnapshotStreams {
    /** Magic of the header of a keyed snapshot stream ("CKSH"). */
    public static final int KEYED_HEADER_MAGIC = 0x434B5348;
    /** Magic of a key-group block ("CKSB"). */
    public static final int KEYED_BLOCK_MAGIC = 0x434B5342;
    /** Magic of the header of an operator snapshot stream ("COSH"). */
    public static final int OPERATOR_HEADER_MAGIC = 0x434F5348;
    /** Magic of one operator state element ("COSE"). */
    public static final int OPERATOR_ELEMENT_MAGIC = 0x434F5345;
    /** The format version this build writes and the newest it reads. */
    public static final int VERSION = 1;
    /** Largest header accepted. */
    public static final int MAX_HEADER_BYTES = 64 << 20;

    private SnapshotStreams() {
    }

    /** How errors name a stream: its location, or {@code inline state <operatorId>} for inline state. */
    public static String describe(StreamStateHandle handle, String operatorId) {
        if (handle instanceof FileStateHandle file) {
            return file.location();
        }
        if (handle instanceof InlineStateHandle) {
            return "inline state " + operatorId;
        }
        return handle + " of operator " + operatorId;
    }

    /** Writes {@code frame} preceded by its length; returns the position the frame starts at. */
    static long writeFrame(CheckpointStateOutputStream out, byte[] frame) {
        long position = out.position();
        out.write(ByteBuffer.allocate(4).putInt(frame.length).array());
        out.write(frame);
        return position;
    }

    /**
     * Reads the length-prefixed frame at {@code offset}: the offset and the length must lie within
     * {@code streamLength} and the length within {@code maxBytes}, so nothing larger than the stream
     * is ever allocated.
     */
    static byte[] readFrame(SeekableInputStream in, String file, String what, long offset, long streamLength,
            int maxBytes) {
        if (offset < 0 || offset > streamLength - 4) {
            throw new CorruptCheckpointException(file, what + " offset " + offset + " outside the stream of "
                    + streamLength + " bytes");
        }
        in.seek(offset);
        byte[] lengthBytes = new byte[4];
        readFully(in, file, what, lengthBytes);
        int length = ByteBuffer.wrap(lengthBytes).getInt();
        long available = streamLength - offset - 4;
        if (length < 0 || length > available || length > maxBytes) {
            throw new CorruptCheckpointException(file, what + " at offset " + offset + " declares " + length
                    + " bytes, but the stream has " + available + " bytes left (limit " + maxBytes + ")");
        }
        byte[] frame = new byte[length];
        readFully(in, file, what, frame);
        return frame;
    }

    private static void readFully(SeekableInputStream in, String file, String what, byte[] into) {
        try {
            in.readFully(into, 0, into.length);
        } catch (StorageException e) {
            if (e.getCause() instanceof EOFException) {
                throw new CorruptCheckpointException(file, what + " is truncated: the stream ends at "
                        + in.position(), e);
            }
            throw e;
        }
    }
}
