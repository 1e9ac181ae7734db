package dev.cairn.tck;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsAbandonedWriteCleanup;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * A {@code file://} blob store (Cairn's {@code LocalBlobStore}) with a power switch: {@link #cut()}
 * stops the store at once and puts the directory into the state a power cut at that moment could leave
 * under the durability contract the store implements, so tests can show that what was discoverable
 * before a power cut restores after it, and that the next run cleans up what the cut left.
 *
 * <p>The model (what a cut keeps and drops), as {@code LocalBlobStore} implements durability:
 * <ul>
 * <li>A committed blob survives, bytes and name: its commit forces the file, publishes it, and forces
 * its directory and the parent of every directory the write created.</li>
 * <li>An uncommitted write leaves at most its hidden temporary file ({@code .<name>.<hex>.inprogress}):
 * the cut leaves the temporary files of writes in flight where they are, with the bytes they got so
 * far, which is the worst case for the cleanup (the name survived); no reader lists or opens them, so
 * their content does not matter, but the next run's claim must remove them. A temporary file that an
 * abort or an abandoned-write cleanup unlinked is an unsynced delete like any other (below) and comes
 * back too.</li>
 * <li>A delete (and the removal of a directory it emptied) is durable only once its directory is
 * forced afterwards, which {@code LocalBlobStore} does when a later commit lands in that directory
 * (or creates a subdirectory of it). Before each delete is delegated, this store keeps the blob's
 * bytes as an "unsynced delete" of its directory; a commit that forces the directory drops those
 * records, and forcing the parent of a removed directory drops the records inside that directory.
 * The cut re-creates every blob whose delete was still unsynced, with its exact bytes. A bulk delete
 * is a sequence of deletes.</li>
 * </ul>
 * After {@link #cut()} every request through this store (and through streams and blobs it returned)
 * fails with a {@link PowerIsOff} exception, so a job that still runs cannot change the directory;
 * requests in flight at the cut finish first (the cut happens right after them). A stream whose write
 * was cut keeps its delegate's file channel open, like a process that died with the file open.
 *
 * <p>Thread-safe. Build it with {@link #over(BlobStore, Path)}; every location must lie under the root.
 */
public final class PowerCutBlobStore implements BlobStore, SupportsPrefixListing, SupportsBulkDelete,
        SupportsAbandonedWriteCleanup {
    private static final String SCHEME = "file://";
    private static final String TEMP_SUFFIX = ".inprogress";

    /** What every request gets once the power is off. */
    public static final class PowerIsOff extends StorageException {
        PowerIsOff(String what) {
            super("power cut: " + what + " refused, the store is off");
        }
    }

    /**
     * What a cut left: every blob that is in the directory after it (committed and either never deleted
     * or deleted without a forced directory since) with its length, and the blobs the cut brought back.
     */
    public record Cut(SortedMap<String, Long> survivors, List<String> revived) {
        public Cut {
            survivors = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(survivors));
            revived = List.copyOf(revived);
        }
    }

    /** A delete not yet durable; {@code location} is null for the temporary file of an unfinished write. */
    private record UnsyncedDelete(long seq, Path directory, Path file, String location, byte[] bytes) {
    }

    private record UnsyncedRemoval(long seq, Path parent, Path directory) {
    }

    private final BlobStore delegate;
    private final Path root;
    private final ReentrantReadWriteLock power = new ReentrantReadWriteLock();
    private final Object model = new Object();
    private final Map<String, Long> live = new TreeMap<>();
    private final List<UnsyncedDelete> unsyncedDeletes = new ArrayList<>();
    private final List<UnsyncedRemoval> unsyncedRemovals = new ArrayList<>();
    private long seq;
    private volatile boolean off;
    private Cut cut;

    private PowerCutBlobStore(BlobStore delegate, Path root) {
        this.delegate = delegate;
        this.root = root;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !isTemp(p.getFileName().toString())) {
                    live.put(toLocation(p), Files.size(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + root + " failed", e);
        }
    }

    /**
     * Wraps {@code fileStore}, a {@code file://} store that lists, bulk-deletes and cleans up abandoned
     * writes (a {@code LocalBlobStore}), for the blobs under {@code root}; what {@code root} already holds
     * counts as durable.
     */
    public static PowerCutBlobStore over(BlobStore fileStore, Path root) {
        Objects.requireNonNull(fileStore, "fileStore");
        if (!(fileStore instanceof SupportsPrefixListing) || !(fileStore instanceof SupportsBulkDelete)
                || !(fileStore instanceof SupportsAbandonedWriteCleanup)) {
            throw new IllegalArgumentException(fileStore.getClass().getName() + " must list, bulk-delete and "
                    + "clean up abandoned writes");
        }
        Path r = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(r);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + r + " failed", e);
        }
        return new PowerCutBlobStore(fileStore, r);
    }

    /** The root directory, absolute. */
    public Path root() {
        return root;
    }

    /** {@code file://} location of {@code path} under the root. */
    public String location(Path path) {
        return toLocation(path.toAbsolutePath().normalize());
    }

    /** Whether {@link #cut()} happened. */
    public boolean isOff() {
        return off;
    }

    /** What a cut now would leave, without cutting: the blobs that would be in the directory, with lengths. */
    public SortedMap<String, Long> survivorsIfCutNow() {
        synchronized (model) {
            return survivorsLocked();
        }
    }

    /** Deletes whose directory was not forced since: what a cut now would bring back. */
    public int unsyncedDeletes() {
        synchronized (model) {
            return unsyncedDeletes.size();
        }
    }

    /**
     * Cuts the power: waits for the requests in flight, refuses every later one, re-creates the blobs
     * whose delete was not durable, and leaves the temporary files of unfinished writes. A second call
     * returns the first cut's result.
     */
    public Cut cut() {
        power.writeLock().lock();
        try {
            synchronized (model) {
                if (cut != null) {
                    return cut;
                }
                off = true;
                SortedMap<String, Long> survivors = survivorsLocked();
                List<String> revived = new ArrayList<>();
                for (UnsyncedDelete d : unsyncedDeletes) {
                    revive(d);
                    revived.add(d.location() != null ? d.location() : toLocation(d.file()));
                }
                unsyncedDeletes.clear();
                unsyncedRemovals.clear();
                cut = new Cut(survivors, revived);
                return cut;
            }
        } finally {
            power.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- BlobStore

    @Override
    public BlobOutputStream create(String location) {
        Path target = pathOf(location);
        return powered("create " + location, () -> {
            synchronized (model) {
                List<Path> missing = new ArrayList<>();
                for (Path p = target.getParent(); p != null && !Files.isDirectory(p); p = p.getParent()) {
                    missing.add(p);
                }
                return new CutStream(location, target, missing, delegate.create(location));
            }
        });
    }

    @Override
    public InputBlob open(String location) {
        return powered("open " + location, () -> new CutInputBlob(delegate.open(location)));
    }

    @Override
    public boolean exists(String location) {
        return powered("exists " + location, () -> delegate.exists(location));
    }

    @Override
    public void delete(String location) {
        Path file = pathOf(location);
        powered("delete " + location, () -> {
            synchronized (model) {
                byte[] bytes = null;
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    bytes = read(file);
                }
                delegate.delete(location);
                if (bytes != null && !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    unsyncedDeletes.add(new UnsyncedDelete(++seq, file.getParent(), file, location, bytes));
                    live.remove(location);
                    noteRemoved(file.getParent());
                }
                return null;
            }
        });
    }

    /** Each location in turn, as {@link #delete(String)}: for this model a bulk delete is a sequence of deletes. */
    @Override
    public void deleteAll(Iterable<String> locations) {
        SupportsBulkDelete.deleteEach(this, locations);
    }

    @Override
    public Iterable<BlobInfo> list(String prefix) {
        return powered("list " + prefix, () -> List.copyOf(toList(((SupportsPrefixListing) delegate).list(prefix))));
    }

    @Override
    public List<BlobInfo> findAbandonedWrites(String prefix) {
        return powered("findAbandonedWrites " + prefix,
                () -> ((SupportsAbandonedWriteCleanup) delegate).findAbandonedWrites(prefix));
    }

    @Override
    public int removeAbandonedWrites(String prefix) {
        Path under = pathOf(prefix.endsWith("/") ? prefix + "x" : prefix).getParent();
        return powered("removeAbandonedWrites " + prefix, () -> {
            synchronized (model) {
                Set<Path> before = directoriesUnder(under);
                Map<Path, byte[]> temps = tempsUnder(under, name -> true);
                int removed = ((SupportsAbandonedWriteCleanup) delegate).removeAbandonedWrites(prefix);
                noteTempsRemoved(temps);
                for (Path dir : before) {
                    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                        unsyncedRemovals.add(new UnsyncedRemoval(++seq, dir.getParent(), dir));
                    }
                }
                return removed;
            }
        });
    }

    /** Closes the delegate; after a cut, nothing else. */
    @Override
    public void close() {
        delegate.close();
    }

    // ---------------------------------------------------------------- the model

    private SortedMap<String, Long> survivorsLocked() {
        SortedMap<String, Long> survivors = new TreeMap<>(live);
        for (UnsyncedDelete d : unsyncedDeletes) {
            if (d.location() != null) {
                survivors.put(d.location(), (long) d.bytes().length);
            }
        }
        return survivors;
    }

    /** A commit forced {@code directory}: its deletes and the removals of its subdirectories are durable. */
    private void forced(Path directory) {
        List<UnsyncedRemoval> durableRemovals = new ArrayList<>();
        unsyncedRemovals.removeIf(r -> r.parent().equals(directory) && durableRemovals.add(r));
        unsyncedDeletes.removeIf(d -> d.directory().equals(directory));
        for (UnsyncedRemoval r : durableRemovals) {
            // The removed directory is gone for good, with everything deleted in it before its removal.
            unsyncedDeletes.removeIf(d -> d.seq() < r.seq() && d.directory().startsWith(r.directory()));
            unsyncedRemovals.removeIf(o -> o.seq() < r.seq() && o.directory().startsWith(r.directory()));
        }
    }

    /** Records the removal of {@code directory} (and of emptied parents) if a delete or abort removed it. */
    private void noteRemoved(Path directory) {
        for (Path d = directory; d != null && d.startsWith(root) && !d.equals(root)
                && !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS); d = d.getParent()) {
            unsyncedRemovals.add(new UnsyncedRemoval(++seq, d.getParent(), d));
        }
    }

    private void revive(UnsyncedDelete d) {
        try {
            Files.createDirectories(d.directory());
            if (Files.exists(d.file(), LinkOption.NOFOLLOW_LINKS)) {
                if (!java.util.Arrays.equals(read(d.file()), d.bytes())) {
                    throw new IllegalStateException(d.location() + " exists with other bytes than the blob whose"
                            + " unsynced delete the cut reverts");
                }
                return;
            }
            try (FileChannel out = FileChannel.open(d.file(), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(d.bytes());
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reviving " + d.file() + " failed", e);
        }
    }

    /** The temporary files under {@code dir} (recursively) whose name passes {@code which}, with their bytes. */
    private static Map<Path, byte[]> tempsUnder(Path dir, java.util.function.Predicate<String> which) {
        Map<Path, byte[]> temps = new TreeMap<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return temps;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String name = p.getFileName().toString();
                if (isTemp(name) && which.test(name) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        temps.put(p, Files.readAllBytes(p));
                    } catch (IOException e) {
                        // Gone meanwhile: nothing to bring back.
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // A directory vanished while walking.
        }
        return temps;
    }

    /** The temporary files of {@code temps} that are gone now were unlinked without a forced directory. */
    private void noteTempsRemoved(Map<Path, byte[]> temps) {
        for (Map.Entry<Path, byte[]> t : temps.entrySet()) {
            if (!Files.exists(t.getKey(), LinkOption.NOFOLLOW_LINKS)) {
                unsyncedDeletes.add(new UnsyncedDelete(++seq, t.getKey().getParent(), t.getKey(), null, t.getValue()));
            }
        }
    }

    private static Set<Path> directoriesUnder(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Set.of();
        }
        Set<Path> found = new LinkedHashSet<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(p -> !p.equals(dir) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(found::add);
        } catch (IOException | UncheckedIOException e) {
            // A directory vanished while walking: it cannot be removed by the cleanup then.
        }
        return found;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new StorageException(file + ": reading the bytes before its delete failed: " + e, e);
        }
    }

    private static List<BlobInfo> toList(Iterable<BlobInfo> infos) {
        List<BlobInfo> list = new ArrayList<>();
        infos.forEach(list::add);
        return list;
    }

    private Path pathOf(String location) {
        if (!location.startsWith(SCHEME)) {
            throw new StorageException(location + ": not a file:// location");
        }
        Path p = Path.of(location.substring(SCHEME.length())).normalize();
        if (!p.startsWith(root)) {
            throw new StorageException(location + ": outside the power-cut store's root " + root);
        }
        return p;
    }

    private static String toLocation(Path p) {
        return SCHEME + p;
    }

    private static boolean isTemp(String name) {
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    private interface Request<T> {
        T run();
    }

    /** Runs {@code request} while the power is on; refused once it is off. */
    private <T> T powered(String what, Request<T> request) {
        power.readLock().lock();
        try {
            if (off) {
                throw new PowerIsOff(what);
            }
            return request.run();
        } finally {
            power.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- wrapped streams

    /** A write: its commit forces the target's directory (and the parents of the directories it created). */
    private final class CutStream extends BlobOutputStream {
        private final String location;
        private final Path target;
        private final List<Path> createdDirectories;
        private final BlobOutputStream out;
        private boolean finished;

        CutStream(String location, Path target, List<Path> createdDirectories, BlobOutputStream out) {
            this.location = location;
            this.target = target;
            this.createdDirectories = List.copyOf(createdDirectories);
            this.out = out;
        }

        @Override
        public void write(int b) {
            powered("write " + location, () -> {
                out.write(b);
                return null;
            });
        }

        @Override
        public void write(byte[] b, int off, int len) {
            powered("write " + location, () -> {
                out.write(b, off, len);
                return null;
            });
        }

        @Override
        public void flush() {
            powered("flush " + location, () -> {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new StorageException(location + ": flush failed: " + e, e);
                }
                return null;
            });
        }

        @Override
        public long position() {
            return out.position();
        }

        @Override
        public BlobInfo commit() {
            return powered("commit " + location, () -> {
                synchronized (model) {
                    BlobInfo info;
                    try {
                        info = out.commit();
                    } finally {
                        finished = true;
                    }
                    live.put(location, info.length());
                    Set<Path> forced = new LinkedHashSet<>();
                    forced.add(target.getParent());
                    for (Path created : createdDirectories) {
                        if (created.getParent() != null) {
                            forced.add(created.getParent());
                        }
                    }
                    forced.forEach(PowerCutBlobStore.this::forced);
                    return info;
                }
            });
        }

        /** After a commit (or a failed one) nothing to do; an abort after the cut is refused. */
        @Override
        public void close() {
            if (finished) {
                return;
            }
            powered("close " + location, () -> {
                synchronized (model) {
                    if (finished) {
                        return null;
                    }
                    finished = true;
                    Path directory = target.getParent();
                    String tempStart = "." + target.getFileName().toString().codePoints().limit(64)
                            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append) + ".";
                    Map<Path, byte[]> temps = new TreeMap<>();
                    try (Stream<Path> entries = Files.list(directory)) {
                        for (Path p : (Iterable<Path>) entries::iterator) {
                            String name = p.getFileName().toString();
                            if (isTemp(name) && name.startsWith(tempStart)) {
                                temps.put(p, Files.readAllBytes(p));
                            }
                        }
                    } catch (IOException | UncheckedIOException e) {
                        // No directory, or the file went away: nothing of it can come back.
                    }
                    out.close();
                    noteTempsRemoved(temps);
                    noteRemoved(directory);
                    return null;
                }
            });
        }
    }

    /** A committed blob whose reads are refused once the power is off. */
    private final class CutInputBlob implements InputBlob {
        private final InputBlob blob;

        CutInputBlob(InputBlob blob) {
            this.blob = blob;
        }

        @Override
        public String location() {
            return blob.location();
        }

        @Override
        public long length() {
            return blob.length();
        }

        @Override
        public SeekableInputStream newStream() {
            return powered("read " + blob.location(), blob::newStream);
        }

        @Override
        public void readFully(long position, byte[] buffer, int offset, int length) {
            powered("read " + blob.location(), () -> {
                blob.readFully(position, buffer, offset, length);
                return null;
            });
        }
    }
}
