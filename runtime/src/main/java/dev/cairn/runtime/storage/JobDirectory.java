package dev.cairn.runtime.storage;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SupportsAbandonedWriteCleanup;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.checkpoint.CheckpointScan;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.DamagedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.JobEnd;
import dev.cairn.checkpoint.StateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.StorageException;
import dev.cairn.format.IdFloorFormat;
import dev.cairn.format.JobEndFormat;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The whole-directory operations of {@link FileCheckpointStorage}: scanning a job directory (sound and
 * damaged checkpoints, the highest id of any trace, the job-end record), writing the job-end record,
 * and deleting what no kept checkpoint refers to without lowering the highest id (the id floor record
 * {@code _checkpoint-id-floor} keeps it when the traces that carried it are deleted). The leases of the
 * storage's own open holds ({@link JobDirectoryLeases}) survive every clean-up; other holders' leases do not.
 * Every operation lists the directory, so the blob store must implement {@link SupportsPrefixListing}.
 */
final class JobDirectory {
    static final String JOB_END_FILE_NAME = "_job-ended";
    static final String ID_FLOOR_FILE_NAME = "_checkpoint-id-floor";
    private static final int MAX_JOB_END_SIZE = 1024 * 1024;
    private static final int MAX_ID_FLOOR_SIZE = 64;

    private final BlobStore store;
    private final String jobDir;
    private final Function<String, CompletedCheckpoint> resolver;
    private final JobDirectoryLeases leases;

    JobDirectory(BlobStore store, String jobDir, Function<String, CompletedCheckpoint> resolver,
            JobDirectoryLeases leases) {
        this.store = store;
        this.jobDir = jobDir;
        this.resolver = resolver;
        this.leases = leases;
    }

    String jobEndLocation() {
        return jobDir + JOB_END_FILE_NAME;
    }

    String idFloorLocation() {
        return jobDir + ID_FLOOR_FILE_NAME;
    }

    /** The highest id of any trace, from one listing (and the small records); nothing is resolved. */
    long highestCheckpointId() {
        long highest = 0;
        for (BlobInfo info : list()) {
            String rest = info.location().substring(jobDir.length());
            if (rest.equals(JOB_END_FILE_NAME)) {
                highest = Math.max(highest, readJobEnd().map(JobEnd::lastCheckpointId).orElse(0L));
            } else if (rest.equals(ID_FLOOR_FILE_NAME)) {
                highest = Math.max(highest, readIdFloor());
            } else {
                highest = Math.max(highest, checkpointIdOf(info.location()));
            }
        }
        return highest;
    }

    CheckpointScan scan() {
        TreeMap<Long, String> withMetadata = new TreeMap<>();
        long highest = 0;
        boolean hasJobEnd = false;
        String metadataSuffix = "/" + FileCheckpointStorage.METADATA_FILE_NAME;
        for (BlobInfo info : list()) {
            String location = info.location();
            String rest = location.substring(jobDir.length());
            if (rest.equals(JOB_END_FILE_NAME)) {
                hasJobEnd = true;
            } else if (rest.equals(ID_FLOOR_FILE_NAME)) {
                highest = Math.max(highest, readIdFloor());
            } else {
                long id = checkpointIdOf(location);
                highest = Math.max(highest, id);
                boolean isMetadata = rest.endsWith(metadataSuffix)
                        && rest.indexOf('/') == rest.length() - metadataSuffix.length();
                if (id >= 0 && isMetadata) {
                    withMetadata.put(id, location.substring(0, location.length() - metadataSuffix.length()));
                }
            }
        }
        List<CompletedCheckpoint> completed = new ArrayList<>();
        List<DamagedCheckpoint> damaged = new ArrayList<>();
        for (var e : withMetadata.entrySet()) {
            try {
                completed.add(resolver.apply(e.getValue()));
            } catch (CorruptCheckpointException refused) {
                damaged.add(new DamagedCheckpoint(e.getKey(), e.getValue(), refused));
            } catch (CheckpointException vanished) {
                if (!(vanished.getCause() instanceof BlobNotFoundException)) {
                    throw vanished;
                }
            }
        }
        Optional<JobEnd> end = hasJobEnd ? readJobEnd() : Optional.empty();
        return new CheckpointScan(completed, damaged, highest, end);
    }

