package dev.cairn.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CairnException;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.tck.FaultInjectingBlobStore;
import dev.cairn.tck.FaultInjectingBlobStore.Op;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Faults on S3 (S3Proxy) through {@link FaultInjectingBlobStore}: a failed multipart state upload fails
 * its checkpoint only, leaves no object and no pending upload, and the next checkpoint completes; a
 * truncated or corrupted metadata read is refused on restore.
 */
class S3FaultsTest {
    private static final int MIB = 1024 * 1024;

    @Test
    void failedUploadFailsOnlyItsCheckpointAndLeavesNothing() {
        try (S3BlobStore s3 = new S3BlobStore(S3Config.fromMap(S3ProxyServer.config(Map.of())));
                FaultInjectingBlobStore store = FaultInjectingBlobStore.wrap(s3);
                FileCheckpointStorage storage = new FileCheckpointStorage(store, trimmed(S3ProxyServer.newBase("faults")),
                        "job")) {
            byte[] state = new byte[6 * MIB + 17];
            new Random(5).nextBytes(state);

            CheckpointStorageLocation first = storage.initializeLocation(1);
            store.failNth(Op.COMMIT, 1);
            assertThatThrownBy(() -> write(first, state)).isInstanceOf(FaultInjectingBlobStore.InjectedFault.class);
            String jobKey = S3Location.parse(storage.jobLocation()).key();
            assertThat(S3ProxyServer.pendingUploads(s3.client(), jobKey)).as("multipart uploads left").isZero();
            assertThat(s3.list(storage.checkpointLocation(1))).as("objects of the failed checkpoint").isEmpty();
            assertThat(store.exists(storage.metadataLocation(1))).isFalse();

            CheckpointStorageLocation second = storage.initializeLocation(2);
            StreamStateHandle handle = write(second, state);
            CompletedCheckpoint completed = second.finalizeCheckpoint(metadata(2, handle));
            CompletedCheckpoint resolved = storage.resolve(completed.pointer());
            assertThat(resolved.checkpointId()).isEqualTo(2);
            byte[] back = new byte[state.length];
            try (var in = storage.open(handle)) {
                in.readFully(back, 0, back.length);
            }
            assertThat(back).isEqualTo(state);

            store.truncateReads(location -> location.endsWith("/_metadata"), 10);
            assertThatThrownBy(() -> storage.resolve(completed.pointer())).as("restore from a truncated _metadata")
                    .isInstanceOf(CairnException.class);
            store.clearFaults();
            store.corruptReads(location -> location.endsWith("/_metadata"));
            assertThatThrownBy(() -> storage.resolve(completed.pointer())).as("restore from a corrupted _metadata")
                    .isInstanceOf(CairnException.class);
            store.clearFaults();
            assertThat(storage.resolve(completed.pointer()).checkpointId()).isEqualTo(2);
        }
    }

    private static String trimmed(String base) {
        return base.substring(0, base.length() - 1);
    }

    private static StreamStateHandle write(CheckpointStorageLocation location, byte[] data) {
        try (CheckpointStateOutputStream out = location.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            for (int off = 0; off < data.length; off += MIB) {
                out.write(data, off, Math.min(MIB, data.length - off));
            }
            return out.commit();
        }
    }

    private static CheckpointMetadata metadata(long id, StreamStateHandle handle) {
        return new CheckpointMetadata(id, id * 1000, List.of(new OperatorSnapshot("operator", 1, 2,
                List.of(new SubtaskSnapshot(0, List.of(new KeyGroupsStateHandle(KeyGroupRange.of(0, 1),
                        new long[] {0, handle.stateSize()}, handle)), List.of(), false)))));
    }
}
