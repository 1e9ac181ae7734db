package dev.cairn.runtime.storage;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.blob.ByteArraySeekableInputStream;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.Locations;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointScan;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.JobDirectoryHold;
import dev.cairn.checkpoint.JobEnd;
import dev.cairn.checkpoint.JobLease;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.StateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.ConfigurationException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.StorageException;
import dev.cairn.filemerging.FileMergingManager;
import dev.cairn.filemerging.SegmentReader;
import dev.cairn.format.MetadataFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Checkpoint storage over any {@link BlobStore}, with Apache Flink's layout:
 * <pre>
 * &lt;base&gt;/&lt;job-id&gt;/chk-&lt;n&gt;/_metadata     written last, atomically, create-only
 * &lt;base&gt;/&lt;job-id&gt;/chk-&lt;n&gt;/&lt;uuid&gt;       exclusive state, deleted with the checkpoint
 * &lt;base&gt;/&lt;job-id&gt;/shared/&lt;uuid&gt;        state later checkpoints may reference
 * &lt;base&gt;/&lt;job-id&gt;/taskowned/&lt;uuid&gt;     state owned by the tasks
 * &lt;base&gt;/&lt;job-id&gt;/_job-ended          the job-end record, written before an ended job deletes its checkpoints
 * &lt;base&gt;/&lt;job-id&gt;/_lease-&lt;holder&gt;-&lt;n&gt;  a running job's lease on the directory, renewed as n+1
 * &lt;target or base&gt;/savepoint-&lt;job6&gt;-&lt;random&gt;/   a self-contained savepoint: every file and _metadata
 * </pre>
 * Streams below the inline threshold become {@link InlineStateHandle}s inside the metadata and
 * write nothing to the store. File locations are recorded relative to {@code <base>} and every
 * path read back is checked to stay inside it. {@link #resolve(String)} validates the metadata
 * fully (and, by default, that every state file exists with its recorded size) before it returns.
 */
public final class FileCheckpointStorage implements CheckpointStorage {
    private static final System.Logger LOG = System.getLogger(FileCheckpointStorage.class.getName());
    public static final String METADATA_FILE_NAME = "_metadata";
    public static final String CHECKPOINT_DIR_PREFIX = "chk-";
    public static final String SHARED_DIR = "shared";
    public static final String TASK_OWNED_DIR = "taskowned";
    /** Inside {@link #SHARED_DIR}: the physical files of file merging. */
    public static final String MERGED_DIR = "merged";
    public static final String SAVEPOINT_DIR_PREFIX = "savepoint-";
    private static final int SAVEPOINT_DIR_ATTEMPTS = 10;

    private final BlobStore store;
    private final String base;
    private final String jobId;
    private final String jobDir;
    private final FileCheckpointStorageOptions options;
    private final boolean ownsStore;
    private final JobDirectoryLeases leases;
    private final JobDirectory directory;
    private final FileMergingManager merging;

    /** Storage with default options; the caller keeps ownership of {@code store}. */
    public FileCheckpointStorage(BlobStore store, String baseLocation, String jobId) {
        this(store, baseLocation, jobId, FileCheckpointStorageOptions.defaults());
    }

    /** Storage for job {@code jobId} under {@code baseLocation}; the caller keeps ownership of {@code store}. */
    public FileCheckpointStorage(BlobStore store, String baseLocation, String jobId,
            FileCheckpointStorageOptions options) {
        this(store, baseLocation, jobId, options, false);
    }

    FileCheckpointStorage(BlobStore store, String baseLocation, String jobId, FileCheckpointStorageOptions options,
            boolean ownsStore) {
        this.store = Objects.requireNonNull(store, "store");
        this.options = Objects.requireNonNull(options, "options");
        Objects.requireNonNull(baseLocation, "baseLocation");
        Objects.requireNonNull(jobId, "jobId");
        BlobStores.schemeOf(baseLocation);
        if (jobId.indexOf('/') >= 0 || Locations.relativePathProblem(jobId).isPresent()) {
            throw new ConfigurationException("job id '" + Locations.printable(jobId)
                    + "' cannot be a directory name: " + Locations.relativePathProblem(jobId).orElse("contains '/'"));
        }
        this.base = Locations.directory(baseLocation);
        this.jobId = jobId;
        this.jobDir = base + jobId + "/";
        this.ownsStore = ownsStore;
        this.leases = new JobDirectoryLeases(store, jobDir, options.leaseTtl());
        this.directory = new JobDirectory(store, jobDir, this::resolve, leases);
        this.merging = options.fileMerging().enabled()
                ? new FileMergingManager(store, mergedLocation(), options.fileMerging(), options.inlineThreshold())
                : null;
    }

    /** The base directory, ending in {@code /}; the root that metadata paths are relative to. */
    public String baseLocation() {
        return base;
    }

    public String jobId() {
        return jobId;
    }

    /** {@code <base>/<job-id>/}. */
    public String jobLocation() {
        return jobDir;
    }

    /** {@code <base>/<job-id>/chk-<n>/}. */
    public String checkpointLocation(long checkpointId) {
        checkId(checkpointId);
        return jobDir + CHECKPOINT_DIR_PREFIX + checkpointId + "/";
    }

    /** {@code <base>/<job-id>/chk-<n>/_metadata}. */
    public String metadataLocation(long checkpointId) {
        return checkpointLocation(checkpointId) + METADATA_FILE_NAME;
    }

    /** {@code <base>/<job-id>/shared/}. */
    public String sharedLocation() {
        return jobDir + SHARED_DIR + "/";
    }

    /** {@code <base>/<job-id>/shared/merged/}: the physical files of file merging. */
    public String mergedLocation() {
        return sharedLocation() + MERGED_DIR + "/";
    }

    /** The file merging of this storage's checkpoints, if it is on. */
    public Optional<FileMergingManager> fileMerging() {
        return Optional.ofNullable(merging);
    }

    /** {@code <base>/<job-id>/taskowned/}. */
    public String taskOwnedLocation() {
        return jobDir + TASK_OWNED_DIR + "/";
    }

    public FileCheckpointStorageOptions options() {
        return options;
    }

    public BlobStore blobStore() {
        return store;
    }

    @Override
    public CheckpointStorageLocation initializeLocation(long checkpointId) {
        checkId(checkpointId);
        String metadata = metadataLocation(checkpointId);
        if (store.exists(metadata)) {
            throw new CheckpointException(metadata + ": checkpoint " + checkpointId
                    + " is already finalized; checkpoint ids must not be reused");
        }
        return new FileCheckpointLocation(this, checkpointId, checkpointLocation(checkpointId), base, false,
                merging == null ? null : merging.beginCheckpoint(checkpointId));
    }

    /**
     * Creates {@code <target or base>/savepoint-<first 6 characters of the job id>-<random>/}; every
     * stream of the savepoint, whatever its scope, is written into it and its metadata records paths
     * relative to it, so the directory can be moved and is resolved by its own pointer.
     *
     * @throws ConfigurationException if {@code targetDirectory} is not on this storage's blob store (another scheme)
     */
    @Override
    public CheckpointStorageLocation initializeSavepointLocation(long checkpointId, String targetDirectory) {
        checkId(checkpointId);
        String parent = base;
        if (targetDirectory != null) {
            String scheme = BlobStores.schemeOf(targetDirectory);
            if (!scheme.equalsIgnoreCase(BlobStores.schemeOf(base))) {
                throw new ConfigurationException("savepoint target " + targetDirectory + " uses scheme '" + scheme
                        + "', but this checkpoint storage writes to " + base + " with another blob store");
            }
            parent = Locations.directory(targetDirectory);
        }
        String prefix = SAVEPOINT_DIR_PREFIX + jobId.substring(0, Math.min(6, jobId.length())) + "-";
        for (int attempt = 0; attempt < SAVEPOINT_DIR_ATTEMPTS; attempt++) {
            String random = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            String directory = parent + prefix + random + "/";
            if (!store.exists(directory + METADATA_FILE_NAME)) {
                return new FileCheckpointLocation(this, checkpointId, directory, directory, true, null);
            }
        }
        throw new CheckpointException("no fresh savepoint directory under " + parent + " after "
                + SAVEPOINT_DIR_ATTEMPTS + " attempts");
    }

    /**
     * Deletes the files of {@code state} that lie in the exclusive directory {@code chk-<checkpointId>/};
     * shared and task-owned files, and savepoint files, are never touched.
     */
    @Override
    public void discardState(long checkpointId, java.util.Collection<? extends StateHandle> state) {
        checkId(checkpointId);
        String directory = checkpointLocation(checkpointId);
        String metadata = directory + METADATA_FILE_NAME;
        List<String> exclusive = new ArrayList<>();
        for (StateHandle handle : state) {
            for (StreamStateHandle stream : handle.streams()) {
                if (stream instanceof FileStateHandle f && !f.location().equals(metadata)
                        && Locations.relativize(directory, f.location()).isPresent()) {
                    exclusive.add(f.location());
                }
            }
        }
        BlobStores.deleteAll(store, exclusive);
    }

    @Override
    public CompletedCheckpoint resolve(String pointer) {
        Pointer p = Pointer.parse(pointer);
        String file = p.metadataLocation();
        InputBlob blob;
        try {
            blob = store.open(file);
        } catch (BlobNotFoundException e) {
            throw new CheckpointException(file + ": no completed checkpoint here (no " + METADATA_FILE_NAME
                    + "; it was never finalized or was discarded)", e);
        }
        long length = blob.length();
        MetadataFormat.checkSize(file, length, options.maxMetadataSize());
        byte[] bytes = new byte[(int) length];
        blob.readFully(0, bytes, 0, bytes.length);
        CheckpointMetadata metadata = MetadataFormat.read(file, bytes, p.root(), options.maxMetadataSize());
        if (!p.savepoint() && metadata.checkpointId() != p.checkpointId()) {
            throw new CorruptCheckpointException(file, "holds checkpoint " + metadata.checkpointId()
                    + " but lies in the directory of checkpoint " + p.checkpointId());
        }
        if (options.verifyFilesOnResolve()) {
            verifyFiles(file, metadata);
        }
        return new CompletedCheckpoint(p.pointer(), metadata);
    }

    private void verifyFiles(String metadataFile, CheckpointMetadata metadata) {
        Map<String, Long> mergedEnds = new TreeMap<>();
        for (SegmentStateHandle s : segments(metadata)) {
            mergedEnds.merge(s.physicalLocation(), s.end(), Math::max);
        }
        for (Map.Entry<String, Long> merged : mergedEnds.entrySet()) {
            long length;
            try {
                length = store.open(merged.getKey()).length();
            } catch (BlobNotFoundException e) {
                throw new CorruptCheckpointException(metadataFile, "references merged file " + merged.getKey()
                        + ", which does not exist", e);
            }
            if (length < merged.getValue()) {
                throw new CorruptCheckpointException(metadataFile, "references " + merged.getValue() + " bytes of"
                        + " merged file " + merged.getKey() + ", but the file has " + length + " bytes");
            }
        }
        for (FileStateHandle f : fileHandles(metadata).values()) {
            InputBlob blob;
            try {
                blob = store.open(f.location());
            } catch (BlobNotFoundException e) {
                throw new CorruptCheckpointException(metadataFile, "references state file " + f.location()
                        + ", which does not exist", e);
            }
            if (blob.length() != f.stateSize()) {
                throw new CorruptCheckpointException(metadataFile, "references state file " + f.location()
                        + " of " + f.stateSize() + " bytes, but the file has " + blob.length() + " bytes");
            }
        }
    }

    /**
     * Lists {@code <base>/<job-id>/chk-*}{@code /_metadata} and resolves each, oldest id first; a
     * checkpoint without {@code _metadata} (in progress or failed) is not listed, and a damaged one
     * fails the call with the error of {@link #resolve(String)}.
     *
     * @throws StorageException if the blob store does not implement {@link SupportsPrefixListing}
     */
    @Override
    public List<CompletedCheckpoint> completedCheckpoints() {
        if (!(store instanceof SupportsPrefixListing listing)) {
            throw new StorageException("cannot list the completed checkpoints under " + jobDir + ": the blob store "
                    + store.getClass().getName() + " does not implement " + SupportsPrefixListing.class.getSimpleName()
                    + "; resolve checkpoints by their pointer (" + jobDir + "chk-<n>) instead");
        }
        TreeMap<Long, String> found = new TreeMap<>();
        String prefix = jobDir + CHECKPOINT_DIR_PREFIX;
        for (BlobInfo info : listing.list(prefix)) {
            String location = info.location();
            if (!location.startsWith(prefix)) {
                continue;
            }
            String rest = location.substring(jobDir.length());
            int slash = rest.indexOf('/');
            if (slash <= 0 || !rest.substring(slash + 1).equals(METADATA_FILE_NAME)) {
                continue;
            }
            Long id = parseId(rest.substring(0, slash));
            if (id != null) {
                found.putIfAbsent(id, jobDir + rest.substring(0, slash));
            }
        }
        List<CompletedCheckpoint> result = new ArrayList<>(found.size());
        for (String pointer : found.values()) {
            result.add(resolve(pointer));
        }
        return result;
    }

    /**
     * Deletes the checkpoint's {@code _metadata} first (so it can never be seen half-deleted), then
     * the state files inside its {@code chk-<n>/} directory. Files in {@code shared/},
     * {@code taskowned/} or other checkpoints' directories are left alone. A savepoint (a
     * {@code savepoint-*} pointer on this blob store) loses its metadata and every file inside its directory.
     *
     * @throws CheckpointException if the checkpoint does not belong to this storage's job
     */
    @Override
    public void discard(CompletedCheckpoint checkpoint) {
        Pointer p = Pointer.parse(checkpoint.pointer());
        if (p.savepoint()) {
            if (!BlobStores.schemeOf(p.pointer()).equalsIgnoreCase(BlobStores.schemeOf(base))) {
                throw new CheckpointException(checkpoint.pointer() + ": savepoint is not on the blob store of "
                        + base + "; refusing to discard it");
            }
        } else if (!Locations.parent(p.pointer()).equals(jobDir) || p.checkpointId() != checkpoint.checkpointId()) {
            throw new CheckpointException(checkpoint.pointer() + ": checkpoint " + checkpoint.checkpointId()
                    + " does not belong to job directory " + jobDir + "; refusing to discard it");
        }
        store.delete(p.metadataLocation());
        List<String> exclusive = new ArrayList<>();
        for (String location : fileHandles(checkpoint.metadata()).keySet()) {
            if (Locations.relativize(p.checkpointDirectory(), location).isPresent()) {
                exclusive.add(location);
            }
        }
        BlobStores.deleteAll(store, exclusive);
    }

    /**
     * Lists the job directory once and resolves every {@code chk-<n>/_metadata} in it; a checkpoint
     * refused by {@link #resolve(String)} is reported as damaged, not thrown. The highest id counts
     * every {@code chk-<n>/} with any file, so a checkpoint that never completed still moves ids on.
     *
     * @throws StorageException if the blob store does not implement {@link SupportsPrefixListing}
     * @throws CorruptCheckpointException if the job-end record ({@code _job-ended}) is damaged
     */
    @Override
    public CheckpointScan scan() {
        return directory.scan();
    }

    /** From one listing of the job directory; no checkpoint is resolved. */
    @Override
    public long highestCheckpointId() {
        return directory.highestCheckpointId();
    }

    /** Writes {@code <base>/<job-id>/_job-ended}, replacing an earlier record. */
    @Override
    public void markJobEnded(JobEnd end) {
        directory.markJobEnded(end);
    }

    @Override
    public List<String> removeUnreferenced(Collection<CompletedCheckpoint> keep) {
        return directory.removeUnreferenced(keep);
    }

    /**
     * The files of the job directory that neither {@code keep} nor {@code alsoReferenced} (locations that
     * checkpoints elsewhere refer to, e.g. of a job restored from this one without claim) refers to, the
     * job's records excepted; nothing is deleted. What an operator's clean-up may delete.
     */
    public List<BlobInfo> unreferencedFiles(Collection<CompletedCheckpoint> keep, Set<String> alsoReferenced) {
        return directory.unreferenced(keep, Set.copyOf(alsoReferenced));
    }

    /**
     * Deletes {@code files} of the job directory, {@code _metadata} first, without lowering the highest id of
     * the directory (as {@link #removeUnreferenced}); refuses, deleting nothing, if one lies outside the job
     * directory or is referenced by {@code keep}. Only call while no writer of the job is active.
     */
    public List<String> removeFiles(Collection<CompletedCheckpoint> keep, Collection<String> files) {
        return directory.remove(keep, files);
    }

    @Override
    public void discardJob() {
        directory.discardAll();
    }

    /**
     * Writes {@code <base>/<job-id>/_lease-<holder>-1} and renews it every third of
     * {@link FileCheckpointStorageOptions#leaseTtl()} until the hold is closed (closing the storage closes it too).
     */
    @Override
    public JobDirectoryHold holdJobDirectory(String description) {
        return leases.hold(Objects.requireNonNull(description, "description"));
    }

    /** @throws StorageException if the blob store does not implement {@link SupportsPrefixListing} */
    @Override
    public List<JobLease> leases() {
        return leases.leases();
    }

    @Override
    public SeekableInputStream open(StreamStateHandle handle) {
        if (handle instanceof InlineStateHandle inline) {
            return new ByteArraySeekableInputStream(inline.unsafeData());
        }
        if (handle instanceof FileStateHandle file) {
            return store.open(file.location()).newStream();
        }
        if (handle instanceof SegmentStateHandle segment) {
            return SegmentReader.open(store, segment);
        }
        throw new StorageException("file checkpoint storage cannot read " + handle + " ("
                + handle.getClass().getName() + ")");
    }

    @Override
    public void close() {
        try {
            leases.releaseAll();
            if (merging != null) {
                merging.close();
            }
        } finally {
            if (ownsStore) {
                store.close();
            }
        }
    }

    /**
     * Deletes shared files and merged physical files that no registered checkpoint refers to any
     * more, in one bulk request where the store has it ({@link dev.cairn.blob.SupportsBulkDelete});
     * only files inside {@code shared/} are deleted, and a merged file that a checkpoint in progress
     * holds or reuses is deleted once that checkpoint has ended without it. A failed deletion is
     * logged; the file stays for the next start's clean-up.
     *
     * @return the handles whose files are gone or were never this storage's to delete
     */
    public List<StreamStateHandle> deleteShared(List<StreamStateHandle> handles) {
        List<StreamStateHandle> done = new ArrayList<>();
        List<StreamStateHandle> plain = new ArrayList<>();
        List<String> plainLocations = new ArrayList<>();
        List<String> merged = new ArrayList<>();
        for (StreamStateHandle handle : handles) {
            String location = handle instanceof FileStateHandle f ? f.location()
                    : handle instanceof SegmentStateHandle s ? s.physicalLocation() : null;
            if (location == null || Locations.relativize(sharedLocation(), location).isEmpty()) {
                done.add(handle);
            } else if (handle instanceof SegmentStateHandle && merging != null) {
                merged.add(location);
                done.add(handle);
            } else {
                plain.add(handle);
                plainLocations.add(location);
            }
        }
        if (!merged.isEmpty()) {
            merging.deleteWhenUnused(merged);
        }
        try {
            BlobStores.deleteAll(store, plainLocations);
            done.addAll(plain);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "deleting " + plainLocations.size() + " unused shared files failed"
                    + " (e.g. " + plainLocations.get(0) + "); the next start of the job removes them", e);
        }
        return done;
    }

    /** The shared-state registry registered {@code checkpoint}: merged files it kept alive are released. */
    public void sharedStateRegistered(CompletedCheckpoint checkpoint) {
        if (merging != null) {
            merging.registered(checkpoint.checkpointId(), segments(checkpoint.metadata()));
        }
    }

    /** The shared-state registry unregistered checkpoint {@code checkpointId}. */
    public void sharedStateUnregistered(long checkpointId) {
        if (merging != null) {
            merging.unregistered(checkpointId);
        }
    }

    /** Every segment of a merged file that {@code metadata} refers to. */
    public static List<SegmentStateHandle> segments(CheckpointMetadata metadata) {
        List<SegmentStateHandle> segments = new ArrayList<>();
        for (StateHandle handle : metadata.allHandles()) {
            for (StreamStateHandle stream : handle.streams()) {
                if (stream instanceof SegmentStateHandle s) {
                    segments.add(s);
                }
            }
        }
        return segments;
    }

    @Override
    public String toString() {
        return "FileCheckpointStorage[" + jobDir + "]";
    }


    private static Map<String, FileStateHandle> fileHandles(CheckpointMetadata metadata) {
        Map<String, FileStateHandle> files = new LinkedHashMap<>();
        for (StateHandle handle : metadata.allHandles()) {
            for (StreamStateHandle stream : handle.streams()) {
                if (stream instanceof FileStateHandle f) {
                    files.putIfAbsent(f.location(), f);
                }
            }
        }
        return files;
    }

    private static void checkId(long checkpointId) {
        if (checkpointId < 0) {
            throw new IllegalArgumentException("negative checkpoint id " + checkpointId);
        }
    }

    /** The id of a {@code chk-<n>} directory name, or {@code null} if the name is not one. */
    public static Long parseId(String dirName) {
        if (!dirName.startsWith(CHECKPOINT_DIR_PREFIX)) {
            return null;
        }
        String digits = dirName.substring(CHECKPOINT_DIR_PREFIX.length());
        if (digits.isEmpty() || digits.length() > 19 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * A parsed checkpoint pointer: {@code <root>/<job>/chk-<n>} or {@code .../chk-<n>/_metadata}.
     * The root that metadata paths are resolved against is taken from the pointer, so a checkpoint
     * directory tree can be moved as a whole.
     */
    private record Pointer(String pointer, String root, long checkpointId, boolean savepoint) {
        static Pointer parse(String pointer) {
            String s = Locations.stripTrailingSlash(pointer);
            if (s.endsWith("/" + METADATA_FILE_NAME)) {
                s = s.substring(0, s.length() - METADATA_FILE_NAME.length() - 1);
            }
            String name = Locations.name(s);
            if (name.startsWith(SAVEPOINT_DIR_PREFIX) && name.length() > SAVEPOINT_DIR_PREFIX.length()
                    && Locations.relativePathProblem(name).isEmpty() && s.contains("://")) {
                return new Pointer(s, s + "/", -1, true);
            }
            Long id = parseId(name);
            String root;
            try {
                root = id == null ? null : Locations.parent(Locations.parent(s));
            } catch (IllegalArgumentException e) {
                root = null;
            }
            if (root == null) {
                throw new CheckpointException("'" + pointer + "' is not a checkpoint pointer: expected <dir>/<job-id>/"
                        + CHECKPOINT_DIR_PREFIX + "<n>, <dir>/<job-id>/" + CHECKPOINT_DIR_PREFIX + "<n>/"
                        + METADATA_FILE_NAME + " or <dir>/" + SAVEPOINT_DIR_PREFIX + "<name>");
            }
            return new Pointer(s, root, id, false);
        }

        String checkpointDirectory() {
            return pointer + "/";
        }

        String metadataLocation() {
            return pointer + "/" + METADATA_FILE_NAME;
        }
    }
}
