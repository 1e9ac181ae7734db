package dev.cairn.cli.ops;

import dev.cairn.blob.BlobInfo;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.StateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code cairn inspect} shows, as values that print as a table or serialize as JSON. */
record InspectReport(String directory, List<CheckpointView> checkpoints, List<SharedFileView> sharedFiles,
        List<MergedFileView> mergedFiles) {

    /** A checkpoint or savepoint; {@code problem} is set, and the rest empty, when its metadata was refused. */
    record CheckpointView(String pointer, String type, long checkpointId, String time, long stateSize,
            int files, List<OperatorView> operators, String problem) {
    }

    record OperatorView(String operatorId, int parallelism, int maxParallelism, List<SubtaskView> subtasks) {
    }

    record SubtaskView(int subtask, boolean finished, List<HandleView> handles) {
    }

    /** One state handle: its kind, key groups (keyed state), and the streams it is made of. */
    record HandleView(String kind, String keyGroups, long stateSize, List<StreamView> streams) {
    }

    /**
     * One stream: {@code role} (e.g. {@code shared 000012.sst}, {@code meta}, {@code data}), where its bytes
     * are (a file, a segment of a merged file, or inline in {@code _metadata}), its size and how many
     * checkpoints under the directory refer to its file.
     */
    record StreamView(String role, String storedAs, String location, long offset, long size, int references) {
    }

    record SharedFileView(String location, long size, int references) {
    }

    /** A merged physical file: its size, the bytes of its segments still referenced, and their ratio. */
    record MergedFileView(String location, long size, long referencedBytes, double amplification, int references) {
    }

    static InspectReport of(CheckpointCatalog catalog, String only) {
        List<CheckpointView> views = new ArrayList<>();
        for (CheckpointCatalog.Entry entry : catalog.entries) {
            if (only != null && !entry.pointer().equals(only)) {
                continue;
            }
            String type = entry.savepoint() ? "savepoint" : "checkpoint";
            if (!entry.sound()) {
                views.add(new CheckpointView(entry.pointer(), type, entry.checkpointId(), null, 0, 0, List.of(),
                        entry.problem().getMessage()));
                continue;
            }
            var metadata = entry.checkpoint().metadata();
            List<OperatorView> operators = new ArrayList<>();
            long size = 0;
            for (OperatorSnapshot op : metadata.operators()) {
                List<SubtaskView> subtasks = new ArrayList<>();
                for (SubtaskSnapshot st : op.subtasks()) {
                    List<HandleView> handles = new ArrayList<>();
                    for (KeyedStateHandle h : st.keyedState()) {
                        handles.add(handle(catalog, h));
                        size += h.stateSize();
                    }
                    for (OperatorStateHandle h : st.operatorState()) {
                        handles.add(handle(catalog, h));
                        size += h.stateSize();
                    }
                    subtasks.add(new SubtaskView(st.subtaskIndex(), st.finished(), handles));
                }
                operators.add(new OperatorView(op.operatorId(), op.parallelism(), op.maxParallelism(), subtasks));
            }
            views.add(new CheckpointView(entry.pointer(), type, metadata.checkpointId(),
                    Instant.ofEpochMilli(metadata.timestamp()).toString(), size,
                    CheckpointCatalog.referencedFiles(entry.checkpoint()).size(), operators, null));
        }
        List<SharedFileView> shared = new ArrayList<>();
        Map<String, long[]> merged = new LinkedHashMap<>();
        for (var e : catalog.references.entrySet()) {
            String file = e.getKey();
            if (file.contains("/" + FileCheckpointStorage.SHARED_DIR + "/" + FileCheckpointStorage.MERGED_DIR + "/")) {
                merged.put(file, new long[] {0});
            } else if (file.contains("/" + FileCheckpointStorage.SHARED_DIR + "/")) {
                BlobInfo info = catalog.files.get(file);
                shared.add(new SharedFileView(file, info == null ? -1 : info.length(), e.getValue().size()));
            }
        }
        Map<String, java.util.Set<String>> segments = new LinkedHashMap<>();
        for (CheckpointCatalog.Entry entry : catalog.sound()) {
            for (SegmentStateHandle s : FileCheckpointStorage.segments(entry.checkpoint().metadata())) {
                if (segments.computeIfAbsent(s.physicalLocation(), f -> new java.util.HashSet<>())
                        .add(s.offset() + ":" + s.length())) {
                    merged.computeIfAbsent(s.physicalLocation(), f -> new long[] {0})[0] += s.length();
                }
            }
        }
        List<MergedFileView> mergedViews = new ArrayList<>();
        for (var e : merged.entrySet()) {
            BlobInfo info = catalog.files.get(e.getKey());
            long length = info == null ? -1 : info.length();
            long referenced = e.getValue()[0];
            mergedViews.add(new MergedFileView(e.getKey(), length, referenced,
                    referenced == 0 || length < 0 ? 0 : (double) length / referenced,
                    catalog.referenceCount(e.getKey())));
        }
        return new InspectReport(catalog.root, views, shared, mergedViews);
    }

    private static HandleView handle(CheckpointCatalog catalog, StateHandle handle) {
        List<StreamView> streams = new ArrayList<>();
        if (handle instanceof IncrementalKeyedStateHandle inc) {
            inc.sharedState().forEach((name, s) -> streams.add(stream(catalog, "shared " + name, s)));
            inc.privateState().forEach((name, s) -> streams.add(stream(catalog, "private " + name, s)));
            streams.add(stream(catalog, "meta", inc.metaStateHandle()));
            return new HandleView("incremental (backend instance " + inc.backendId() + ")", range(inc.keyGroupRange()),
                    inc.stateSize(), streams);
        }
        if (handle instanceof KeyGroupsStateHandle kg) {
            streams.add(stream(catalog, "key groups", kg.delegate()));
            return new HandleView("keyed (full)", range(kg.keyGroupRange()), kg.stateSize(), streams);
        }
        if (handle instanceof OperatorStateHandle op) {
            streams.add(stream(catalog, "states " + String.join(",", op.states().keySet()), op.delegate()));
            return new HandleView("operator", null, op.stateSize(), streams);
        }
        for (StreamStateHandle s : handle.streams()) {
            streams.add(stream(catalog, "data", s));
        }
        String keyGroups = handle instanceof KeyedStateHandle k ? range(k.keyGroupRange()) : null;
        return new HandleView(handle.getClass().getSimpleName(), keyGroups, handle.stateSize(), streams);
    }

    private static StreamView stream(CheckpointCatalog catalog, String role, StreamStateHandle s) {
        if (s instanceof FileStateHandle f) {
            return new StreamView(role, "file", f.location(), 0, f.stateSize(), catalog.referenceCount(f.location()));
        }
        if (s instanceof SegmentStateHandle seg) {
            return new StreamView(role, "segment", seg.physicalLocation(), seg.offset(), seg.length(),
                    catalog.referenceCount(seg.physicalLocation()));
        }
        if (s instanceof InlineStateHandle inline) {
            return new StreamView(role, "inline", null, 0, inline.stateSize(), 0);
        }
        return new StreamView(role, s.getClass().getSimpleName(), null, 0, s.stateSize(), 0);
    }

    private static String range(dev.cairn.keygroup.KeyGroupRange range) {
        return range.isEmpty() ? "none" : range.start() + "-" + range.end();
    }
}
