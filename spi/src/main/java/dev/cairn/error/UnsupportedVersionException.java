package dev.cairn.error;

/** Checkpoint data was written in a format version this build cannot read. */
public class UnsupportedVersionException extends CorruptCheckpointException {
    private final int version;

    public UnsupportedVersionException(String file, String format, int version, int supported) {
        super(file, format + " format version " + version + " is not supported (this build reads up to "
                + supported + ")");
        this.version = version;
    }

    public int version() {
        return version;
    }
}
