package dev.cairn.tck;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.filemerging.FileMergingManager;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The documented space bound of file merging, measured by listing the store: every physical file under
 * {@code shared/merged/} holds at most {@code maxSpaceAmplification} times the distinct bytes of its
 * segments that the retained checkpoints refer to, no merged file is unreferenced, and every referenced one
 * exists. Measure only while no checkpoint is in progress (its committed segments are not referenced yet).
 *
 * @param mergedFiles            physical files listed
 * @param storedBytes            their lengths, summed
 * @param referencedBytes        distinct bytes of them the retained checkpoints refer to
 * @param worstFileAmplification the largest stored / referenced of one file (1.0 without files)
 * @param worstFile              that file, or null
 * @param orphans                merged files that no retained checkpoint refers to
 * @param missing                referenced merged files that the listing does not show
 */
public record MergedSpaceBound(int mergedFiles, long storedBytes, long referencedBytes, double worstFileAmplification,
        String worstFile, List<String> orphans, List<String> missing) {

    /** Lists {@code storage}'s merged directory against the segments of {@code retained}. */
    public static MergedSpaceBound measure(FileCheckpointStorage storage, Collection<CompletedCheckpoint> retained) {
        return measure(storage.blobStore(), storage.mergedLocation(), retained);
    }

    /** Lists {@code mergedLocation} of {@code store} (which must list) against the segments of {@code retained}. */
    public static MergedSpaceBound measure(BlobStore store, String mergedLocation,
            Collection<CompletedCheckpoint> retained) {
        Map<String, Map<Long, Long>> live = new HashMap<>();
        for (CompletedCheckpoint cp : retained) {
            for (SegmentStateHandle s : FileCheckpointStorage.segments(cp.metadata())) {
                live.computeIfAbsent(s.physicalLocation(), k -> new TreeMap<>()).merge(s.offset(), s.length(),
                        Math::max);
            }
        }
        Map<String, Long> listed = new TreeMap<>();
        for (BlobInfo info : ((SupportsPrefixListing) store).list(mergedLocation)) {
            listed.put(info.location(), info.length());
        }
        long stored = 0;
        long referenced = 0;
        double worst = 1.0;
        String worstFile = null;
        List<String> orphans = new ArrayList<>();
        for (Map.Entry<String, Long> f : listed.entrySet()) {
            Map<Long, Long> ranges = live.get(f.getKey());
            if (ranges == null) {
                orphans.add(f.getKey());
                continue;
            }
            long bytes = FileMergingManager.distinctBytes(ranges);
            double amplification = bytes == 0 ? Double.POSITIVE_INFINITY : (double) f.getValue() / bytes;
            if (amplification > worst || worstFile == null) {
                worst = Math.max(worst, amplification);
                worstFile = f.getKey();
            }
            stored += f.getValue();
            referenced += bytes;
        }
        TreeSet<String> missing = new TreeSet<>(live.keySet());
        missing.removeAll(listed.keySet());
        return new MergedSpaceBound(listed.size(), stored, referenced, worst, worstFile, List.copyOf(orphans),
                List.copyOf(missing));
    }

    /** Stored / referenced bytes of the whole merged directory (1.0 when empty). */
    public double amplification() {
        return referencedBytes == 0 ? 1.0 : (double) storedBytes / referencedBytes;
    }

    /** Throws an {@link AssertionError} naming what breaks the bound of {@code max}. */
    public MergedSpaceBound assertWithin(double max, String when) {
        List<String> problems = new ArrayList<>();
        if (!orphans.isEmpty()) {
            problems.add(orphans.size() + " merged files that no retained checkpoint refers to, e.g. " + orphans.get(0));
        }
        if (!missing.isEmpty()) {
            problems.add(missing.size() + " referenced merged files missing, e.g. " + missing.get(0));
        }
        if (worstFileAmplification > max) {
            problems.add("merged file " + worstFile + " holds " + worstFileAmplification
                    + " x the bytes retained checkpoints refer to (bound " + max + ")");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("space bound " + when + ": " + String.join("; ", problems));
        }
        return this;
    }
}
