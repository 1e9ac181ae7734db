package dev.cairn.format;

/**
 * The checkpoint-id floor of a job directory ({@code <job>/_checkpoint-id-floor}): the highest checkpoint id
 * whose traces were deleted while newer ones were not yet written, so that new ids stay above it.
 * {@code envelope(MAGIC, v1, highestCheckpointId:int64)}.
 */
public final class IdFloorFormat {
    public static final int MAGIC = 0x43414946;
    public static final int VERSION = 1;
    private static final String FORMAT_NAME = "checkpoint-id floor";

    private IdFloorFormat() {
    }

    public static byte[] write(long highestCheckpointId) {
        return Envelope.seal(MAGIC, VERSION, new FormatWriter().writeLong(highestCheckpointId).toByteArray());
    }

    /** @throws dev.cairn.error.CorruptCheckpointException naming {@code file} if the bytes are not a sound record */
    public static long read(String file, byte[] bytes) {
        FormatReader in = Envelope.open(file, FORMAT_NAME, bytes, MAGIC, VERSION).body();
        long id = in.readLong("highest checkpoint id", Long.MAX_VALUE);
        in.expectEnd();
        return id;
    }
}
