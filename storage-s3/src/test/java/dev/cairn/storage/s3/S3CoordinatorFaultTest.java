package dev.cairn.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.rocksdb.CoordinatorFaultTestBase;
import dev.cairn.blob.BlobStore;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.tck.FaultInjectingBlobStore;
import dev.cairn.tck.FaultInjectingBlobStore.Op;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link CoordinatorFaultTestBase} on {@code s3://} (S3Proxy): the failed upload is a multipart upload whose
 * completion fails, and the raw listing is the S3 client's, which must also show no open multipart upload.
 */
class S3CoordinatorFaultTest extends CoordinatorFaultTestBase {
    private S3BlobStore s3;

    /** 12 MB of values: the SST of half of them is larger than a part, so it is a multipart upload. */
    S3CoordinatorFaultTest() {
        super("S3", 24_000, 512);
    }

    @Override
    protected BlobStore openStore() {
        s3 = new S3BlobStore(S3Config.fromMap(S3ProxyServer.config(Map.of())));
        return s3;
    }

    @Override
    protected String newCheckpointDirectory() {
        String base = S3ProxyServer.newBase("coordinator-faults");
        return base.substring(0, base.length() - 1);
    }

    @Override
    protected void failOneSharedUpload(FaultInjectingBlobStore faulty, Predicate<String> shared) {
        faulty.failNth(Op.COMMIT, 1, shared);
    }

    @Override
    protected void checkThirdCheckpoint(IncrementalKeyedStateHandle handle) {
        assertThat(handle.sharedState().values())
                .as("the state files of checkpoint 3, one of which checkpoint 2 failed to commit")
                .anyMatch(h -> h.stateSize() > S3Config.MIN_PART_SIZE);
    }

    @Override
    protected Set<String> rawFiles(String directory) {
        String prefix = S3Location.parse(directory).key();
        assertThat(S3ProxyServer.pendingUploads(s3.client(), prefix)).as("open multipart uploads under %s", prefix)
                .isZero();
        Set<String> files = new TreeSet<>();
        for (S3Object o : s3.client().listObjectsV2Paginator(b -> b.bucket(S3ProxyServer.BUCKET).prefix(prefix))
                .contents()) {
            files.add(o.key().substring(prefix.length()));
        }
        return files;
    }

    @Override
    protected byte[] readRaw(String location) {
        S3Location object = S3Location.blob(location);
        return s3.client().getObjectAsBytes(b -> b.bucket(object.bucket()).key(object.key())).asByteArray();
    }

    @Override
    protected void writeRaw(String location, byte[] bytes) {
        S3Location object = S3Location.blob(location);
        s3.client().putObject(b -> b.bucket(object.bucket()).key(object.key()), RequestBody.fromBytes(bytes));
    }
}
