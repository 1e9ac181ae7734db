package dev.cairn.cli.ops;

import dev.cairn.blob.BlobInfo;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@code cairn gc} deletes and keeps of the unreferenced files of a job directory, and why: only files
 * Cairn writes (checkpoint directories without sound metadata, shared and merged files, stale leases), none
 * modified within the grace period, none a damaged checkpoint or an unreadable one elsewhere may refer to.
 */
record GcPlan(List<GcCommand.Decision> decisions, List<String> toDelete, long bytesToDelete,
        int abandonedWritesToRemove, int kept) {

    static GcPlan of(String jobDir, CheckpointCatalog job, List<BlobInfo> unreferenced, List<BlobInfo> abandoned,
            Instant now, Duration grace, boolean deleteDamaged, boolean unreadableElsewhere) {
        Set<Long> damaged = job.damaged().stream().filter(e -> !e.savepoint())
                .map(CheckpointCatalog.Entry::checkpointId).collect(Collectors.toSet());
        boolean sharedAtRisk = (!damaged.isEmpty() && !deleteDamaged) || unreadableElsewhere;
        String sharedReason = unreadableElsewhere ? "an unreadable checkpoint elsewhere may refer to it"
                : "a damaged checkpoint may refer to it; --delete-damaged deletes it";
        Set<Long> completedSince = new HashSet<>();
        for (BlobInfo file : unreferenced) {
            Long id = checkpointIdOf(jobDir, file);
            if (id != null && !damaged.contains(id) && file.location().endsWith("/_metadata")) {
                completedSince.add(id);
            }
        }
        List<GcCommand.Decision> decisions = new ArrayList<>();
        for (BlobInfo file : unreferenced) {
            String rest = file.location().substring(jobDir.length());
            Long id = checkpointIdOf(jobDir, file);
            String shared = FileCheckpointStorage.SHARED_DIR + "/";
            String kind;
            String keep = null;
            if (rest.startsWith("_lease-")) {
                kind = "stale lease";
            } else if (id != null && damaged.contains(id)) {
                kind = "damaged checkpoint " + id;
                keep = deleteDamaged ? null : "damaged; --delete-damaged deletes it";
            } else if (id != null && completedSince.contains(id)) {
                kind = "checkpoint " + id;
                keep = "completed after gc read the directory; run gc again";
            } else if (id != null) {
                kind = "checkpoint " + id + " without _metadata";
            } else if (rest.startsWith(shared + FileCheckpointStorage.MERGED_DIR + "/")) {
                kind = "merged file nobody refers to";
                keep = sharedAtRisk ? sharedReason : null;
            } else if (rest.startsWith(shared)) {
                kind = "shared file nobody refers to";
                keep = sharedAtRisk ? sharedReason : null;
            } else if (rest.startsWith(FileCheckpointStorage.TASK_OWNED_DIR + "/")) {
                kind = "task-owned file nobody refers to";
            } else {
                kind = "other file";
                keep = "not a file Cairn writes";
            }
            if (keep == null) {
                keep = young(file, now, grace);
            }
            decisions.add(new GcCommand.Decision(file, kind, keep == null, keep));
        }
        String youngWrite = null;
        for (BlobInfo write : abandoned) {
            youngWrite = youngWrite != null ? youngWrite : young(write, now, grace);
        }
        for (BlobInfo write : abandoned) {
            decisions.add(new GcCommand.Decision(write, "abandoned write", youngWrite == null,
                    youngWrite == null ? null : "a write under the job directory is " + youngWrite.replace(
                            "modified", "started or modified")));
        }
        List<String> toDelete = new ArrayList<>();
        long bytes = 0;
        int kept = 0;
        for (GcCommand.Decision d : decisions) {
            if (!d.delete()) {
                kept++;
            } else if (!d.kind().equals("abandoned write")) {
                toDelete.add(d.file().location());
                bytes += d.file().length();
            }
        }
        return new GcPlan(List.copyOf(decisions), List.copyOf(toDelete), bytes,
                youngWrite == null ? abandoned.size() : 0, kept);
    }

    private static Long checkpointIdOf(String jobDir, BlobInfo file) {
        String rest = file.location().substring(jobDir.length());
        int slash = rest.indexOf('/');
        return slash > 0 ? FileCheckpointStorage.parseId(rest.substring(0, slash)) : null;
    }

    /** Why {@code file} is too young to delete, or {@code null} if it is not. */
    private static String young(BlobInfo file, Instant now, Duration grace) {
        if (grace.isZero()) {
            return null;
        }
        if (file.modified().isEmpty()) {
            return "its store does not say when it was modified; --grace 0 deletes it";
        }
        Duration age = Duration.between(file.modified().get(), now);
        return age.compareTo(grace) < 0 ? "modified " + age.toSeconds() + " s ago, within the grace period of "
                + grace.toSeconds() + " s" : null;
    }
}
