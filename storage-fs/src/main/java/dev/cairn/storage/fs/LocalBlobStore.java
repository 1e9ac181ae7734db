package dev.cairn.storage.fs;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsAbandonedWriteCleanup;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.ConfigurationException;
import dev.cairn.error.StorageException;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code file://} blob store on java.nio: what checkpoints use on a local disk or a mounted
 * shared file system. Locations are {@code file:///absolute/path} URIs whose path is taken literally.
 *
 * <p>A write goes to a hidden temporary file next to its target ({@code .<name>.<random>.inprogress},
 * never listed). {@link BlobOutputStream#commit()} flushes it, forces it to the device, publishes it
 * create-only and atomically, and then forces the directory (and any directory the write created)
 * so the new name survives a crash. In {@link PublishMode#HARD_LINK} mode, publishing is
 * {@code link(temp, target)} followed by removing the temporary name: the link fails if the target
 * exists, so of concurrent commits to one location exactly one wins. Where hard links are not
 * supported the store falls back to {@link PublishMode#RENAME}: an existence check followed by an
 * atomic rename, which still never exposes a partial file but lets the later of two racing commits
 * to the same location replace the earlier one.
 *
 * <p>Deleting a blob removes its directory if that became empty (one level), so a checkpoint's
 * directory disappears with its last file. Symbolic links are not followed by listing. Thread-safe;
 * each stream it returns is for one thread.
 *
 * <p>A committed file can be extended in place ({@link SupportsAppend}): see {@link LocalAppendStream}.
 */
public final class LocalBlobStore implements BlobStore, SupportsPrefixListing, SupportsBulkDelete,
        SupportsAbandonedWriteCleanup, SupportsAppend {
    /** How a committed temporary file gets its final name. */
    public enum PublishMode {
        /** {@code link(2)} then unlink of the temporary name: atomic and create-only. */
        HARD_LINK,
        /** Existence check, then atomic rename: atomic, but create-only only without racing writers. */
        RENAME
    }

    /** Default size of the write and read buffers. */
    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(LocalBlobStore.class.getName());
    private static final int CREATE_ATTEMPTS = 32;
    private static final boolean DIRECTORY_SYNC_SUPPORTED = File.separatorChar == '/';

    private final PublishMode publishMode;
    private final int bufferSize;
    private final AtomicLong fileSyncs = new AtomicLong();
    private final AtomicLong directorySyncs = new AtomicLong();
    private volatile boolean hardLinksUnsupported;

    /** A store publishing by hard link with {@value #DEFAULT_BUFFER_SIZE}-byte buffers. */
    public LocalBlobStore() {
        this(PublishMode.HARD_LINK, DEFAULT_BUFFER_SIZE);
    }

    public LocalBlobStore(PublishMode publishMode, int bufferSize) {
        this.publishMode = Objects.requireNonNull(publishMode, "publishMode");
        if (bufferSize < 1) {
            throw new ConfigurationException("buffer size must be positive, got " + bufferSize);
        }
        this.bufferSize = bufferSize;
    }

    /** The location of an absolute path: {@code file:///tmp/x} for {@code /tmp/x}. */
    public static String toLocation(Path absolutePath) {
        return FileLocations.toLocation(absolutePath);
    }

    /** The file a location names, after the same validation every operation applies. */
    public static Path toPath(String location) {
        return FileLocations.blobPath(location);
    }

    public PublishMode publishMode() {
        return publishMode;
    }

    @Override
    public BlobOutputStream create(String location) {
        Path target = FileLocations.blobPath(location);
        Path directory = target.getParent();
        List<Path> created = new ArrayList<>();
        IOException lastRace = null;
        for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
            Path temp = directory.resolve(tempName(target.getFileName().toString()));
            try {
                createDirectories(directory, created);
                FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new LocalOutputStream(location, target, temp, channel, created);
            } catch (NoSuchFileException | FileAlreadyExistsException e) {
                // The directory was pruned by a concurrent delete, or the random name collided: try again.
                lastRace = e;
            } catch (IOException e) {
                throw failure(location, "create", e);
            }
        }
        throw failure(location, "create (its directory kept vanishing)", lastRace);
    }

    @Override
    public BlobOutputStream append(String location, long expectedLength) {
        Path path = FileLocations.blobPath(location);
        return LocalAppendStream.open(location, path, expectedLength, bufferSize, fileSyncs);
    }

    @Override
    public InputBlob open(String location) {
        Path path = FileLocations.blobPath(location);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(location, e);
        } catch (IOException e) {
            throw failure(location, "open", e);
        }
        if (!attributes.isRegularFile()) {
            throw new BlobNotFoundException(location);
        }
        return new LocalInputBlob(location, path, attributes.size());
    }

    @Override
    public boolean exists(String location) {
        return Files.isRegularFile(FileLocations.blobPath(location));
    }

    @Override
    public void delete(String location) {
        Path path = FileLocations.blobPath(location);
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attributes.isDirectory()) {
                return;
            }
            Files.delete(path);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw failure(location, "delete", e);
        }
        pruneIfEmpty(path.getParent());
    }

    @Override
    public void deleteAll(Iterable<String> locations) {
        SupportsBulkDelete.deleteEach(this, locations);
    }

    @Override
    public Iterable<BlobInfo> list(String prefix) {
        FileLocations.Prefix parsed = FileLocations.prefix(prefix);
        List<BlobInfo> found = new ArrayList<>();
        try {
            walk(parsed.directory(), parsed.directoryLocation(), parsed.namePrefix(), found);
        } catch (IOException e) {
            throw failure(prefix, "list", e);
        }
        return found;
    }

    /**
     * Deletes the temporary files ({@code .<name>.<random>.inprogress}) of writes under {@code prefix}
     * that a killed process left behind, and the directories under the prefix that are then empty.
     */
    @Override
    public int removeAbandonedWrites(String prefix) {
        return temps(prefix, true).size();
    }

    /** The temporary files of writes under {@code prefix}, with their size and last modification. */
    @Override
    public List<BlobInfo> findAbandonedWrites(String prefix) {
        return temps(prefix, false);
    }

    private static List<BlobInfo> temps(String prefix, boolean remove) {
        FileLocations.Prefix parsed = FileLocations.prefix(prefix);
        List<BlobInfo> found = new ArrayList<>();
        try {
            temps(parsed.directory(), parsed.directoryLocation(), parsed.namePrefix(), remove, found);
        } catch (IOException e) {
            throw failure(prefix, remove ? "removing abandoned writes" : "listing abandoned writes", e);
        }
        return found;
    }

    private static void temps(Path directory, String directoryLocation, String namePrefix, boolean remove,
            List<BlobInfo> found) throws IOException {
        List<Path> subdirectories = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                boolean temp = FileLocations.isTempName(name);
                if (!(temp ? name.substring(1) : name).startsWith(namePrefix)) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (attributes.isDirectory()) {
                    subdirectories.add(entry);
                } else if (temp && attributes.isRegularFile() && (!remove || Files.deleteIfExists(entry))) {
                    found.add(new BlobInfo(directoryLocation + name, attributes.size(),
                            attributes.lastModifiedTime().toInstant()));
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return;
        } catch (DirectoryIteratorException e) {
            if (!(e.getCause() instanceof NoSuchFileException)) {
                throw e.getCause();
            }
        }
        for (Path sub : subdirectories) {
            temps(sub, directoryLocation + sub.getFileName() + "/", "", remove, found);
            if (remove) {
                pruneIfEmpty(sub);
            }
        }
    }

    /** How many files commits and appends have forced to the device; lets tests see the durability path run. */
    long fileSyncCount() {
        return fileSyncs.get();
    }

    /** How many directories commits have forced to the device. */
    long directorySyncCount() {
        return directorySyncs.get();
    }

    private static void walk(Path directory, String directoryLocation, String namePrefix, List<BlobInfo> found)
            throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(namePrefix)) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (attributes.isDirectory()) {
                    walk(entry, directoryLocation + name + "/", "", found);
                } else if (attributes.isRegularFile() && !FileLocations.isTempName(name)) {
                    found.add(new BlobInfo(directoryLocation + name, attributes.size(),
                            attributes.lastModifiedTime().toInstant()));
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            // Nothing under this prefix, or the directory was pruned while we walked it.
        } catch (DirectoryIteratorException e) {
            if (!(e.getCause() instanceof NoSuchFileException)) {
                throw e.getCause();
            }
        }
    }

    private static void createDirectories(Path directory, List<Path> created) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = directory; p != null && !Files.exists(p); p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path next = missing.pop();
            try {
                Files.createDirectory(next);
                created.add(next);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(next)) {
                    throw e;
                }
            }
        }
    }

    private static void pruneIfEmpty(Path directory) {
        if (directory == null || !Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.delete(directory);
        } catch (DirectoryNotEmptyException | NoSuchFileException e) {
            // Still in use, or pruned by someone else: both fine.
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not remove empty directory " + directory, e);
        }
    }

    private static String tempName(String targetName) {
        StringBuilder name = new StringBuilder(".");
        targetName.codePoints().limit(64).forEach(name::appendCodePoint);
        return name.append('.').append(Long.toHexString(ThreadLocalRandom.current().nextLong()))
                .append(FileLocations.TEMP_SUFFIX).toString();
    }

    private static StorageException failure(String location, String what, IOException e) {
        return new StorageException(location + ": " + what + " failed: " + e, e);
    }

    /** Publishes {@code temp} as {@code target}; on success {@code temp} is gone. */
    private void publish(String location, Path temp, Path target) throws IOException {
        if (publishMode == PublishMode.HARD_LINK && !hardLinksUnsupported) {
            FileSystemException linkFailure;
            try {
                Files.createLink(target, temp);
                try {
                    Files.delete(temp);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, location + ": published, but the temporary file "
                            + temp + " could not be removed", e);
                }
                return;
            } catch (FileAlreadyExistsException e) {
                throw new BlobAlreadyExistsException(location);
            } catch (UnsupportedOperationException e) {
                linkFailure = new FileSystemException(temp.toString(), target.toString(), e.toString());
            } catch (FileSystemException e) {
                if (e.getClass() != FileSystemException.class) {
                    throw e;
                }
                linkFailure = e;
            }
            try {
                renameCreateOnly(location, temp, target);
            } catch (IOException | RuntimeException e) {
                e.addSuppressed(linkFailure);
                throw e;
            }
            hardLinksUnsupported = true;
            LOG.log(System.Logger.Level.WARNING, "hard links failed under " + target.getParent() + " ("
                    + linkFailure.getMessage() + "); publishing by rename from now on, which is create-only "
                    + "only while no two writers commit the same location at once");
            return;
        }
        renameCreateOnly(location, temp, target);
    }

    private static void renameCreateOnly(String location, Path temp, Path target) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new BlobAlreadyExistsException(location);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private void syncDirectory(Path directory) throws IOException {
        if (!DIRECTORY_SYNC_SUPPORTED) {
            return;
        }
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
        directorySyncs.incrementAndGet();
    }

    /** The bytes of one blob on their way to a temporary file. */
    private final class LocalOutputStream extends LocalChannelOutputStream {
        private final Path target;
        private final Path temp;
        private final List<Path> createdDirectories;

        LocalOutputStream(String location, Path target, Path temp, FileChannel channel, List<Path> createdDirectories) {
            super(location, channel, bufferSize, "blob");
            this.target = target;
            this.temp = temp;
            this.createdDirectories = List.copyOf(createdDirectories);
        }

        @Override
        public BlobInfo commit() {
            ensureWritable();
            try {
                drain();
                channel.force(true);
                fileSyncs.incrementAndGet();
                channel.close();
                publish(location, temp, target);
            } catch (IOException e) {
                throw abortAfter(failure(location, "commit", e));
            } catch (RuntimeException e) {
                throw abortAfter(e);
            }
            finished = true;
            committed = true;
            syncPublished();
            return new BlobInfo(location, position);
        }

        @Override
        public void close() {
            if (finished) {
                return;
            }
            finished = true;
            IOException problem = null;
            try {
                channel.close();
            } catch (IOException e) {
                problem = e;
            }
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                if (problem == null) {
                    problem = e;
                } else {
                    problem.addSuppressed(e);
                }
            }
            pruneIfEmpty(temp.getParent());
            if (problem != null) {
                throw failure(location, "abort", problem);
            }
        }

        private void syncPublished() {
            Set<Path> directories = new LinkedHashSet<>();
            directories.add(target.getParent());
            for (int i = createdDirectories.size() - 1; i >= 0; i--) {
                Path parent = createdDirectories.get(i).getParent();
                if (parent != null) {
                    directories.add(parent);
                }
            }
            try {
                for (Path directory : directories) {
                    syncDirectory(directory);
                }
            } catch (IOException e) {
                StorageException failure = failure(location, "commit (forcing directory to disk)", e);
                try {
                    Files.deleteIfExists(target);
                } catch (IOException undo) {
                    failure.addSuppressed(undo);
                }
                committed = false;
                throw failure;
            }
        }
    }

    /** A committed file: its length at open time and positioned reads over fresh channels. */
    private final class LocalInputBlob implements InputBlob {
        private final String location;
        private final Path path;
        private final long length;

        LocalInputBlob(String location, Path path, long length) {
            this.location = location;
            this.path = path;
            this.length = length;
        }

        @Override
        public String location() {
            return location;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public SeekableInputStream newStream() {
            return new LocalSeekableInputStream(location, openChannel(), length, bufferSize);
        }

        @Override
        public void readFully(long position, byte[] buffer, int offset, int len) {
            Objects.checkFromIndexSize(offset, len, buffer.length);
            if (position < 0 || position > length - len) {
                throw new StorageException(location + ": cannot read " + len + " bytes at position " + position
                        + ", the blob holds " + length + " bytes", new EOFException());
            }
            try (FileChannel channel = openChannel()) {
                ByteBuffer target = ByteBuffer.wrap(buffer, offset, len);
                long at = position;
                while (target.hasRemaining()) {
                    int n = channel.read(target, at);
                    if (n < 0) {
                        throw new StorageException(location + ": the file ended at " + at + " while reading "
                                + len + " bytes at position " + position, new EOFException());
                    }
                    at += n;
                }
            } catch (IOException e) {
                throw failure(location, "read at position " + position, e);
            }
        }

        private FileChannel openChannel() {
            try {
                return FileChannel.open(path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new BlobNotFoundException(location, e);
            } catch (IOException e) {
                throw failure(location, "open", e);
            }
        }
    }
}
