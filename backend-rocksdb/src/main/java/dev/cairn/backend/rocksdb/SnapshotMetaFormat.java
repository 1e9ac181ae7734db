package dev.cairn.backend.rocksdb;

import dev.cairn.blob.Locations;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.format.Envelope;
import dev.cairn.format.FormatReader;
import dev.cairn.format.FormatWriter;
import dev.cairn.format.snapshot.SerializerSnapshotCodec;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.state.StateDescriptor;
import dev.cairn.state.StateType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The meta-data stream of an incremental RocksDB snapshot, in an {@link Envelope} (magic
 * {@code CRKM}, version 2): the key serializer, max parallelism, key-group range and, per state,
 * its name, type, serializer, {@link Layout} and column family name; since version 2 also the
 * CRC32C of every file of the snapshot (private and shared, by name), which a restore checks
 * each downloaded file against, so that a file changed or replaced in storage (even by another
 * valid file of the same size) is refused before RocksDB opens it. Version 1 streams, without
 * checksums, are still read.
 */
final class SnapshotMetaFormat {
    static final int MAGIC = 0x43524B4D;
    static final int VERSION = 2;
    static final String FORMAT_NAME = "rocksdb snapshot meta data";
    /** Largest meta-data stream accepted. */
    static final int MAX_BYTES = 64 << 20;

    private SnapshotMetaFormat() {
    }

    /**
     * The decoded meta data.
     *
     * @param checksums the CRC32C of every file of the snapshot by name; empty for a version 1 stream
     */
    record Meta(SerializerSnapshot keySerializer, int maxParallelism, KeyGroupRange keyGroupRange,
            List<StateMeta> states, Map<String, Integer> checksums) {
        Meta {
            checksums = Collections.unmodifiableMap(new TreeMap<>(checksums));
        }

        Meta(SerializerSnapshot keySerializer, int maxParallelism, KeyGroupRange keyGroupRange,
                List<StateMeta> states) {
            this(keySerializer, maxParallelism, keyGroupRange, states, Map.of());
        }

        Meta withChecksums(Map<String, Integer> files) {
            return new Meta(keySerializer, maxParallelism, keyGroupRange, states, files);
        }
    }

    static byte[] write(Meta meta) {
        FormatWriter w = new FormatWriter();
        SerializerSnapshotCodec.write(w, meta.keySerializer());
        w.writeInt(meta.maxParallelism()).writeInt(meta.keyGroupRange().start()).writeInt(meta.keyGroupRange().end());
        w.writeInt(meta.states().size());
        for (StateMeta s : meta.states()) {
            w.writeString(s.name()).writeByte(s.type().code());
            SerializerSnapshotCodec.write(w, s.serializer());
            w.writeByte(s.layout().code).writeString(s.columnFamily());
        }
        w.writeInt(meta.checksums().size());
        for (Map.Entry<String, Integer> file : meta.checksums().entrySet()) {
            w.writeString(file.getKey()).writeInt(file.getValue());
        }
        return Envelope.seal(MAGIC, VERSION, w.toByteArray());
    }

    static Meta read(String file, byte[] bytes) {
        Envelope.Opened opened = Envelope.open(file, FORMAT_NAME, bytes, MAGIC, VERSION);
        FormatReader in = opened.body();
        SerializerSnapshot keySerializer = SerializerSnapshotCodec.read(in);
        int maxParallelism = in.readInt("max parallelism", 1, KeyGroups.UPPER_BOUND_MAX_PARALLELISM);
        int start = in.readInt("key-group range start", 0, maxParallelism - 1);
        int end = in.readInt("key-group range end", start - 1, maxParallelism - 1);
        if (end < start && start != 0) {
            throw in.corrupt("invalid key-group range [" + start + ", " + end + "]");
        }
        int count = in.readCount("state count", 4 + 1 + 13 + 1 + 4);
        List<StateMeta> states = new ArrayList<>(count);
        Set<String> names = new HashSet<>();
        Set<String> families = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String name = in.readString("state name", StateDescriptor.MAX_NAME_LENGTH * 4);
            if (name.isEmpty() || name.length() > StateDescriptor.MAX_NAME_LENGTH || !names.add(name)) {
                throw in.corrupt("empty, too long or repeated state name '" + name + "'");
            }
            int typeCode = in.readUnsignedByte();
            StateType type = StateType.ofCode(typeCode);
            if (type == null) {
                throw in.corrupt("unknown state type " + typeCode + " of state '" + name + "'");
            }
            SerializerSnapshot serializer = SerializerSnapshotCodec.read(in);
            int layoutCode = in.readUnsignedByte();
            Layout layout = Layout.ofCode(layoutCode);
            if (layout == null) {
                throw in.corrupt("unknown layout " + layoutCode + " of state '" + name + "'");
            }
            String family = in.readString("column family of state '" + name + "'", 1024);
            if (family.isEmpty() || family.equals("default") || !families.add(family)) {
                throw in.corrupt("invalid or repeated column family '" + family + "' of state '" + name + "'");
            }
            states.add(new StateMeta(name, type, serializer, layout, family));
        }
        Map<String, Integer> checksums = new TreeMap<>();
        if (opened.version() >= 2) {
            int files = in.readCount("file count", 4 + 1 + 4);
            for (int i = 0; i < files; i++) {
                String name = in.readString("file name", IncrementalKeyedStateHandle.MAX_FILE_NAME_LENGTH * 4);
                String problem = IncrementalKeyedStateHandle.fileNameProblem(name);
                if (problem != null) {
                    throw in.corrupt("file name '" + Locations.printable(name) + "' " + problem);
                }
                if (checksums.put(name, in.readInt()) != null) {
                    throw in.corrupt("file '" + name + "' has two checksums");
                }
            }
        }
        in.expectEnd();
        return new Meta(keySerializer, maxParallelism, new KeyGroupRange(start, end), states, checksums);
    }

    static void checkLength(String file, long length) {
        if (length > MAX_BYTES) {
            throw new CorruptCheckpointException(file, FORMAT_NAME + " of " + length + " bytes exceeds " + MAX_BYTES);
        }
    }
}