    private Optional<JobEnd> readJobEnd() {
        return read(jobEndLocation(), "job-end record", MAX_JOB_END_SIZE)
                .map(b -> JobEndFormat.read(jobEndLocation(), b));
    }

    /** The id floor, or 0 without one. */
    private long readIdFloor() {
        return read(idFloorLocation(), "checkpoint-id floor", MAX_ID_FLOOR_SIZE)
                .map(b -> IdFloorFormat.read(idFloorLocation(), b)).orElse(0L);
    }

    private Optional<byte[]> read(String file, String what, int maxSize) {
        InputBlob blob;
        try {
            blob = store.open(file);
        } catch (BlobNotFoundException e) {
            return Optional.empty();
        }
        long length = blob.length();
        if (length > maxSize) {
            throw new CorruptCheckpointException(file, what + " of " + length + " bytes exceeds " + maxSize
                    + " bytes; delete it if the job should be resumed");
        }
        byte[] bytes = new byte[(int) length];
        blob.readFully(0, bytes, 0, bytes.length);
        return Optional.of(bytes);
    }

    /** Replaces the job-end record. */
    void markJobEnded(JobEnd end) {
        replace(jobEndLocation(), JobEndFormat.write(end));
    }

    /** Deletes (if present), then creates and commits {@code file}: a crash in between leaves no record. */
    private void replace(String file, byte[] bytes) {
        if (store.exists(file)) {
            store.delete(file);
        }
        try (BlobOutputStream out = store.create(file)) {
            out.write(bytes);
            BlobInfo info = out.commit();
            if (info.length() != bytes.length) {
                throw new StorageException(file + ": the store committed " + info.length() + " bytes of "
                        + bytes.length);
            }
        }
    }

    /**
     * Deletes what {@code keep} does not reference, never lowering the highest id a scan reports: if the
     * deleted traces carry a higher id than what is kept (a checkpoint that never completed, newer than the
     * claimed one), the id floor record is written first; a floor that what is kept covers is deleted last.
     */
    List<String> removeUnreferenced(Collection<CompletedCheckpoint> keep) {
        List<BlobInfo> listing = list();
        Set<String> referenced = referencedBy(keep);
        List<String> files = new ArrayList<>();
        for (BlobInfo info : listing) {
            if (!referenced.contains(info.location()) && !leases.isHeld(info.location())) {
                files.add(info.location());
            }
        }
        return delete(keep, listing, files, true);
    }

    /**
     * The files of the job directory that neither {@code keep} nor {@code alsoReferenced} refers to, the
     * job's own records excepted: what {@link #removeUnreferenced} would delete, without deleting.
     */
    List<BlobInfo> unreferenced(Collection<CompletedCheckpoint> keep, Set<String> alsoReferenced) {
        Set<String> referenced = referencedBy(keep);
        referenced.addAll(alsoReferenced);
        List<BlobInfo> found = new ArrayList<>();
        for (BlobInfo info : list()) {
            if (!referenced.contains(info.location()) && !leases.isHeld(info.location())) {
                found.add(info);
            }
        }
        return found;
    }

    /**
     * Deletes {@code files}, which must lie in the job directory and be neither records nor referenced by
     * {@code keep}, in the order and with the id floor of {@link #removeUnreferenced}.
     */
    List<String> remove(Collection<CompletedCheckpoint> keep, Collection<String> files) {
        Set<String> referenced = referencedBy(keep);
        for (String file : files) {
            if (!file.startsWith(jobDir)) {
                throw new StorageException(file + " lies outside the job directory " + jobDir + "; not deleted");
            }
            if (referenced.contains(file)) {
                throw new StorageException(file + " is referenced by a kept checkpoint or is a record of the job"
                        + " directory; not deleted");
            }
        }
        return delete(keep, list(), files, false);
    }

    private Set<String> referencedBy(Collection<CompletedCheckpoint> keep) {
        Set<String> referenced = new HashSet<>();
        referenced.add(jobEndLocation());
        referenced.add(idFloorLocation());
        for (CompletedCheckpoint checkpoint : keep) {
            referenced.add(metadataOf(checkpoint.pointer()));
            for (StateHandle handle : checkpoint.metadata().allHandles()) {
                for (StreamStateHandle stream : handle.streams()) {
                    if (stream instanceof FileStateHandle f) {
                        referenced.add(f.location());
                    } else if (stream instanceof SegmentStateHandle s) {
                        referenced.add(s.physicalLocation());
                    }
                }
            }
        }
        return referenced;
    }

