package dev.cairn.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.blob.BlobOutputStream;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What a process killed in the middle of a multipart upload leaves in a job directory on S3, and how the next
 * run's take-over removes it: the claim deletes the checkpoint that never completed and aborts its upload.
 */
class S3JobDirectoryTest {

    @Test
    void aClaimAbortsTheMultipartUploadAKilledProcessLeftAndKeepsTheClaimedCheckpoint() {
        try (S3BlobStore store = new S3BlobStore(S3Config.fromMap(S3ProxyServer.config(Map.of())))) {
            String base = S3ProxyServer.newBase("job-directory");
            FileCheckpointStorage storage = new FileCheckpointStorage(store, base, "job");
            CheckpointStorageLocation first = storage.initializeLocation(1);
            CompletedCheckpoint one = first.finalizeCheckpoint(new CheckpointMetadata(1, 1, List.of()));

            CheckpointStorageLocation killed = storage.initializeLocation(2);
            CheckpointStateOutputStream upload = killed.createOutputStream(CheckpointedStateScope.SHARED);
            byte[] part = new byte[S3Config.DEFAULT_PART_SIZE + 1];
            new Random(7).nextBytes(part);
            upload.write(part, 0, part.length);
            try (BlobOutputStream stray = store.create(base + "job/chk-2/exclusive-state")) {
                stray.write(new byte[] {1, 2, 3});
                stray.commit();
            }
            String jobKey = base.substring(("s3://" + S3ProxyServer.BUCKET + "/").length()) + "job/";
            assertThat(S3ProxyServer.pendingUploads(store.client(), jobKey)).as("the killed process's upload")
                    .isEqualTo(1);

            List<String> deleted = new FileCheckpointStorage(store, base, "job").removeUnreferenced(List.of(one));

            assertThat(deleted).contains(base + "job/chk-2/exclusive-state");
            assertThat(S3ProxyServer.pendingUploads(store.client(), jobKey)).as("open uploads after the claim").isZero();
            assertThat(storage.scan().completed()).containsExactly(one);
            assertThat(storage.scan().highestCheckpointId()).as("the id of the checkpoint that never completed")
                    .isEqualTo(2);
            upload.close();
        }
    }
}
