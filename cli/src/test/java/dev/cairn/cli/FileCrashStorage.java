package dev.cairn.cli;

import dev.cairn.checkpoint.CheckpointScan;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.storage.fs.LocalBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The crash test's checkpoints in a local directory ({@code file://}): scanned through a
 * {@link LocalBlobStore}, the orphan check walks the real file system under the job directory.
 */
final class FileCrashStorage implements CrashStorage {
    private final Path checkpoints;
    /** Whether the demo gets an explicit {@code --storage} (otherwise it uses its data directory's default). */
    private final boolean explicit;

    /**
     * @param checkpoints the checkpoint base directory
     * @param explicit    pass {@code --storage file://<checkpoints>} to the demo; false when {@code checkpoints}
     *                    is the demo's default, {@code <data-dir>/checkpoints}
     */
    FileCrashStorage(Path checkpoints, boolean explicit) {
        this.checkpoints = checkpoints.toAbsolutePath().normalize();
        this.explicit = explicit;
    }

    Path jobDir() {
        return checkpoints.resolve(DemoCommand.JOB_ID);
    }

    @Override
    public List<String> demoOptions() {
        return explicit ? List.of("--storage", "file://" + checkpoints) : List.of();
    }

    @Override
    public CheckpointScan scan() {
        try (LocalBlobStore store = new LocalBlobStore()) {
            return new FileCheckpointStorage(store, "file://" + checkpoints, DemoCommand.JOB_ID).scan();
        }
    }

    @Override
    public List<String> orphans() throws IOException {
        List<String> found = new ArrayList<>();
        Path job = jobDir();
        if (Files.isDirectory(job)) {
            try (Stream<Path> walk = Files.walk(job)) {
                walk.filter(p -> !p.equals(job) && !p.equals(job.resolve(JOB_ENDED)))
                        .sorted(Comparator.naturalOrder())
                        .forEach(p -> found.add(p + (Files.isDirectory(p) ? "/" : "")));
            }
        }
        if (!Files.isRegularFile(job.resolve(JOB_ENDED))) {
            found.add("(missing) " + job.resolve(JOB_ENDED));
        }
        return found;
    }

    @Override
    public String listing() throws IOException {
        return CrashHarness.walk(jobDir());
    }

    @Override
    public void deleteAll() throws IOException {
        CrashHarness.deleteRecursively(checkpoints);
    }

    @Override
    public String summary() {
        return "file://" + checkpoints;
    }

    @Override
    public void close() {
    }
}
