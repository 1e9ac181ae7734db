package dev.cairn.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle.StateMetaInfo;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.UnsupportedVersionException;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.state.RedistributionMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetadataFormatTest {
    private static final String ROOT = "file:///data/checkpoints/";
    private static final String FILE = "file:///data/checkpoints/job/chk-7/_metadata";

    static CheckpointMetadata sample() {
        Map<String, StateMetaInfo> states = new LinkedHashMap<>();
        states.put("split", new StateMetaInfo(RedistributionMode.SPLIT, new long[] {0, 5}));
        states.put("union", new StateMetaInfo(RedistributionMode.UNION, new long[] {7}));
        states.put("broadcast", new StateMetaInfo(RedistributionMode.BROADCAST, new long[] {}));
        byte[] twelve = "twelve bytes".getBytes(StandardCharsets.UTF_8);
        SubtaskSnapshot s0 = new SubtaskSnapshot(0,
                List.of(new KeyGroupsStateHandle(KeyGroupRange.of(0, 3), new long[] {0, 10, 10, 40},
                        new FileStateHandle(ROOT + "job/chk-7/4c1d", 40))),
                List.of(new OperatorStateHandle(states, new InlineStateHandle(twelve)),
                        new OperatorStateHandle(Map.of(), new FileStateHandle(ROOT + "job/taskowned/t1", 0))),
                false);
        SubtaskSnapshot s1 = new SubtaskSnapshot(1,
                List.of(new KeyGroupsStateHandle(KeyGroupRange.of(4, 7), new long[] {0, 1, 2, 3},
                        new InlineStateHandle(new byte[] {1, 2, 3, 4})),
                        new KeyGroupsStateHandle(KeyGroupRange.EMPTY, new long[0],
                                new FileStateHandle(ROOT + "job/shared/s%20x", 1L << 40))),
                List.of(), true);
        return new CheckpointMetadata(7, 1_700_000_000_123L, List.of(
                new OperatorSnapshot("source", 2, 8, List.of(s1, s0)),
                new OperatorSnapshot("sink \u00e9", 1, 1, List.of(new SubtaskSnapshot(0, List.of(), List.of(), false))),
                new OperatorSnapshot("idle", 3, 128, List.of())));
    }

    @Test
    void roundTripsEveryHandleType() {
        CheckpointMetadata md = sample();
        CheckpointMetadata back = MetadataFormat.read(FILE, MetadataFormat.write(md, ROOT), ROOT);
        assertThat(back).isEqualTo(md);
        assertThat(back.allHandles()).isEqualTo(md.allHandles());
    }

    @Test
    void filePathsAreStoredRelativeToTheRootAndResolvedOnRead() {
        byte[] bytes = MetadataFormat.write(sample(), "file:///data/checkpoints");
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertThat(text).contains("job/chk-7/4c1d").doesNotContain("file:").doesNotContain("/data/");
        CheckpointMetadata moved = MetadataFormat.read(FILE, bytes, "s3://bucket/moved");
        assertThat(moved.allHandles().stream().flatMap(h -> h.streams().stream()))
                .contains(new FileStateHandle("s3://bucket/moved/job/chk-7/4c1d", 40),
                        new FileStateHandle("s3://bucket/moved/job/shared/s%20x", 1L << 40));
    }

    @Test
    void writeRefusesFilesOutsideTheRoot() {
        for (String location : List.of("s3://other-bucket/x", "file:///data/other/x", "file:///data/checkpoints",
                "file:///data/checkpoints/", "file:///data/checkpoints/../x", "file:///data/checkpointsX/y")) {
            CheckpointMetadata md = withStream(new FileStateHandle(location, 1));
            assertThatThrownBy(() -> MetadataFormat.write(md, ROOT)).as(location)
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("not inside the checkpoint root");
        }
    }

    @Test
    void writeRefusesInvalidOperators() {
        SubtaskSnapshot empty = new SubtaskSnapshot(0, List.of(), List.of(), false);
        List<CheckpointMetadata> bad = List.of(
                new CheckpointMetadata(1, 0, List.of(new OperatorSnapshot("a", 0, 4, List.of()))),
                new CheckpointMetadata(1, 0, List.of(new OperatorSnapshot("a", 5, 4, List.of()))),
                new CheckpointMetadata(1, 0, List.of(new OperatorSnapshot("a", 1, 1 << 16, List.of()))),
                new CheckpointMetadata(1, 0, List.of(new OperatorSnapshot("a", 1, 4, List.of(empty)),
                        new OperatorSnapshot("a", 1, 4, List.of()))),
                new CheckpointMetadata(1, 0, List.of(new OperatorSnapshot("a", 1, 4, List.of(empty, empty)))),
                new CheckpointMetadata(1, 0, List.of(new OperatorSnapshot("a", 1, 4,
                        List.of(new SubtaskSnapshot(1, List.of(), List.of(), false))))),
                new CheckpointMetadata(1, 0, List.of(new OperatorSnapshot("a", 1, 4, List.of(new SubtaskSnapshot(0,
                        List.of(new KeyGroupsStateHandle(KeyGroupRange.of(0, 4), new long[5],
                                new InlineStateHandle(new byte[0]))), List.of(), false))))));
        for (CheckpointMetadata md : bad) {
            assertThatThrownBy(() -> MetadataFormat.write(md, ROOT)).isInstanceOf(CheckpointException.class);
        }
    }

    @Test
    void writeRefusesOffsetsBeyondTheStream() {
        CheckpointMetadata md = new CheckpointMetadata(1, 0, List.of(new OperatorSnapshot("a", 1, 4, List.of(
                new SubtaskSnapshot(0, List.of(new KeyGroupsStateHandle(KeyGroupRange.of(0, 0), new long[] {3},
                        new InlineStateHandle(new byte[2]))), List.of(), false)))));
        assertThatThrownBy(() -> MetadataFormat.write(md, ROOT)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("outside [0, 2]");
    }

    @Test
    void everyTruncationIsRefusedNamingTheFile() {
        byte[] bytes = MetadataFormat.write(sample(), ROOT);
        for (int len = 0; len < bytes.length; len++) {
            byte[] cut = Arrays.copyOf(bytes, len);
            assertThatThrownBy(() -> MetadataFormat.read(FILE, cut, ROOT)).as("cut at %d", len)
                    .isInstanceOf(CorruptCheckpointException.class).hasMessageStartingWith(FILE);
        }
    }

    @Test
    void everyBitFlipIsRefusedNamingTheFile() {
        byte[] bytes = MetadataFormat.write(sample(), ROOT);
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            byte[] flipped = bytes.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> MetadataFormat.read(FILE, flipped, ROOT)).as("bit %d", bit)
                    .isInstanceOf(CorruptCheckpointException.class).hasMessageStartingWith(FILE);
        }
    }

    @Test
    void truncatedBodiesWithAValidChecksumAreRefusedByTheParser() {
        byte[] body = body(MetadataFormat.write(sample(), ROOT));
        for (int len = 0; len < body.length; len++) {
            byte[] resealed = Envelope.seal(MetadataFormat.MAGIC, 1, Arrays.copyOf(body, len));
            assertThatThrownBy(() -> MetadataFormat.read(FILE, resealed, ROOT)).as("body cut at %d", len)
                    .isInstanceOf(CorruptCheckpointException.class).hasMessageStartingWith(FILE);
        }
    }

    @Test
    void wrongMagicIsRefused() {
        byte[] bytes = Envelope.seal(0x12345678, 1, body(MetadataFormat.write(sample(), ROOT)));
        assertThatThrownBy(() -> MetadataFormat.read(FILE, bytes, ROOT))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(FILE).hasMessageContaining("magic");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 0xFFFF})
    void unsupportedVersionsAreRefused(int version) {
        byte[] bytes = Envelope.seal(MetadataFormat.MAGIC, version, body(MetadataFormat.write(sample(), ROOT)));
        assertThatThrownBy(() -> MetadataFormat.read(FILE, bytes, ROOT))
                .isInstanceOf(UnsupportedVersionException.class).hasMessageContaining(FILE)
                .hasMessageContaining("version " + version);
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] body = body(MetadataFormat.write(sample(), ROOT));
        byte[] longer = Arrays.copyOf(body, body.length + 1);
        assertCorrupt(seal(longer), "trailing");
    }

    @Test
    void unknownHandleTagIsRefused() {
        assertCorrupt(seal(oneKeyed(w -> w.writeByte(9))), "tag 9 at offset");
        assertCorrupt(seal(oneKeyed(w -> w.writeByte(HandleFormat.TAG_INLINE).writeBytes(new byte[1]))),
                "not allowed here");
        assertCorrupt(seal(oneKeyed(w -> w.writeByte(HandleFormat.TAG_KEY_GROUPS).writeInt(0).writeInt(0)
                .writeByte(HandleFormat.TAG_KEY_GROUPS))), "expected a stream state handle");
        assertCorrupt(seal(oneKeyed(w -> w.writeByte(HandleFormat.TAG_KEY_GROUPS).writeInt(0).writeInt(0)
                .writeByte(0))), "tag 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "job/../../escape", "/etc/passwd", "hdfs://namenode/x", "s3://other-bucket/x",
        "job//x", "job/./x", "job\\..\\x", "job/x\u0000", "%2e%2e/x", "job/%2E%2E/%2e%2e/%2e%2e/x", "%252e%252e/x",
        "job%2f..%2f..%2fx", ".", "", "C:/x", "job/chk-1/"})
    void escapingPathsAreRefused(String path) {
        byte[] bytes = seal(oneKeyed(keyGroups(0, 0, file(path, 10), 0L)));
        assertThatThrownBy(() -> MetadataFormat.read(FILE, bytes, ROOT))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageStartingWith(FILE)
                .hasMessageContaining("state file path")
                .satisfies(e -> assertThat(((CorruptCheckpointException) e).file()).isEqualTo(FILE));
    }

    @Test
    void hugeCountsFailFastWithoutAllocating() {
        long before = usedMemory();
        assertCorrupt(padded(prefix(Integer.MAX_VALUE).toByteArray()), "operator count 2147483647 exceeds");
        assertCorrupt(padded(prefix(-1).toByteArray()), "negative operator count");
        assertCorrupt(padded(op(w -> w.writeInt(Integer.MAX_VALUE))), "subtask count");
        assertCorrupt(padded(subtask(w -> w.writeInt(Integer.MAX_VALUE))), "keyed handle count");
        assertCorrupt(padded(subtask(w -> w.writeInt(0).writeInt(0x7FFFFFF0))), "operator handle count");
        assertCorrupt(padded(oneKeyed(w -> w.writeByte(HandleFormat.TAG_KEY_GROUPS).writeInt(0).writeInt(0)
                .writeByte(HandleFormat.TAG_INLINE).writeInt(Integer.MAX_VALUE))), "inline state length");
        assertCorrupt(padded(oneKeyed(w -> w.writeByte(HandleFormat.TAG_KEY_GROUPS).writeInt(0).writeInt(0)
                .writeByte(HandleFormat.TAG_FILE).writeInt(Integer.MAX_VALUE))), "state file path length");
        assertCorrupt(padded(oneKeyed(keyGroups(0, 0, inline(4), Integer.MAX_VALUE, new long[0]))), "key-group offset count");
        assertCorrupt(padded(oneOperatorHandle(w -> w.writeInt(Integer.MAX_VALUE))), "operator state count");
        assertCorrupt(padded(oneOperatorHandle(w -> w.writeInt(1).writeString("s").writeByte(0)
                .writeInt(Integer.MAX_VALUE))), "offset count of operator state 's'");
        assertThat(usedMemory() - before).isLessThan(256L * 1024 * 1024);
    }

    @Test
    void offsetsMustLieWithinTheStream() {
        assertCorrupt(seal(oneKeyed(keyGroups(0, 1, inline(4), 2, 0L, 5L))), "offset of key group 1 5 outside [0, 4]");
        assertCorrupt(seal(oneKeyed(keyGroups(0, 0, inline(4), 1, -1L))), "outside [0, 4]");
        assertCorrupt(seal(oneKeyed(keyGroups(0, 0, file("job/x", 100), 1, 101L))), "outside [0, 100]");
        assertCorrupt(seal(oneOperatorHandle(w -> w.writeInt(1).writeString("s").writeByte(1).writeInt(1)
                .writeLong(5))), "offset of operator state 's' 5 outside [0, 4]");
    }

    @Test
    void keyGroupRangesMustBeValid() {
        assertCorrupt(seal(oneKeyed(keyGroups(-1, 0, inline(4), 2, 0L, 0L))), "invalid key-group range");
        assertCorrupt(seal(oneKeyed(keyGroups(3, 1, inline(4), 0))), "invalid key-group range");
        assertCorrupt(seal(oneKeyed(keyGroups(2, 1, inline(4), 0))), "invalid key-group range");
        assertCorrupt(seal(oneKeyed(keyGroups(0, 4, inline(4), 5, 0L, 0L, 0L, 0L, 0L))), "max parallelism 4");
        assertCorrupt(seal(oneKeyed(keyGroups(0, 1, inline(4), 1, 0L))), "1 key-group offsets for the 2 key groups");
    }

    @Test
    void operatorsAndSubtasksMustBeConsistent() {
        assertCorrupt(seal(prefix(1).writeString("a").writeInt(0).writeInt(4).writeInt(0).toByteArray()),
                "parallelism 0");
        assertCorrupt(seal(prefix(1).writeString("a").writeInt(5).writeInt(4).writeInt(0).toByteArray()),
                "parallelism 5");
        assertCorrupt(seal(prefix(1).writeString("a").writeInt(1).writeInt(1 << 16).writeInt(0).toByteArray()),
                "max parallelism 65536");
        assertCorrupt(seal(prefix(2).writeString("a").writeInt(1).writeInt(4).writeInt(0)
                .writeString("a").writeInt(1).writeInt(4).writeInt(0).toByteArray()), "appears twice");
        byte[] twoSubtasks = prefix(1).writeString("a").writeInt(1).writeInt(4).writeInt(2)
                .writeInt(0).writeBoolean(false).writeInt(0).writeInt(0)
                .writeInt(0).writeBoolean(false).writeInt(0).writeInt(0).toByteArray();
        assertCorrupt(seal(twoSubtasks), "2 subtasks at parallelism 1");
        byte[] repeated = prefix(1).writeString("a").writeInt(2).writeInt(4).writeInt(2)
                .writeInt(1).writeBoolean(false).writeInt(0).writeInt(0)
                .writeInt(1).writeBoolean(false).writeInt(0).writeInt(0).toByteArray();
        assertCorrupt(seal(repeated), "subtask 1 of operator 'a' appears twice");
        assertCorrupt(seal(prefix(1).writeString("a").writeInt(2).writeInt(4).writeInt(1)
                .writeInt(2).writeBoolean(false).writeInt(0).writeInt(0).toByteArray()), "subtask index");
        assertCorrupt(seal(prefix(1).writeString("a").writeInt(1).writeInt(4).writeInt(1)
                .writeInt(0).writeByte(7).writeInt(0).writeInt(0).toByteArray()), "invalid boolean 7");
    }

    @Test
    void malformedValuesAreRefused() {
        assertCorrupt(seal(new FormatWriter().writeLong(-5).writeLong(0).writeInt(0).toByteArray()), "checkpoint id");
        assertCorrupt(seal(prefix(1).writeBytes(new byte[] {(byte) 0xC3, 0x28}).writeInt(1).writeInt(1).writeInt(0)
                .toByteArray()), "not valid UTF-8");
        assertCorrupt(seal(oneKeyed(keyGroups(0, 0, w -> w.writeByte(HandleFormat.TAG_FILE).writeString("job/x")
                .writeLong(-1), 1, 0L))), "size of state file");
        assertCorrupt(seal(oneOperatorHandle(w -> w.writeInt(1).writeString("s").writeByte(3).writeInt(0))),
                "unknown redistribution mode 3");
        assertCorrupt(seal(oneOperatorHandle(w -> w.writeInt(2).writeString("s").writeByte(0).writeInt(0)
                .writeString("s").writeByte(1).writeInt(0))), "operator state 's' appears twice");
    }

    @Test
    void sizeCapAppliesBeforeParsing() {
        byte[] bytes = MetadataFormat.write(sample(), ROOT);
        assertThat(MetadataFormat.read(FILE, bytes, ROOT, bytes.length)).isEqualTo(sample());
        assertThatThrownBy(() -> MetadataFormat.read(FILE, bytes, ROOT, bytes.length - 1))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(FILE)
                .hasMessageContaining("exceeds the maximum metadata size");
        assertThatThrownBy(() -> MetadataFormat.checkSize(FILE, 1L << 40, MetadataFormat.DEFAULT_MAX_SIZE))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(String.valueOf(1L << 40));
    }

    static IncrementalKeyedStateHandle incremental() {
        Map<String, dev.cairn.checkpoint.StreamStateHandle> shared = new LinkedHashMap<>();
        shared.put("000012.sst", new FileStateHandle(ROOT + "job/shared/a1", 4096));
        shared.put("000009.sst", new InlineStateHandle(new byte[] {9, 9}));
        Map<String, dev.cairn.checkpoint.StreamStateHandle> privateFiles = new LinkedHashMap<>();
        privateFiles.put("MANIFEST-000005", new FileStateHandle(ROOT + "job/chk-7/m5", 300));
        privateFiles.put("CURRENT", new InlineStateHandle("MANIFEST-000005\n".getBytes(StandardCharsets.UTF_8)));
        return new IncrementalKeyedStateHandle("backend-\u00e9-1", 7, KeyGroupRange.of(2, 5), shared, privateFiles,
                new InlineStateHandle(new byte[] {1, 2, 3}), 4096 + 300);
    }

    @Test
    void roundTripsIncrementalHandles() {
        IncrementalKeyedStateHandle handle = incremental();
        IncrementalKeyedStateHandle empty = new IncrementalKeyedStateHandle("b", 0, KeyGroupRange.EMPTY, Map.of(),
                Map.of(), new FileStateHandle(ROOT + "job/chk-7/meta", 0), 0);
        CheckpointMetadata md = new CheckpointMetadata(7, 1, List.of(new OperatorSnapshot("a", 2, 8, List.of(
                new SubtaskSnapshot(0, List.of(handle), List.of(), false),
                new SubtaskSnapshot(1, List.of(empty), List.of(), false)))));
        byte[] bytes = MetadataFormat.write(md, ROOT);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).contains("job/shared/a1").doesNotContain("/data/");
        CheckpointMetadata back = MetadataFormat.read(FILE, bytes, ROOT);
        assertThat(back).isEqualTo(md);
        IncrementalKeyedStateHandle read = (IncrementalKeyedStateHandle) back.operators().get(0).subtasks().get(0)
                .keyedState().get(0);
        assertThat(read.sharedState().keySet()).containsExactly("000009.sst", "000012.sst");
        assertThat(read.checkpointedSize()).isEqualTo(4396);
        assertThat(read.stateSize()).isEqualTo(3 + 4096 + 2 + 300 + 16);
        assertThat(read.streams()).hasSize(5).contains(new FileStateHandle(ROOT + "job/shared/a1", 4096));
        CheckpointMetadata moved = MetadataFormat.read(FILE, bytes, "s3://bucket/moved/");
        assertThat(moved.allHandles().stream().flatMap(h -> h.streams().stream()))
                .contains(new FileStateHandle("s3://bucket/moved/job/shared/a1", 4096));
    }

    @Test
    void incrementalHandlesRefuseFilesOutsideTheRoot() {
        IncrementalKeyedStateHandle outside = new IncrementalKeyedStateHandle("b", 1, KeyGroupRange.of(0, 0),
                Map.of("1.sst", new FileStateHandle("file:///elsewhere/1.sst", 5)), Map.of(), inlineHandle(), 0);
        CheckpointMetadata md = new CheckpointMetadata(1, 0, List.of(new OperatorSnapshot("a", 1, 4, List.of(
                new SubtaskSnapshot(0, List.of(outside), List.of(), false)))));
        assertThatThrownBy(() -> MetadataFormat.write(md, ROOT)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("file:///elsewhere/1.sst");
    }

    @Test
    void malformedIncrementalHandlesAreRefused() {
        assertCorrupt(seal(oneKeyed(incremental(0, 4, "b", 1, 0, inline(4), files(), files()))),
                "max parallelism 4");
        assertCorrupt(seal(oneKeyed(incremental(0, 0, "", 1, 0, inline(4), files(), files()))), "backend id");
        assertCorrupt(seal(oneKeyed(incremental(0, 0, "b", -1, 0, inline(4), files(), files()))),
                "checkpoint id of an incremental handle");
        assertCorrupt(seal(oneKeyed(incremental(0, 0, "b", 1, -2, inline(4), files(), files()))),
                "checkpointed size");
        assertCorrupt(seal(oneKeyed(incremental(0, 0, "b", 1, 5, inline(4), files(), files()))),
                "checkpointed size 5 of an incremental handle exceeds its 4 bytes");
        for (String bad : List.of("../x", "a/b", "", ".", "..", "a\\b", "x\u0001")) {
            assertCorrupt(seal(oneKeyed(incremental(0, 0, "b", 1, 0, inline(4), files(), files(bad)))),
                    "shared file name");
            assertCorrupt(seal(oneKeyed(incremental(0, 0, "b", 1, 0, inline(4), files(bad), files()))),
                    "private file name");
        }
        assertCorrupt(seal(oneKeyed(incremental(0, 0, "b", 1, 0, inline(4), files(), files("1.sst", "1.sst")))),
                "file '1.sst' appears twice");
        assertCorrupt(seal(oneKeyed(incremental(0, 0, "b", 1, 0, inline(4), files("1.sst"), files("1.sst")))),
                "file '1.sst' appears twice");
        assertCorrupt(seal(oneKeyed(incremental(0, 0, "b", 1, 0,
                w -> w.writeByte(HandleFormat.TAG_KEY_GROUPS), files(), files()))), "expected a stream state handle");
        assertCorrupt(seal(oneKeyed(incremental(0, 0, "b", 1, 0, inline(4), files(),
                w -> w.writeInt(1).writeString("1.sst").writeByte(HandleFormat.TAG_FILE).writeString("../../x")
                        .writeLong(1)))), "state file path");
        long before = usedMemory();
        assertCorrupt(padded(oneKeyed(incremental(0, 0, "b", 1, 0, inline(4), files(),
                w -> w.writeInt(Integer.MAX_VALUE)))), "shared file count 2147483647 exceeds");
        assertCorrupt(padded(oneKeyed(incremental(0, 0, "b", 1, 0, inline(4),
                w -> w.writeInt(Integer.MAX_VALUE), files()))), "private file count");
        assertThat(usedMemory() - before).isLessThan(256L * 1024 * 1024);
        byte[] truncated = oneKeyed(incremental(0, 0, "b", 1, 0, inline(4), files("1.sst"), files("2.sst")));
        for (int cut = 1; cut < 40; cut++) {
            byte[] shorter = Arrays.copyOf(truncated, truncated.length - cut);
            assertThatThrownBy(() -> MetadataFormat.read(FILE, seal(shorter), ROOT))
                    .isInstanceOf(CorruptCheckpointException.class).hasMessageStartingWith(FILE);
        }
    }

    private static InlineStateHandle inlineHandle() {
        return new InlineStateHandle(new byte[4]);
    }

    private static Consumer<FormatWriter> incremental(int start, int end, String backendId, long checkpointId,
            long checkpointedSize, Consumer<FormatWriter> meta, Consumer<FormatWriter> privateFiles,
            Consumer<FormatWriter> sharedFiles) {
        return w -> {
            w.writeByte(HandleFormat.TAG_INCREMENTAL_KEYED).writeInt(start).writeInt(end).writeString(backendId)
                    .writeLong(checkpointId).writeLong(checkpointedSize);
            meta.accept(w);
            privateFiles.accept(w);
            sharedFiles.accept(w);
        };
    }

    /** Files of empty inline streams with the given names. */
    private static Consumer<FormatWriter> files(String... names) {
        return w -> {
            w.writeInt(names.length);
            for (String name : names) {
                w.writeString(name);
                inline(0).accept(w);
            }
        };
    }

    // ---- crafting helpers: bodies written field by field, sealed with a correct checksum ----

    private static void assertCorrupt(byte[] bytes, String reason) {
        assertThatThrownBy(() -> MetadataFormat.read(FILE, bytes, ROOT))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageStartingWith(FILE)
                .hasMessageContaining(reason);
    }

    /** Sealed with 64 zero bytes appended, so that a count is checked against more than the bytes it needs. */
    private static byte[] padded(byte[] body) {
        return seal(Arrays.copyOf(body, body.length + 64));
    }

    private static byte[] body(byte[] sealed) {
        return Arrays.copyOfRange(sealed, 6, sealed.length - 4);
    }

    private static byte[] seal(byte[] body) {
        return Envelope.seal(MetadataFormat.MAGIC, MetadataFormat.VERSION, body);
    }

    private static FormatWriter prefix(int operators) {
        return new FormatWriter().writeLong(7).writeLong(0).writeInt(operators);
    }

    /** One operator "a" (parallelism 1, max 4) followed by whatever {@code rest} writes as its subtask count and on. */
    private static byte[] op(Consumer<FormatWriter> rest) {
        FormatWriter w = prefix(1).writeString("a").writeInt(1).writeInt(4);
        rest.accept(w);
        return w.toByteArray();
    }

    private static byte[] subtask(Consumer<FormatWriter> rest) {
        return op(w -> {
            w.writeInt(1).writeInt(0).writeBoolean(false);
            rest.accept(w);
        });
    }

    private static byte[] oneKeyed(Consumer<FormatWriter> handle) {
        return subtask(w -> {
            w.writeInt(1);
            handle.accept(w);
            w.writeInt(0);
        });
    }

    private static byte[] oneOperatorHandle(Consumer<FormatWriter> statesAndOn) {
        return subtask(w -> {
            w.writeInt(0).writeInt(1).writeByte(HandleFormat.TAG_OPERATOR_STATE);
            inline(4).accept(w);
            statesAndOn.accept(w);
        });
    }

    private static Consumer<FormatWriter> keyGroups(int start, int end, Consumer<FormatWriter> stream, int count,
            long... offsets) {
        return w -> {
            w.writeByte(HandleFormat.TAG_KEY_GROUPS).writeInt(start).writeInt(end);
            stream.accept(w);
            w.writeInt(count);
            for (long o : offsets) {
                w.writeLong(o);
            }
        };
    }

    private static Consumer<FormatWriter> keyGroups(int start, int end, Consumer<FormatWriter> stream, long offset) {
        return keyGroups(start, end, stream, 1, offset);
    }

    private static Consumer<FormatWriter> inline(int size) {
        return w -> w.writeByte(HandleFormat.TAG_INLINE).writeBytes(new byte[size]);
    }

    private static Consumer<FormatWriter> file(String path, long size) {
        return w -> w.writeByte(HandleFormat.TAG_FILE).writeString(path).writeLong(size);
    }

    private static CheckpointMetadata withStream(dev.cairn.checkpoint.StreamStateHandle stream) {
        return new CheckpointMetadata(1, 0, List.of(new OperatorSnapshot("a", 1, 4, List.of(new SubtaskSnapshot(0,
                List.of(new KeyGroupsStateHandle(KeyGroupRange.of(0, 0), new long[] {0}, stream)), List.of(),
                false)))));
    }

    private static long usedMemory() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
