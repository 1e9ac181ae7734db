package dev.cairn.filemerging;

/**
 * What a {@link FileMergingManager} has done and holds, at one moment. Counters ({@code created…},
 * {@code segments…}) only grow; the {@code live…} figures are the physical files this process knows
 * and the bytes of their segments that registered checkpoints refer to.
 *
 * @param physicalFilesCreated  new physical files opened on the store (create calls)
 * @param appendsOpened         committed physical files reopened to take more segments
 * @param segmentsWritten       segments committed by writers
 * @param segmentBytesWritten   bytes of those segments
 * @param physicalFilesDeleted  physical files deleted because no checkpoint referred to them
 * @param reuploadsForced       reused segments refused because their file held too little live data
 * @param waits                 times a writer waited for a file of a blocking pool
 * @param maxOpenFilesPerPool   the most files one pool had open at once
 * @param boundExceeded         files a checkpoint referred to beyond the bound because its backend reused
 *                              state without asking {@code reusable} (0 with Cairn's backends)
 * @param livePhysicalFiles     physical files known and not deleted
 * @param livePhysicalBytes     their committed bytes
 * @param referencedBytes       distinct segment bytes that registered checkpoints refer to
 */
public record FileMergingStats(long physicalFilesCreated, long appendsOpened, long segmentsWritten,
        long segmentBytesWritten, long physicalFilesDeleted, long reuploadsForced, long waits, int maxOpenFilesPerPool,
        long boundExceeded, int livePhysicalFiles, long livePhysicalBytes, long referencedBytes) {

    /** Live physical bytes per referenced byte; 1.0 when nothing is referenced. */
    public double spaceAmplification() {
        return referencedBytes == 0 ? (livePhysicalBytes == 0 ? 1.0 : Double.POSITIVE_INFINITY)
                : (double) livePhysicalBytes / referencedBytes;
    }
}
