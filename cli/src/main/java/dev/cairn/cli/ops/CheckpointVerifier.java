package dev.cairn.cli.ops;

import dev.cairn.backend.rocksdb.SstChecksums;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.Locations;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.StateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.CairnException;
import dev.cairn.filemerging.SegmentReader;
import dev.cairn.format.snapshot.KeyedSnapshotReader;
import dev.cairn.format.snapshot.OperatorSnapshotReader;
import dev.cairn.format.snapshot.OperatorStateMetaInfo;
import dev.cairn.format.snapshot.SnapshotStreams;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Reads every checkpoint and savepoint of a {@link CheckpointCatalog} and finds what would make a restore
 * fail: {@code _metadata} that does not parse, a file that is missing, has another size than recorded or
 * lies outside the checkpoint's root, a segment whose CRC32C does not match, an SST file whose block
 * checksums do not, key-group offsets past the end of their file, a block of a canonical keyed or operator
 * snapshot that fails its own checks. Each file is read once however many checkpoints refer to it.
 */
final class CheckpointVerifier {
    /** One problem: the file (or {@code _metadata}) it is about, the reason, and who refers to it. */
    record Problem(String file, String reason, List<String> referredBy) {
        String line() {
            return file + ": " + reason + (referredBy.isEmpty() ? "" : " (referred to by " + String.join(", ",
                    referredBy) + ")");
        }
    }

    record Result(int checkpoints, int files, long bytes, List<Problem> problems) {
    }

    private final OperatorTarget target;
    private final Path scratch;
    private final LongConsumer progress;

    CheckpointVerifier(OperatorTarget target, Path scratch, LongConsumer progress) {
        this.target = target;
        this.scratch = scratch;
        this.progress = progress;
    }

    /** The bytes {@link #verify} will read: what a progress bar counts to. */
    static long bytesToRead(CheckpointCatalog catalog) {
        long total = 0;
        for (Check check : checks(catalog).values()) {
            total += check.length();
        }
        return total;
    }

    Result verify(CheckpointCatalog catalog) {
        List<Problem> problems = new ArrayList<>();
        for (CheckpointCatalog.Entry entry : catalog.damaged()) {
            String metadata = metadataOf(entry.pointer());
            problems.add(new Problem(metadata, withoutFile(metadata, entry.problem().getMessage()), List.of()));
        }
        Map<String, Check> checks = checks(catalog);
        long bytes = 0;
        Set<String> files = new HashSet<>();
        for (Check check : checks.values()) {
            files.add(check.file());
            try {
                check.run(this);
            } catch (CairnException e) {
                problems.add(new Problem(check.file(), withoutFile(check.file(), e.getMessage()), check.referredBy()));
            }
            bytes += check.length();
        }
        problems.addAll(contentProblems(catalog));
        return new Result(catalog.entries.size(), files.size(), bytes, problems);
    }

    /**
     * Reads every canonical keyed snapshot (each key group's block: magic, version, CRC32C, key group) and
     * operator snapshot (every state's elements) through the storage, as a restore would, but into nothing.
     */
    private List<Problem> contentProblems(CheckpointCatalog catalog) {
        List<Problem> problems = new ArrayList<>();
        for (CheckpointCatalog.Entry entry : catalog.sound()) {
            for (OperatorSnapshot op : entry.checkpoint().metadata().operators()) {
                for (SubtaskSnapshot st : op.subtasks()) {
                    for (KeyedStateHandle h : st.keyedState()) {
                        if (h instanceof KeyGroupsStateHandle kg) {
                            check(problems, entry, kg.delegate(), op.operatorId(), () -> readKeyGroups(kg, op));
                        }
                    }
                    for (OperatorStateHandle h : st.operatorState()) {
                        check(problems, entry, h.delegate(), op.operatorId(), () -> readOperatorState(h, op));
                    }
                }
            }
        }
        return problems;
    }

    private void check(List<Problem> problems, CheckpointCatalog.Entry entry, StreamStateHandle stream,
            String operatorId, Runnable read) {
        try {
            read.run();
        } catch (CairnException e) {
            String file = SnapshotStreams.describe(stream, operatorId);
            if (problems.stream().noneMatch(p -> p.file().equals(file))) {
                problems.add(new Problem(file, withoutFile(file, e.getMessage()), List.of(entry.label())));
            }
        }
    }

    private void readKeyGroups(KeyGroupsStateHandle handle, OperatorSnapshot op) {
        try (KeyedSnapshotReader reader = KeyedSnapshotReader.open(handle, target.storage, op.operatorId())) {
            for (int keyGroup : handle.keyGroupRange()) {
                reader.readKeyGroup(keyGroup);
            }
        }
    }

