package dev.cairn.cli.ops;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.Locations;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.StateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CairnException;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every checkpoint and savepoint under a directory (found by their {@code _metadata}, resolved or refused),
 * every file listed there, and which of them refers to which file: what {@code inspect}, {@code verify} and
 * {@code gc} read.
 */
final class CheckpointCatalog {
    /** A {@code _metadata} found under the directory: resolved, or refused with the reason. */
    record Entry(String pointer, boolean savepoint, long checkpointId, CompletedCheckpoint checkpoint,
            CairnException problem) {
        boolean sound() {
            return checkpoint != null;
        }

        String label() {
            return (savepoint ? "savepoint " : "checkpoint ") + (checkpointId >= 0 ? checkpointId + " " : "")
                    + "(" + Locations.name(pointer) + ")";
        }
    }

    final String root;
    final List<Entry> entries;
    final Map<String, BlobInfo> files;
    /** File or merged physical file → the sound entries that refer to it, in id order. */
    final Map<String, List<Entry>> references;

    private CheckpointCatalog(String root, List<Entry> entries, Map<String, BlobInfo> files,
            Map<String, List<Entry>> references) {
        this.root = root;
        this.entries = entries;
        this.files = files;
        this.references = references;
    }

    static CheckpointCatalog of(OperatorTarget target, String root) {
        Map<String, BlobInfo> files = new TreeMap<>();
        List<Entry> entries = new ArrayList<>();
        String suffix = "/" + FileCheckpointStorage.METADATA_FILE_NAME;
        for (BlobInfo info : target.list(root)) {
            files.put(info.location(), info);
        }
        for (String location : files.keySet()) {
            if (!location.endsWith(suffix)) {
                continue;
            }
            String pointer = location.substring(0, location.length() - suffix.length());
            String name = Locations.name(pointer);
            boolean savepoint = name.startsWith(FileCheckpointStorage.SAVEPOINT_DIR_PREFIX);
            Long id = FileCheckpointStorage.parseId(name);
            if (!savepoint && id == null) {
                continue;
            }
            try {
                CompletedCheckpoint checkpoint = target.storage.resolve(pointer);
                entries.add(new Entry(pointer, savepoint, checkpoint.checkpointId(), checkpoint, null));
            } catch (CairnException e) {
                entries.add(new Entry(pointer, savepoint, id == null ? -1 : id, null, e));
            }
        }
        entries.sort(Comparator.comparing(Entry::savepoint).thenComparingLong(Entry::checkpointId)
                .thenComparing(Entry::pointer));
        Map<String, List<Entry>> references = new LinkedHashMap<>();
        for (Entry entry : entries) {
            if (entry.sound()) {
                for (String file : referencedFiles(entry.checkpoint)) {
                    references.computeIfAbsent(file, f -> new ArrayList<>()).add(entry);
                }
            }
        }
        return new CheckpointCatalog(root, List.copyOf(entries), files, references);
    }

    /** The files and merged physical files {@code checkpoint} refers to, its {@code _metadata} included. */
    static List<String> referencedFiles(CompletedCheckpoint checkpoint) {
        List<String> files = new ArrayList<>();
        files.add(Locations.stripTrailingSlash(checkpoint.pointer()) + "/" + FileCheckpointStorage.METADATA_FILE_NAME);
        for (StateHandle handle : checkpoint.metadata().allHandles()) {
            for (StreamStateHandle stream : handle.streams()) {
                if (stream instanceof FileStateHandle f && !files.contains(f.location())) {
                    files.add(f.location());
                } else if (stream instanceof SegmentStateHandle s && !files.contains(s.physicalLocation())) {
                    files.add(s.physicalLocation());
                }
            }
        }
        return files;
    }

    List<Entry> sound() {
        return entries.stream().filter(Entry::sound).toList();
    }

    List<Entry> damaged() {
        return entries.stream().filter(e -> !e.sound()).toList();
    }

    Optional<Entry> find(String pointer) {
        String p = Locations.stripTrailingSlash(pointer);
        return entries.stream().filter(e -> e.pointer.equals(p)).findFirst();
    }

    int referenceCount(String file) {
        return references.getOrDefault(file, List.of()).size();
    }
}
