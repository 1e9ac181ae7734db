package dev.cairn.storage.s3;

import dev.cairn.blob.BlobStore;
import dev.cairn.tck.BlobStoreTck;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Certifies the {@code s3://} store against Adobe S3Mock (SDK default checksums), obtained through its provider.
 *
 * <p>S3Mock honours {@code If-None-Match: *} on PutObject and CompleteMultipartUpload one request at a
 * time (BLOB-07 and {@link S3MockMultipartTest} pass), but it checks the header by reading the existing
 * object before it stores the new one, not atomically: of racing commits to one key several may succeed.
 * So {@code ATOMIC_RENAME} is not declared here and BLOB-18 is skipped with that reason; the provider
 * cannot tell such a server from S3, and BLOB-18 runs against S3Proxy, whose check is atomic.
 */
@ExtendWith(S3MockBlobStoreTckTest.NoAtomicConditionalPut.class)
class S3MockBlobStoreTckTest extends BlobStoreTck {
    static final String RACE_RULE = "ruleBLOB18_racingCommitsHaveOneWinner";

    @Override
    protected BlobStore createBlobStore() {
        return S3MockServer.store();
    }

    @Override
    protected String newBaseLocation() {
        return S3MockServer.newBase("blob-tck");
    }

    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.noneOf(Capability.class);
    }

    /** One part being filled plus two in flight (5 MiB each), and the SDK's own request buffers. */
    @Override
    protected long streamingHeapBound() {
        return 24L * 1024 * 1024;
    }

    /** Skips BLOB-18 with the reason specific to S3Mock. */
    static final class NoAtomicConditionalPut implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (context.getTestMethod().map(m -> m.getName().equals(RACE_RULE)).orElse(false)) {
                return ConditionEvaluationResult.disabled("S3Mock " + S3MockServer.VERSION + " checks If-None-Match: * "
                        + "before storing, not atomically, so racing commits to one key may all succeed "
                        + "(ATOMIC_RENAME not declared; BLOB-18 runs on S3Proxy)");
            }
            return ConditionEvaluationResult.enabled("not the racing-commit rule");
        }
    }
}