    private void readOperatorState(OperatorStateHandle handle, OperatorSnapshot op) {
        try (OperatorSnapshotReader reader = OperatorSnapshotReader.open(handle, target.storage, op.operatorId())) {
            for (OperatorStateMetaInfo state : reader.states()) {
                reader.readElements(state.name());
            }
        }
    }

    /** One read: a whole file, or one segment of a merged file, with what it must satisfy. */
    private record Check(String file, StreamStateHandle stream, boolean sst, long[] keyGroupOffsets, String root,
            List<String> referredBy) {
        long length() {
            return stream.stateSize();
        }

        void run(CheckpointVerifier verifier) {
            if (!file.startsWith(root)) {
                throw new CairnException("lies outside the root " + root + " of the checkpoint that refers to it");
            }
            if (stream instanceof SegmentStateHandle segment) {
                verifier.readSegment(segment);
            } else if (stream instanceof FileStateHandle f) {
                verifier.readFile(f, sst, keyGroupOffsets);
            }
        }
    }

    private static Map<String, Check> checks(CheckpointCatalog catalog) {
        Map<String, Check> checks = new LinkedHashMap<>();
        for (CheckpointCatalog.Entry entry : catalog.sound()) {
            String root = entry.savepoint() ? Locations.directory(entry.pointer())
                    : Locations.parent(Locations.parent(entry.pointer()));
            for (StateHandle handle : entry.checkpoint().metadata().allHandles()) {
                long[] offsets = handle instanceof KeyGroupsStateHandle kg ? kg.offsets() : null;
                Map<StreamStateHandle, Boolean> streams = new LinkedHashMap<>();
                if (handle instanceof IncrementalKeyedStateHandle inc) {
                    inc.sharedState().forEach((name, s) -> streams.put(s, name.endsWith(".sst")));
                    inc.privateState().forEach((name, s) -> streams.put(s, name.endsWith(".sst")));
                    streams.put(inc.metaStateHandle(), false);
                } else {
                    handle.streams().forEach(s -> streams.put(s, false));
                }
                streams.forEach((s, sst) -> {
                    String file = s instanceof FileStateHandle f ? f.location()
                            : s instanceof SegmentStateHandle seg ? seg.physicalLocation() : null;
                    if (file == null) {
                        return;
                    }
                    String key = s instanceof SegmentStateHandle seg ? file + "@" + seg.offset() + "+" + seg.length()
                            : file;
                    checks.computeIfAbsent(key, k -> new Check(file, s, sst, offsets, root, new ArrayList<>()))
                            .referredBy().add(entry.label());
                });
            }
        }
        return checks;
    }

    private void readSegment(SegmentStateHandle segment) {
        try (SeekableInputStream in = SegmentReader.open(target.store, segment)) {
            drain(in, null);
        } catch (IOException e) {
            throw new CairnException("reading " + segment + " failed: " + e.getMessage(), e);
        }
    }

    private void readFile(FileStateHandle f, boolean sst, long[] keyGroupOffsets) {
        InputBlob blob;
        try {
            blob = target.store.open(f.location());
        } catch (BlobNotFoundException e) {
            throw new CairnException("does not exist");
        }
        if (blob.length() != f.stateSize()) {
            throw new CairnException("has " + blob.length() + " bytes, but " + f.stateSize() + " were recorded");
        }
        if (keyGroupOffsets != null) {
            for (long offset : keyGroupOffsets) {
                if (offset < -1 || offset > blob.length()) {
                    throw new CairnException("key-group offset " + offset + " lies outside its " + blob.length()
                            + " bytes");
                }
            }
        }
        Path copy = null;
        try (SeekableInputStream in = blob.newStream()) {
            if (sst) {
                copy = Files.createTempFile(scratch, "verify-", ".sst");
                try (OutputStream out = Files.newOutputStream(copy)) {
                    drain(in, out);
                }
                SstChecksums.verify(copy, f.location());
            } else {
                drain(in, null);
            }
        } catch (IOException e) {
            throw new CairnException("reading failed: " + e.getMessage(), e);
        } finally {
            if (copy != null) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException ignored) {
                    // a scratch file; the scratch directory is deleted with the run
                }
            }
        }
    }

    private void drain(SeekableInputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 << 10];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (out != null) {
                out.write(buffer, 0, n);
            }
            progress.accept(n);
        }
    }

    /** {@code message} without the {@code <file>: } a {@code CorruptCheckpointException} starts with. */
    private static String withoutFile(String file, String message) {
        return message.startsWith(file + ": ") ? message.substring(file.length() + 2) : message;
    }

    private static String metadataOf(String pointer) {
        return Locations.stripTrailingSlash(pointer) + "/_metadata";
    }
}
