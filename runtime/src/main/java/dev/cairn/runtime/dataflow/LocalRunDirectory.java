package dev.cairn.runtime.dataflow;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The local working directory of one {@link JobRunner} run: {@code <root>/run-<id>/}, held by an exclusive
 * file lock on its {@code .lock} file while the run lives. A process killed with {@code kill -9} loses its
 * lock, so the next run under the same root finds the directory unlocked and deletes it (RocksDB instances,
 * restore scratch space) instead of letting the leftovers of every crash pile up.
 */
final class LocalRunDirectory implements AutoCloseable {
    private static final String RUN_PREFIX = "run-";
    private static final String LOCK_FILE = ".lock";

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private LocalRunDirectory(Path path, FileChannel lockChannel, FileLock lock) {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Deletes the unlocked run directories under {@code root}, then creates and locks {@code run-<runId>}. */
    static LocalRunDirectory create(Path root, String runId) throws IOException {
        Files.createDirectories(root);
        deleteAbandonedRuns(root);
        return lock(Files.createDirectories(root.resolve(RUN_PREFIX + runId)));
    }

    static LocalRunDirectory createTemporary(String prefix) throws IOException {
        return lock(Files.createTempDirectory(prefix));
    }

    Path path() {
        return path;
    }

    private static LocalRunDirectory lock(Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IOException(dir + " is locked by another process");
            }
            return new LocalRunDirectory(dir, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Deletes the run directories under {@code root} that no live run holds (nothing if {@code root} does not exist). */
    static void deleteAbandonedRuns(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(root, RUN_PREFIX + "*")) {
            for (Path run : runs) {
                if (Files.isDirectory(run) && isAbandoned(run)) {
                    deleteRecursively(run);
                }
            }
        }
    }

    private static boolean isAbandoned(Path run) {
        Path lockFile = run.resolve(LOCK_FILE);
        if (!Files.exists(lockFile)) {
            return true;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (OverlappingFileLockException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Releases the lock and deletes the directory. */
    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            // the directory is deleted below either way
        }
        deleteRecursively(path);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a leftover is deleted by the next run under the same root
                }
            });
        } catch (IOException e) {
            // best effort, as above
        }
    }
}
