package dev.cairn.blob;

/**
 * A blob store whose writes leave traces before their commit (a temporary file, an open multipart
 * upload) that a process killed in the middle of a write never removes, and that can find and remove
 * them. Checkpoint storage calls it when a job takes over its directory after a crash.
 */
public interface SupportsAbandonedWriteCleanup {
    /**
     * Removes the traces of every write under {@code prefix} that was started and neither committed nor
     * aborted. Only call while no writer is active under {@code prefix}: a write in progress there is
     * indistinguishable from an abandoned one.
     *
     * @return how many abandoned writes were removed
     */
    int removeAbandonedWrites(String prefix);
}