    private List<String> delete(Collection<CompletedCheckpoint> keep, List<BlobInfo> listing,
            Collection<String> files, boolean abandonedWrites) {
        long covered = 0;
        for (CompletedCheckpoint checkpoint : keep) {
            covered = Math.max(covered, checkpoint.checkpointId());
        }
        boolean hasFloor = false;
        for (BlobInfo info : listing) {
            if (info.location().equals(idFloorLocation())) {
                hasFloor = true;
            } else if (info.location().equals(jobEndLocation())) {
                covered = Math.max(covered, readJobEnd().map(JobEnd::lastCheckpointId).orElse(0L));
            }
        }
        List<String> metadata = new ArrayList<>();
        List<String> others = new ArrayList<>();
        long highestDeleted = 0;
        for (String location : files) {
            highestDeleted = Math.max(highestDeleted, checkpointIdOf(location));
            (location.endsWith("/" + FileCheckpointStorage.METADATA_FILE_NAME) ? metadata : others).add(location);
        }
        long floor = hasFloor ? readIdFloor() : 0;
        if (highestDeleted > Math.max(covered, floor)) {
            replace(idFloorLocation(), IdFloorFormat.write(highestDeleted));
            floor = highestDeleted;
        }
        BlobStores.deleteAll(store, metadata);
        BlobStores.deleteAll(store, others);
        if (abandonedWrites) {
            removeAbandonedWrites();
        }
        List<String> deleted = new ArrayList<>(metadata);
        deleted.addAll(others);
        if (floor > 0 && floor <= covered) {
            store.delete(idFloorLocation());
            deleted.add(idFloorLocation());
        }
        return deleted;
    }

    /** The id of the {@code chk-<n>/} a location lies in, or -1. */
    private long checkpointIdOf(String location) {
        String rest = location.substring(jobDir.length());
        int slash = rest.indexOf('/');
        Long id = slash > 0 ? FileCheckpointStorage.parseId(rest.substring(0, slash)) : null;
        return id == null ? -1 : id;
    }

    /**
     * Every checkpoint's metadata first, then all other files (other holders' leases too), the job-end record
     * last; the leases of this storage's open holds are kept.
     */
    void discardAll() {
        List<String> metadata = new ArrayList<>();
        List<String> others = new ArrayList<>();
        boolean hasJobEnd = false;
        for (BlobInfo info : list()) {
            String location = info.location();
            if (location.equals(jobEndLocation())) {
                hasJobEnd = true;
            } else if (!leases.isHeld(location)) {
                (location.endsWith("/" + FileCheckpointStorage.METADATA_FILE_NAME) ? metadata : others)
                        .add(location);
            }
        }
        BlobStores.deleteAll(store, metadata);
        BlobStores.deleteAll(store, others);
        removeAbandonedWrites();
        if (hasJobEnd) {
            store.delete(jobEndLocation());
        }
    }

    private void removeAbandonedWrites() {
        if (store instanceof SupportsAbandonedWriteCleanup cleanup) {
            cleanup.removeAbandonedWrites(jobDir);
        }
    }

    private static String metadataOf(String pointer) {
        String p = pointer.endsWith("/") ? pointer.substring(0, pointer.length() - 1) : pointer;
        return p.endsWith("/" + FileCheckpointStorage.METADATA_FILE_NAME) ? p
                : p + "/" + FileCheckpointStorage.METADATA_FILE_NAME;
    }

    private List<BlobInfo> list() {
        if (!(store instanceof SupportsPrefixListing listing)) {
            throw new StorageException("cannot scan the job directory " + jobDir + ": the blob store "
                    + store.getClass().getName() + " does not implement "
                    + SupportsPrefixListing.class.getSimpleName());
        }
        List<BlobInfo> found = new ArrayList<>();
        for (BlobInfo info : listing.list(jobDir)) {
            if (info.location().startsWith(jobDir)) {
                found.add(info);
            }
        }
        return found;
    }

}
