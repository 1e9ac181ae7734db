package dev.cairn.filemerging;

import dev.cairn.blob.BlobOutputStream;
import java.util.HashSet;
import java.util.Set;

/**
 * One merged file in the store and what the manager knows of it: its committed length, the stream
 * that extends it while a checkpoint writes to it, and the checkpoints that keep it alive until
 * they are registered or aborted. Guarded by the {@link FileMergingManager}'s lock; only the
 * stream that {@linkplain #writing writes} it touches {@link #out} outside the lock.
 */
final class PhysicalFile {
    final String location;
    final String poolKey;
    /** Whether this process created it and may extend it; files of earlier runs are only read and deleted. */
    final boolean owned;
    /** Bytes made durable by a commit. */
    long committedLength;
    /** Bytes including what the open stream wrote since it was opened. */
    long length;
    /** Open while one checkpoint writes to it; null when closed. */
    BlobOutputStream out;
    /** The length when {@link #out} was opened: where an aborted append cuts back to. */
    long openedAt;
    boolean appending;
    /** A segment stream is writing it now. */
    boolean writing;
    /** A write failed: the open stream is unusable and nothing it wrote can be committed. */
    boolean broken;
    /** Takes no more segments: a checkpoint found it beyond the space bound. */
    boolean sealed;
    /** Whether a commit of this checkpoint made bytes durable that an abort must take back. */
    boolean committedBySession;
    /** The checkpoint that has it open or committed it and is not yet registered or aborted. */
    CheckpointSession holder;
    /** No registered checkpoint refers to it any more; delete once no checkpoint pins it. */
    boolean deletePending;
    final Set<Long> pins = new HashSet<>();

    PhysicalFile(String location, String poolKey, boolean owned, long committedLength) {
        this.location = location;
        this.poolKey = poolKey;
        this.owned = owned;
        this.committedLength = committedLength;
        this.length = committedLength;
    }

    boolean open() {
        return out != null;
    }

    boolean deletable() {
        return deletePending && pins.isEmpty() && out == null && holder == null;
    }

    @Override
    public String toString() {
        return location + " (" + length + " bytes)";
    }
}
