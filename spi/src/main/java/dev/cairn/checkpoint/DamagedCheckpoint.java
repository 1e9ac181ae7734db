package dev.cairn.checkpoint;

import dev.cairn.error.CorruptCheckpointException;
import java.util.Objects;

/**
 * A checkpoint whose {@code _metadata} exists but cannot be used: it does not parse, fails its checksum,
 * or names a state file that is missing or has the wrong size.
 *
 * @param checkpointId the id in its directory name
 * @param pointer      its directory
 * @param reason       why it was refused; the message names the file
 */
public record DamagedCheckpoint(long checkpointId, String pointer, CorruptCheckpointException reason) {
    public DamagedCheckpoint {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(reason, "reason");
    }
}
