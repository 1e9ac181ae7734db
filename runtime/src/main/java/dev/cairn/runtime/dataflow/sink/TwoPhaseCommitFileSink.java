package dev.cairn.runtime.dataflow.sink;

import dev.cairn.error.CairnException;
import dev.cairn.error.StorageException;
import dev.cairn.runtime.dataflow.api.OperatorContext;
import dev.cairn.runtime.dataflow.api.Output;
import dev.cairn.runtime.dataflow.api.StreamOperator;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ListState;
import dev.cairn.state.ListStateDescriptor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A sink that writes each record as one line to files in a directory, exactly once, with a two-phase
 * commit tied to checkpoints:
 * <ol>
 * <li>records go to an in-progress file {@code .inprogress-<attempt>-<subtask>-<n>};</li>
 * <li>pre-commit, on the barrier of checkpoint {@code c}: flush, fsync, atomically rename it to
 * {@code .pending-<c>-<attempt>-<subtask>-<n>}, and keep its name in operator state;</li>
 * <li>commit, when a checkpoint {@code >= c} completed: atomically rename it to
 * {@code part-<c>-<attempt>-<subtask>-<n>}, the only files readers look at;</li>
 * <li>on restore: commit the pending files named in the restored state (a commit that already happened is
 * recognised), then delete leftovers of earlier attempts: in-progress files, and pending files of
 * checkpoints newer than the restored one (they were never part of a completed checkpoint).</li>
 * </ol>
 * Without a final checkpoint (checkpointing off) the last file is committed directly at the end of input.
 * Lines must not contain line breaks.
 *
 * @param <T> the records; {@code formatter} turns each into its line
 */
public final class TwoPhaseCommitFileSink<T> implements StreamOperator<T, Void> {
    /** Prefix of committed files. */
    public static final String COMMITTED_PREFIX = "part-";
    static final String PENDING_PREFIX = ".pending-";
    static final String IN_PROGRESS_PREFIX = ".inprogress-";
    private static final ListStateDescriptor<String> PENDING_STATE = new ListStateDescriptor<>("cairn.2pc-pending",
            Serializers.STRING);

    private final Path directory;
    private final Function<? super T, String> formatter;
    private OperatorContext context;
    private ListState<String> state;
    private final List<String> pending = new ArrayList<>();
    private String tag;
    private long sequence;
    private Path inProgress;
    private FileChannel channel;
    private OutputStream out;

    public TwoPhaseCommitFileSink(Path directory, Function<? super T, String> formatter) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.formatter = Objects.requireNonNull(formatter, "formatter");
    }

    @Override
    public void open(OperatorContext ctx) {
        this.context = ctx;
        this.tag = ctx.attemptId() + "-" + ctx.subtaskIndex();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StorageException(directory + ": creating the sink directory failed", e);
        }
        state = ctx.operatorState().getListState(PENDING_STATE);
        if (ctx.isRestored()) {
            for (String name : state.get()) {
                commit(name);
            }
        }
        state.update(List.of());
        deleteLeftovers(ctx.restoredCheckpointId().orElse(0));
    }

    @Override
    public void processElement(T record, Output<Void> ignored) {
        try {
            if (out == null) {
                inProgress = directory.resolve(IN_PROGRESS_PREFIX + tag + "-" + sequence++);
                channel = FileChannel.open(inProgress, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            }
            out.write(formatter.apply(record).getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        } catch (IOException e) {
            throw new StorageException(inProgress + ": writing a record failed", e);
        }
    }

    @Override
    public void snapshotState(long checkpointId) {
        if (out != null) {
            Path target = directory.resolve(PENDING_PREFIX + checkpointId + "-" + inProgress.getFileName().toString()
                    .substring(IN_PROGRESS_PREFIX.length()));
            closeDurably();
            move(inProgress, target);
            pending.add(target.getFileName().toString());
            inProgress = null;
        }
        state.update(List.copyOf(pending));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        List<String> done = new ArrayList<>();
        for (String name : pending) {
            if (checkpointOf(name) <= checkpointId) {
                commit(name);
                done.add(name);
            }
        }
        pending.removeAll(done);
    }

    @Override
    public void finish(Output<Void> ignored) {
        if (out != null && !context.finalCheckpointExpected()) {
            Path target = directory.resolve(COMMITTED_PREFIX + "end-" + inProgress.getFileName().toString()
                    .substring(IN_PROGRESS_PREFIX.length()));
            closeDurably();
            move(inProgress, target);
            inProgress = null;
        }
    }

    @Override
    public void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // the in-progress file is a leftover either way; the next attempt deletes it
            }
            out = null;
            channel = null;
        }
    }

    /** The lines of every committed file in {@code directory}, file by file in name order. */
    public static List<String> readCommitted(Path directory) {
        List<String> lines = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return lines;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith(COMMITTED_PREFIX)).sorted().toList()) {
                lines.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new StorageException(directory + ": reading the committed output failed", e);
        }
        return lines;
    }

    private void closeDurably() {
        try {
            out.flush();
            channel.force(true);
            out.close();
        } catch (IOException e) {
            throw new StorageException(inProgress + ": flushing the in-progress file failed", e);
        } finally {
            out = null;
            channel = null;
        }
    }

    private void commit(String pendingName) {
        if (!pendingName.startsWith(PENDING_PREFIX) || pendingName.contains("/") || pendingName.contains("\\")) {
            throw new CairnException(directory + ": the sink state names '" + pendingName
                    + "', which is not a pending file of this sink");
        }
        Path source = directory.resolve(pendingName);
        Path target = directory.resolve(COMMITTED_PREFIX + pendingName.substring(PENDING_PREFIX.length()));
        if (Files.exists(source)) {
            move(source, target);
        } else if (!Files.exists(target)) {
            throw new CairnException(source + ": the pre-committed file is missing and was never committed;"
                    + " the sink output is incomplete");
        }
    }

    private void deleteLeftovers(long restoredCheckpointId) {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                boolean mine = name.contains(context.attemptId() + "-");
                boolean leftover = name.startsWith(IN_PROGRESS_PREFIX) && !mine
                        || name.startsWith(PENDING_PREFIX) && !mine && checkpointOf(name) > restoredCheckpointId;
                if (leftover) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (NoSuchFileException e) {
            // another subtask deleted it first
        } catch (IOException e) {
            throw new StorageException(directory + ": deleting leftovers of earlier attempts failed", e);
        }
    }

    private static long checkpointOf(String pendingName) {
        int start = PENDING_PREFIX.length();
        int end = pendingName.indexOf('-', start);
        try {
            return Long.parseLong(pendingName.substring(start, end));
        } catch (RuntimeException e) {
            throw new CairnException("'" + pendingName + "' is not a pending file name of the two-phase-commit sink");
        }
    }

    private void move(Path source, Path target) {
        try {
            try {
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new StorageException(directory + ": the file system cannot rename atomically", e);
            }
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException e) {
                // some platforms cannot fsync a directory; the rename itself is atomic
            }
        } catch (IOException e) {
            throw new StorageException(source + ": renaming to " + target.getFileName() + " failed", e);
        }
    }
}
