package dev.cairn.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.StorageException;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.tck.FaultInjectingBlobStore;
import dev.cairn.tck.FaultInjectingBlobStore.InjectedFault;
import dev.cairn.tck.FaultInjectingBlobStore.Op;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Storage faults on HDFS, injected by the TCK's {@link FaultInjectingBlobStore} around the real
 * {@code hdfs://} store: a failed upload fails its checkpoint only and leaves no file behind (checked on
 * the raw file system, where the store's hidden temporary files would show), the next checkpoint
 * completes; a {@code _metadata} read that ends early is refused, and one with a damaged byte is refused by
 * its checksum.
 */
@ExtendWith(HdfsCluster.class)
class HdfsFaultTest {
    private static final AtomicInteger BASES = new AtomicInteger();
    private static final int STATE_SIZE = 300_000;

    private BlobStore hdfs;
    private FaultInjectingBlobStore faulty;
    private FileSystem raw;
    private String base;

    @BeforeEach
    void open() throws IOException {
        hdfs = BlobStores.forLocation(HdfsCluster.uri() + "/", HdfsCluster.CLIENT_CONFIG);
        faulty = FaultInjectingBlobStore.wrap(hdfs);
        raw = FileSystem.newInstance(URI.create(HdfsCluster.uri() + "/"), new Configuration());
        base = HdfsCluster.uri() + "/faults/run-" + BASES.incrementAndGet();
    }

    @AfterEach
    void close() throws IOException {
        faulty.close();
        raw.close();
    }

    @Test
    void failedUploadFailsOnlyItsCheckpointAndLeavesNoFile() throws IOException {
        FileCheckpointStorage storage = new FileCheckpointStorage(faulty, base, "job");
        completeCheckpoint(storage, 1);

        faulty.failNth(Op.WRITE, 2, location -> location.contains("/chk-2/"));
        CheckpointStorageLocation second = storage.initializeLocation(2);
        Throwable failed = catchThrowable(() -> writeState(second, 2));
        assertThat(failed).as("the upload of checkpoint 2's state").isInstanceOf(InjectedFault.class);
        second.discardOnFailure();
        assertThat(rawFiles(storage.checkpointLocation(2))).as("files under checkpoint 2's directory, temporary "
                + "ones included").isEmpty();

        faulty.failNth(Op.COMMIT, 1, location -> location.contains("/chk-3/"));
        CheckpointStorageLocation third = storage.initializeLocation(3);
        assertThat(catchThrowable(() -> writeState(third, 3))).as("the commit of checkpoint 3's state")
                .isInstanceOf(InjectedFault.class);
        third.discardOnFailure();
        assertThat(rawFiles(storage.checkpointLocation(3))).isEmpty();

        CompletedCheckpoint fourth = completeCheckpoint(storage, 4);
        assertThat(storage.completedCheckpoints()).extracting(CompletedCheckpoint::checkpointId)
                .containsExactly(1L, 4L);
        assertThat(storage.resolve(fourth.pointer()).metadata()).isEqualTo(fourth.metadata());
        assertThat(faulty.injectedFailures()).isEqualTo(2);
    }

    @Test
    void damagedMetadataReadsAreRefused() throws IOException {
        FileCheckpointStorage storage = new FileCheckpointStorage(faulty, base, "job");
        CompletedCheckpoint cp = completeCheckpoint(storage, 1);
        String metadata = storage.metadataLocation(1);
        long length = hdfs.open(metadata).length();

        faulty.truncateReads(metadata::equals, length - 3);
        assertThat(catchThrowable(() -> storage.resolve(cp.pointer())))
                .as("resolving a checkpoint whose _metadata reads 3 bytes short")
                .isInstanceOf(StorageException.class).hasMessageContaining(metadata);
        faulty.clearFaults();

        faulty.corruptReads(metadata::equals, length / 2);
        assertThat(catchThrowable(() -> storage.resolve(cp.pointer())))
                .as("resolving a checkpoint whose _metadata reads with one damaged byte")
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(metadata);
        faulty.clearFaults();

        assertThat(storage.resolve(cp.pointer()).metadata()).isEqualTo(cp.metadata());
    }

    @Test
    void refusedAndAbortedCommitsLeaveNoTemporaryFile() throws IOException {
        String dir = base + "/blobs/";
        byte[] data = new byte[70_000];
        new Random(7).nextBytes(data);
        try (BlobOutputStream out = hdfs.create(dir + "a.bin")) {
            out.write(data);
            out.commit();
        }
        try (BlobOutputStream out = hdfs.create(dir + "a.bin")) {
            out.write(data, 0, 100);
            assertThatThrownBy(out::commit).isInstanceOf(BlobAlreadyExistsException.class);
        }
        try (BlobOutputStream out = hdfs.create(dir + "b.bin")) {
            out.write(data);
            out.flush();
            assertThat(rawFiles(dir)).as("while b.bin is written").hasSize(2)
                    .anyMatch(p -> p.startsWith(dir + ".b.bin.") && p.endsWith(".inprogress"));
        }
        assertThat(rawFiles(dir)).as("files on HDFS after a refused and an aborted commit")
                .containsExactly(dir + "a.bin");
        List<String> listed = new ArrayList<>();
        for (BlobInfo info : ((SupportsPrefixListing) hdfs).list(dir)) {
            listed.add(info.location());
        }
        assertThat(listed).containsExactly(dir + "a.bin");
    }

    private CompletedCheckpoint completeCheckpoint(FileCheckpointStorage storage, long id) {
        CheckpointStorageLocation location = storage.initializeLocation(id);
        StreamStateHandle state = writeState(location, id);
        assertThat(state).isInstanceOf(FileStateHandle.class);
        CheckpointMetadata metadata = new CheckpointMetadata(id, 1_700_000_000_000L + id, List.of(
                new OperatorSnapshot("op", 1, 4, List.of(new SubtaskSnapshot(0,
                        List.of(new KeyGroupsStateHandle(KeyGroupRange.of(0, 3), new long[] {0, 10, 20, 30}, state)),
                        List.of(), false)))));
        return location.finalizeCheckpoint(metadata);
    }

    private static StreamStateHandle writeState(CheckpointStorageLocation location, long seed) {
        byte[] data = new byte[STATE_SIZE];
        new Random(seed).nextBytes(data);
        try (CheckpointStateOutputStream out = location.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            for (int off = 0; off < data.length; off += 10_000) {
                out.write(data, off, 10_000);
            }
            return out.commit();
        }
    }

    /** Every file under {@code directoryLocation} on the raw file system, hidden temporary files included. */
    private List<String> rawFiles(String directoryLocation) throws IOException {
        List<String> files = new ArrayList<>();
        Path dir = new Path(URI.create(directoryLocation));
        if (!raw.exists(dir)) {
            return files;
        }
        RemoteIterator<LocatedFileStatus> it = raw.listFiles(dir, true);
        while (it.hasNext()) {
            FileStatus status = it.next();
            files.add(directoryLocation.endsWith("/") ? directoryLocation + relative(dir, status.getPath())
                    : directoryLocation + "/" + relative(dir, status.getPath()));
        }
        return files;
    }

    private static String relative(Path dir, Path file) {
        String d = dir.toUri().getPath();
        String f = file.toUri().getPath();
        return f.substring(d.length() + (d.endsWith("/") ? 0 : 1));
    }
}
