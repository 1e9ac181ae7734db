package dev.cairn.fuzz;

import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.JobEnd;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.format.FormatWriter;
import dev.cairn.format.HandleFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The seed corpus: the bytes of real checkpoints of the {@code memory} and {@code rocksdb} backends
 * ({@link CheckpointFixture}), taken once per JVM under {@code cairn.fuzz.work}: the {@code _metadata} files, the
 * encoded handles they hold, the state files (canonical keyed and operator snapshots, RocksDB meta-data streams),
 * the job-end record and the checkpoint-id floor the storage writes. Each seed is offered twice, as it is and in
 * the checksum-fixing mode of {@link FuzzHarness}. The first JVM of a build ({@code cairn.fuzz.run}, the build's
 * timestamp) writes the seeds under {@code cairn.fuzz.work}; the fuzz targets' later JVMs of that build read them.
 */
final class Seeds {
    private static Seeds instance;

    final List<byte[]> metadata = new ArrayList<>();
    /** A handle kind byte (0 keyed, 1 operator, 2 stream) followed by the handle as {@link HandleFormat} writes it. */
    final List<byte[]> handles = new ArrayList<>();
    /** Keyed-group handles with their stream inlined, as {@link HandleFormat} writes them. */
    final List<byte[]> keyedSnapshots = new ArrayList<>();
    /** Operator-state handles with their stream inlined. */
    final List<byte[]> operatorSnapshots = new ArrayList<>();
    final List<byte[]> rocksDbMeta = new ArrayList<>();
    final List<byte[]> jobEnd = new ArrayList<>();
    final List<byte[]> idFloor = new ArrayList<>();

    private List<List<byte[]>> all() {
        return List.of(metadata, handles, keyedSnapshots, operatorSnapshots, rocksDbMeta, jobEnd, idFloor);
    }

    private Seeds() {
    }

    private void generate(Path work) {
        for (String backend : List.of("memory", "rocksdb")) {
            try (CheckpointFixture fixture = new CheckpointFixture(work.resolve(backend), backend, 1)) {
                List<CompletedCheckpoint> checkpoints = fixture.takeCheckpoints(1);
                String storageRoot = fixture.storage().baseLocation();
                for (CompletedCheckpoint c : checkpoints) {
                    metadata.add(read(fixture, fixture.storage().metadataLocation(c.checkpointId())));
                    collect(fixture, c.metadata(), storageRoot);
                }
                fixture.storage().removeUnreferenced(List.of(checkpoints.get(0)));
                idFloor.add(read(fixture, fixture.storage().jobLocation() + "_checkpoint-id-floor"));
                fixture.storage().markJobEnded(new JobEnd("CANCELED", 2, 1_700_000_000_000L,
                        List.of(checkpoints.get(0).pointer())));
                jobEnd.add(read(fixture, fixture.storage().jobLocation() + "_job-ended"));
            }
        }
    }

    static synchronized Seeds get() {
        if (instance == null) {
            try {
                Path work = Path.of(System.getProperty("cairn.fuzz.work", System.getProperty("java.io.tmpdir")));
                Path cached = work.resolve("seeds-" + System.getProperty("cairn.fuzz.run", "local"));
                Seeds seeds = new Seeds();
                if (Files.exists(cached.resolve("complete"))) {
                    seeds.load(cached);
                } else {
                    Files.createDirectories(work);
                    seeds.generate(Files.createTempDirectory(work, "seed-checkpoints-"));
                    seeds.store(cached);
                }
                instance = seeds;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    private void store(Path directory) throws IOException {
        List<List<byte[]>> lists = all();
        for (int l = 0; l < lists.size(); l++) {
            Path dir = Files.createDirectories(directory.resolve(Integer.toString(l)));
            for (int i = 0; i < lists.get(l).size(); i++) {
                Files.write(dir.resolve(String.format("%04d", i)), lists.get(l).get(i));
            }
        }
        Files.writeString(directory.resolve("complete"), "");
    }

    private void load(Path directory) throws IOException {
        List<List<byte[]>> lists = all();
        for (int l = 0; l < lists.size(); l++) {
            try (Stream<Path> files = Files.list(directory.resolve(Integer.toString(l)))) {
                for (Path f : files.sorted().toList()) {
                    lists.get(l).add(Files.readAllBytes(f));
                }
            }
        }
    }

    private void collect(CheckpointFixture fixture, CheckpointMetadata metadata, String root) {
        for (OperatorSnapshot op : metadata.operators()) {
            for (SubtaskSnapshot st : op.subtasks()) {
                for (KeyedStateHandle h : st.keyedState()) {
                    handles.add(handle(0, out -> HandleFormat.writeKeyed(out, h, root)));
                    if (h instanceof KeyGroupsStateHandle kg) {
                        KeyGroupsStateHandle inline = new KeyGroupsStateHandle(kg.keyGroupRange(), kg.offsets(),
                                inline(fixture, kg.delegate()));
                        keyedSnapshots.add(handle(-1, out -> HandleFormat.writeKeyed(out, inline, root)));
                    } else if (h instanceof IncrementalKeyedStateHandle inc) {
                        rocksDbMeta.add(bytes(fixture, inc.metaStateHandle()));
                        handles.add(handle(2, out -> HandleFormat.writeStream(out, inc.metaStateHandle(), root)));
                    }
                }
                for (OperatorStateHandle h : st.operatorState()) {
                    handles.add(handle(1, out -> HandleFormat.writeOperator(out, h, root)));
                    OperatorStateHandle inline = new OperatorStateHandle(h.states(), inline(fixture, h.delegate()));
                    operatorSnapshots.add(handle(-1, out -> HandleFormat.writeOperator(out, inline, root)));
                }
            }
        }
    }

    private static byte[] handle(int kind, java.util.function.Consumer<FormatWriter> write) {
        FormatWriter out = new FormatWriter();
        if (kind >= 0) {
            out.writeByte(kind);
        }
        write.accept(out);
        return out.toByteArray();
    }

    private static InlineStateHandle inline(CheckpointFixture fixture, StreamStateHandle handle) {
        return new InlineStateHandle(bytes(fixture, handle));
    }

    private static byte[] bytes(CheckpointFixture fixture, StreamStateHandle handle) {
        if (handle instanceof InlineStateHandle inline) {
            return inline.data();
        }
        return read(fixture, ((FileStateHandle) handle).location());
    }

    private static byte[] read(CheckpointFixture fixture, String location) {
        try (var in = fixture.storage().blobStore().open(location).newStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seeds as JUnit arguments: each as it is and in the checksum-fixing mode. */
    static Stream<Arguments> arguments(List<byte[]> seeds) {
        Map<String, byte[]> unique = new LinkedHashMap<>();
        for (byte[] s : seeds) {
            for (boolean reseal : new boolean[] {false, true}) {
                byte[] seed = FuzzHarness.seed(s, reseal);
                unique.putIfAbsent(java.util.HexFormat.of().formatHex(seed), seed);
            }
        }
        return unique.values().stream().map(b -> Arguments.of((Object) b));
    }
}
