package dev.cairn.fuzz;

import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.StateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CairnException;
import dev.cairn.storage.fs.LocalBlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Structured mutations of one real checkpoint: every file it consists of ({@code _metadata} and every state file
 * its handles name: canonical snapshots, SSTs, RocksDB's private files and meta-data streams) is truncated, has
 * bits flipped in its first 4 KiB, or (an SST) is replaced by another valid file of the same size; after each
 * mutation the checkpoint is resolved and restored through {@link CheckpointFixture#restore} and the original bytes
 * are put back. A mutation counts as refused only if the restore throws a {@link CairnException} whose message
 * names the mutated file and leaves nothing in the backends' local directories; a restore that succeeds (with
 * the right state or not), an exception outside the hierarchy and a refusal that does not name the file are each
 * counted and listed.
 *
 * <p>Which offsets and bits: with {@code full}, every offset and every bit of the first 4 KiB of every file; else
 * a deterministic slice: every offset of files up to {@link #ALL_OFFSETS_BELOW} bytes and of {@code _metadata}, every
 * bit of {@code _metadata}, and a sample of the given size (seeded, the same each run) otherwise.
 */
final class MutationRun {
    static final int ALL_OFFSETS_BELOW = 512;
    static final int FLIP_WINDOW = 4096;

    private final CheckpointFixture fixture;
    private final String pointer;
    private final String expected;
    private final boolean full;
    private final int sample;
    private final Random random;
    private final long seed;
    private final Map<String, Long> tried = new TreeMap<>();
    private final Map<String, Long> refused = new TreeMap<>();
    private final Map<String, Long> byType = new TreeMap<>();
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Long> problemsByKey = new TreeMap<>();
    private long problemCount;
    private final long started = System.nanoTime();

    MutationRun(CheckpointFixture fixture, CompletedCheckpoint checkpoint, boolean full, int sample, long seed) {
        this.fixture = fixture;
        this.pointer = checkpoint.pointer();
        this.full = full;
        this.sample = sample;
        this.random = new Random(seed);
        this.seed = seed;
        this.expected = fixture.restore(pointer);
    }

    /** The files of the checkpoint: {@code _metadata} first, then each state file, with the kind of its content. */
    Map<Path, String> files() {
        CompletedCheckpoint c = fixture.storage().resolve(pointer);
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(LocalBlobStore.toPath(fixture.storage().metadataLocation(c.checkpointId())), "_metadata");
        for (OperatorSnapshot op : c.metadata().operators()) {
            for (SubtaskSnapshot st : op.subtasks()) {
                for (KeyedStateHandle h : st.keyedState()) {
                    if (h instanceof IncrementalKeyedStateHandle inc) {
                        add(files, inc.metaStateHandle(), "rocksdb meta-data");
                        inc.privateState().forEach((name, f) -> add(files, f, "rocksdb private file " + kind(name)));
                        inc.sharedState().forEach((name, f) -> add(files, f, "shared SST"));
                    } else {
                        add(files, h, "keyed snapshot");
                    }
                }
                for (OperatorStateHandle h : st.operatorState()) {
                    add(files, h.delegate(), "operator snapshot");
                }
            }
        }
        return files;
    }

    private static String kind(String name) {
        return name.replaceAll("[-0-9]+$", "").replaceAll("[0-9]+", "N");
    }

    private static void add(Map<Path, String> files, StateHandle h, String kind) {
        for (StreamStateHandle s : h.streams()) {
            if (s instanceof FileStateHandle f) {
                files.putIfAbsent(LocalBlobStore.toPath(f.location()), kind);
            }
        }
    }

    /** Truncates {@code file} at the chosen offsets. */
    void truncations(Path file, String kind) {
        byte[] original = read(file);
        boolean every = full || original.length <= ALL_OFFSETS_BELOW || kind.equals("_metadata");
        for (int length : choose(original.length, every)) {
            mutate(file, kind, "truncate", original, java.util.Arrays.copyOf(original, length));
        }
    }

    /** Flips the chosen bits of the first 4 KiB of {@code file}. */
    void bitFlips(Path file, String kind) {
        byte[] original = read(file);
        int bits = (kind.equals("_metadata") ? original.length : Math.min(original.length, FLIP_WINDOW)) * 8;
        boolean every = full || kind.equals("_metadata");
        for (int bit : choose(bits, every)) {
            byte[] mutated = original.clone();
            mutated[bit / 8] ^= (byte) (1 << (bit % 8));
            mutate(file, kind, "bit flip", original, mutated);
        }
    }

    /** Replaces {@code file} with {@code replacement}, a valid file of the same size from another checkpoint. */
    void swap(Path file, String kind, byte[] replacement) {
        byte[] original = read(file);
        if (replacement.length != original.length) {
            throw new IllegalArgumentException("a swap needs a file of the same size");
        }
        mutate(file, kind, "swap for another SST of the same size", original, replacement);
    }

    private List<Integer> choose(int n, boolean every) {
        TreeSet<Integer> picked = new TreeSet<>();
        if (every || n <= sample) {
            for (int i = 0; i < n; i++) {
                picked.add(i);
            }
        } else {
            picked.add(0);
            picked.add(n - 1);
            while (picked.size() < sample) {
                picked.add(random.nextInt(n));
            }
        }
        return new ArrayList<>(picked);
    }

    private void mutate(Path file, String kind, String mutation, byte[] original, byte[] mutated) {
        String key = kind + " | " + mutation;
        tried.merge(key, 1L, Long::sum);
        write(file, mutated);
        try {
            String restored = fixture.restore(pointer);
            problem(key, file, restored.equals(expected) ? "NOT REFUSED (state intact)"
                    : "NOT REFUSED, WRONG STATE RESTORED");
        } catch (CairnException e) {
            String message = String.valueOf(e.getMessage());
            List<Path> left = fixture.leftovers();
            if (!left.isEmpty()) {
                problem(key, file, "refused, but the failed restore left " + left);
            } else if (message.contains(file.getFileName().toString())) {
                refused.merge(key, 1L, Long::sum);
                byType.merge(e.getClass().getSimpleName(), 1L, Long::sum);
            } else {
                problem(key, file, "refused without naming the file: " + e);
            }
        } catch (RuntimeException | Error e) {
            problem(key, file, "refused outside the CairnException hierarchy: " + e);
        } finally {
            write(file, original);
        }
    }

    private void problem(String key, Path file, String what) {
        problemCount++;
        long ofKey = problemsByKey.merge(key, 1L, Long::sum);
        if (ofKey <= 3) {
            problems.add(key + " of " + file.getFileName() + ": " + what);
        }
    }

    long problemCount() {
        return problemCount;
    }

    List<String> problems() {
        return problems;
    }

    long tried() {
        return tried.values().stream().mapToLong(Long::longValue).sum();
    }

    long refused() {
        return refused.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The table of mutations tried and refused by file kind and mutation, and refusals by exception type. */
    String report(String backend) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "mutations of a %s checkpoint (%s, seed %d): %,d tried, %,d refused naming the file, %,d not, "
                + "in %.0f s%n",
                backend, full ? "full" : "slice, sample " + sample + " a file", seed, tried(), refused(), problemCount,
                (System.nanoTime() - started) / 1e9));
        out.append(String.format(Locale.ROOT, "| %-52s | %8s | %8s | %8s |%n", "file kind | mutation", "tried",
                "refused", "not"));
        tried.forEach((k, v) -> out.append(String.format(Locale.ROOT, "| %-52s | %8d | %8d | %8d |%n", k, v,
                refused.getOrDefault(k, 0L), problemsByKey.getOrDefault(k, 0L))));
        out.append("refused by exception type: ").append(byType).append(System.lineSeparator());
        out.append(problems.isEmpty() ? "" : "not refused (at most 3 of each kind):" + System.lineSeparator());
        problems.forEach(p -> out.append("  ").append(p).append(System.lineSeparator()));
        return out.toString();
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
