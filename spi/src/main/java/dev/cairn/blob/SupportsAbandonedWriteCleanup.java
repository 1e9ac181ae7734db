package dev.cairn.blob;

import java.util.List;

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

    /**
     * The traces of writes under {@code prefix} that were started and neither committed nor aborted, without
     * removing them: each with a location naming it (a temporary file, or an upload's key and id) and, where
     * the store knows it, when it was started or last written. A write in progress is listed too.
     */
    List<BlobInfo> findAbandonedWrites(String prefix);
}
