package dev.cairn.tck;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.filemerging.FileMergingManager;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The documented space bound of file merging, measured by listing the store. With {@code N} retained
 * checkpoints and {@code k} the newest completed checkpoint that refers to a physical file, the file holds
 * at most {@code maxSpaceAmplification} times the distinct bytes of its segments that {@code k} and the
 * {@code N} checkpoints completed before it refer to (its window); no merged file is unreferenced by the
 * retained checkpoints, and every referenced one exists. Measure only while no checkpoint is in progress
 * (its committed segments are not referenced yet).
 *
 * @param mergedFiles            physical files listed
 * @param storedBytes            their lengths, summed
 * @param referencedBytes        distinct bytes of them the retained checkpoints refer to
 * @param worstFileAmplification the largest stored / window bytes of one file: what the bound limits (1.0 without files)
 * @param worstFile              that file, or null
 * @param worstLiveAmplification the largest stored / bytes the retained checkpoints refer to, of one file
 * @param orphans                merged files that no retained checkpoint refers to
 * @param missing                referenced merged files that the listing does not show
 */
public record MergedSpaceBound(int mergedFiles, long storedBytes, long referencedBytes, double worstFileAmplification,
        String worstFile, double worstLiveAmplification, List<String> orphans, List<String> missing) {

    /**
     * Lists {@code storage}'s merged directory against {@code completed}, the completed checkpoints in the order
     * they completed (at least the last {@code 2 * numRetained}), of which the last {@code numRetained} are retained.
     */
    public static MergedSpaceBound measure(FileCheckpointStorage storage, List<CompletedCheckpoint> completed,
            int numRetained) {
        return measure(storage.blobStore(), storage.mergedLocation(), completed, numRetained);
    }

    /** As {@link #measure(FileCheckpointStorage, List, int)}, on {@code mergedLocation} of {@code store} (which must list). */
    public static MergedSpaceBound measure(BlobStore store, String mergedLocation, List<CompletedCheckpoint> completed,
            int numRetained) {
        List<Map<String, Map<Long, Long>>> refs = new ArrayList<>();
        for (CompletedCheckpoint cp : completed) {
            Map<String, Map<Long, Long>> byFile = new HashMap<>();
            for (SegmentStateHandle s : FileCheckpointStorage.segments(cp.metadata())) {
                byFile.computeIfAbsent(s.physicalLocation(), k -> new TreeMap<>()).merge(s.offset(), s.length(),
                        Math::max);
            }
            refs.add(byFile);
        }
        int firstRetained = Math.max(0, refs.size() - numRetained);
        Map<String, Long> listed = new TreeMap<>();
        for (BlobInfo info : ((SupportsPrefixListing) store).list(mergedLocation)) {
            listed.put(info.location(), info.length());
        }
        long stored = 0;
        long referenced = 0;
        double worst = 1.0;
        double worstLive = 1.0;
        String worstFile = null;
        List<String> orphans = new ArrayList<>();
        Set<String> live = new HashSet<>();
        for (int i = firstRetained; i < refs.size(); i++) {
            live.addAll(refs.get(i).keySet());
        }
        for (Map.Entry<String, Long> f : listed.entrySet()) {
            String location = f.getKey();
            int newest = refs.size() - 1;
            while (newest >= firstRetained && !refs.get(newest).containsKey(location)) {
                newest--;
            }
            if (newest < firstRetained) {
                orphans.add(location);
                continue;
            }
            long liveBytes = bytesOf(location, refs.subList(firstRetained, refs.size()));
            long windowBytes = bytesOf(location, refs.subList(Math.max(0, newest - numRetained), newest + 1));
            double amplification = (double) f.getValue() / windowBytes;
            if (amplification > worst || worstFile == null) {
                worst = Math.max(worst, amplification);
                worstFile = location;
            }
            worstLive = Math.max(worstLive, (double) f.getValue() / liveBytes);
            stored += f.getValue();
            referenced += liveBytes;
        }
        TreeSet<String> missing = new TreeSet<>(live);
        missing.removeAll(listed.keySet());
        return new MergedSpaceBound(listed.size(), stored, referenced, worst, worstFile, worstLive,
                List.copyOf(orphans), List.copyOf(missing));
    }

    private static long bytesOf(String location, List<Map<String, Map<Long, Long>>> checkpoints) {
        Map<Long, Long> ranges = new HashMap<>();
        for (Map<String, Map<Long, Long>> byFile : checkpoints) {
            Map<Long, Long> r = byFile.get(location);
            if (r != null) {
                r.forEach((offset, length) -> ranges.merge(offset, length, Math::max));
            }
        }
        return FileMergingManager.distinctBytes(ranges);
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
                    + " x the bytes that the newest checkpoint referring to it and the " + "checkpoints retained"
                    + " when it was taken refer to (bound " + max + ")");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("space bound " + when + ": " + String.join("; ", problems));
        }
        return this;
    }
}
