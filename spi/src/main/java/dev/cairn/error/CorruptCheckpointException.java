package dev.cairn.error;

/**
 * Checkpoint data (metadata, a state file, a handle) is truncated, fails its checksum,
 * has a wrong magic number, or names something it must not (a path outside the
 * checkpoint root). The message names the file and the reason; nothing was restored.
 */
public class CorruptCheckpointException extends CairnException {
    private final String file;

    public CorruptCheckpointException(String file, String reason) {
        super(file + ": " + reason);
        this.file = file;
    }

    public CorruptCheckpointException(String file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
    }

    /** The file (or location) whose content was refused. */
    public String file() {
        return file;
    }
}
