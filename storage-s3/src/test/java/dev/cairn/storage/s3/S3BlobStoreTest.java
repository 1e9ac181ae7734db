package dev.cairn.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.InputBlob;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.ConfigurationException;
import dev.cairn.error.StorageException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

/** S3-specific behaviour on S3Proxy: multipart commit and abort, CRC32C uploads, entropy injection, configuration. */
class S3BlobStoreTest {
    private static final int PART = S3Config.MIN_PART_SIZE;

    private static S3BlobStore store(Map<String, String> extra) {
        return new S3BlobStore(S3Config.fromMap(S3ProxyServer.config(extra)));
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static String keyOf(String location) {
        return S3Location.parse(location).key();
    }

    @Test
    void multipartWithCrc32cRoundTripsAndIsCreateOnly() {
        try (S3BlobStore store = store(Map.of(S3Config.CHECKSUM, "crc32c"))) {
            String base = S3ProxyServer.newBase("multipart");
            byte[] data = random(2 * PART + 12345, 1);
            try (BlobOutputStream out = store.create(base + "big.bin")) {
                out.write(data, 0, 1000);
                out.write(data, 1000, data.length - 1000);
                assertThat(out.commit()).isEqualTo(new BlobInfo(base + "big.bin", data.length));
            }
            InputBlob blob = store.open(base + "big.bin");
            byte[] back = new byte[data.length];
            try (var in = blob.newStream()) {
                in.readFully(back, 0, back.length);
            }
            assertThat(back).isEqualTo(data);
            byte[] middle = new byte[100];
            blob.readFully(PART - 50, middle, 0, 100);
            assertThat(middle).isEqualTo(Arrays.copyOfRange(data, PART - 50, PART + 50));
            assertThat(S3ProxyServer.pendingUploads(store.client(), keyOf(base))).isZero();

            try (BlobOutputStream again = store.create(base + "big.bin")) {
                again.write(random(PART + 1, 2));
                assertThatThrownBy(again::commit).isInstanceOf(BlobAlreadyExistsException.class);
            }
            assertThat(S3ProxyServer.pendingUploads(store.client(), keyOf(base))).as("uploads after a refused commit")
                    .isZero();
            assertThat(store.open(base + "big.bin").length()).isEqualTo(data.length);
        }
    }

    @Test
    void closeWithoutCommitAbortsTheMultipartUpload() {
        try (S3BlobStore store = store(Map.of())) {
            String base = S3ProxyServer.newBase("abort");
            try (BlobOutputStream out = store.create(base + "aborted.bin")) {
                out.write(random(2 * PART + 1, 3));
                assertThat(S3ProxyServer.pendingUploads(store.client(), keyOf(base)))
                        .as("the upload is under way before close").isEqualTo(1);
            }
            assertThat(S3ProxyServer.pendingUploads(store.client(), keyOf(base))).isZero();
            assertThat(store.exists(base + "aborted.bin")).isFalse();
            assertThat(store.list(base)).isEmpty();
        }
    }

    @Test
    void uploadsAKilledProcessLeftAreAbortedUnderThePrefixOnly() {
        try (S3BlobStore store = store(Map.of(S3Config.ENTROPY_KEY, "_entropy_", S3Config.ENTROPY_LENGTH, "4"))) {
            String base = S3ProxyServer.newBase("abandoned");
            BlobOutputStream mine = store.create(base + "_entropy_/job-a/shared/sst-1");
            BlobOutputStream plain = store.create(base + "job-a/chk-3/state");
            BlobOutputStream other = store.create(base + "_entropy_/job-b/shared/sst-1");
            for (BlobOutputStream out : List.of(mine, plain, other)) {
                out.write(random(PART + 1, 5));
            }
            assertThat(S3ProxyServer.pendingUploads(store.client(), keyOf(base))).isEqualTo(3);

            assertThat(store.removeAbandonedWrites(base + "_entropy_/job-a/")).isEqualTo(1);
            assertThat(store.removeAbandonedWrites(base + "job-a/")).isEqualTo(1);
            assertThat(S3ProxyServer.pendingUploads(store.client(), keyOf(base))).as("job-b's upload is left")
                    .isEqualTo(1);
            assertThat(store.removeAbandonedWrites(base + "_entropy_/job-a/")).isZero();
            other.close();
            mine.close();
            plain.close();
            assertThat(S3ProxyServer.pendingUploads(store.client(), keyOf(base))).isZero();
            assertThat(store.list(base)).isEmpty();
        }
    }

    @Test
    void failedWriteAbortsTheMultipartUpload() {
        try (S3BlobStore store = store(Map.of())) {
            String base = S3ProxyServer.newBase("fail");
            assertThatThrownBy(() -> {
                try (BlobOutputStream out = store.create(base + "failed.bin")) {
                    out.write(random(PART + 7, 4));
                    throw new IllegalStateException("writer failed half-way");
                }
            }).hasMessage("writer failed half-way");
            assertThat(S3ProxyServer.pendingUploads(store.client(), keyOf(base))).isZero();
            assertThat(store.exists(base + "failed.bin")).isFalse();
        }
    }

    @Test
    void entropyIsInjectedIntoDataFilesAndRemovedFromMetadata() {
        try (S3BlobStore store = store(Map.of(S3Config.ENTROPY_KEY, "_entropy_", S3Config.ENTROPY_LENGTH, "6"))) {
            String base = S3ProxyServer.newBase("entropy");
            String dataFile = base + "_entropy_/job/chk-1/state-a";
            String otherFile = base + "_entropy_/job/chk-1/state-b";
            String metadata = base + "_entropy_/job/chk-1/_metadata";
            for (String location : List.of(dataFile, otherFile, metadata)) {
                try (BlobOutputStream out = store.create(location)) {
                    out.write(location.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    assertThat(out.commit().location()).isEqualTo(location);
                }
            }
            List<String> keys = new ArrayList<>();
            for (S3Object o : store.client().listObjectsV2Paginator(b -> b.bucket(S3ProxyServer.BUCKET)
                    .prefix(keyOf(base))).contents()) {
                keys.add(o.key());
            }
            String root = keyOf(base);
            assertThat(keys).contains(root + "job/chk-1/_metadata").noneMatch(k -> k.contains("_entropy_"));
            assertThat(keys).filteredOn(k -> k.endsWith("/state-a")).singleElement()
                    .satisfies(k -> assertThat(k).matches(java.util.regex.Pattern.quote(root) + "[a-z0-9]{6}/job/chk-1/state-a"));
            assertThat(store.exists(dataFile)).isTrue();
            assertThat(store.open(metadata).length()).isEqualTo(metadata.length());
            assertThat(store.list(base + "_entropy_/job/")).extracting(BlobInfo::location).containsExactly(metadata);
            store.deleteAll(List.of(dataFile, otherFile, metadata));
            assertThat(store.exists(dataFile)).isFalse();
            assertThat(store.client().listObjectsV2(b -> b.bucket(S3ProxyServer.BUCKET).prefix(root)).contents()).isEmpty();
        }
    }

    @Test
    void bulkDeleteSpansSeveralRequests() {
        try (S3BlobStore store = store(Map.of())) {
            String base = S3ProxyServer.newBase("bulk");
            List<String> locations = new ArrayList<>();
            for (int i = 0; i < 1005; i++) {
                locations.add(base + "missing-" + i);
            }
            try (BlobOutputStream out = store.create(base + "missing-1004")) {
                out.write(1);
                out.commit();
            }
            store.deleteAll(locations);
            assertThat(store.exists(base + "missing-1004")).isFalse();
        }
    }

    @Test
    void configurationIsValidatedAndSecretsAreRedacted() {
        S3Config config = S3Config.fromMap(Map.of(S3Config.ACCESS_KEY, "AKIAEXAMPLE", S3Config.SECRET_KEY, "s3cr3t-value",
                S3Config.SSE, "sse-kms", S3Config.SSE_KMS_KEY_ID, "arn:aws:kms:key/123"));
        assertThat(config.toString()).doesNotContain("AKIAEXAMPLE").doesNotContain("s3cr3t-value")
                .doesNotContain("arn:aws:kms").contains("redacted");
        assertThat(config.encryption()).isEqualTo(S3Config.Encryption.SSE_KMS);
        assertThatThrownBy(() -> S3Config.fromMap(Map.of(S3Config.SECRET_KEY, "s3cr3t-value")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(S3Config.ACCESS_KEY)
                .hasMessageNotContaining("s3cr3t-value");
        assertThatThrownBy(() -> S3Config.fromMap(Map.of(S3Config.PART_SIZE, "1024")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(S3Config.PART_SIZE);
        assertThatThrownBy(() -> S3Config.fromMap(Map.of(S3Config.ENDPOINT, "ftp://x")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(S3Config.ENDPOINT);
        assertThatThrownBy(() -> S3Config.fromMap(Map.of(S3Config.SSE, "rot13")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(S3Config.SSE);
        assertThatThrownBy(() -> S3Location.blob("s3://bucket/dir/")).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> S3Location.blob("file:///tmp/x")).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void aReadPastTheEndIsRefused() {
        try (S3BlobStore store = store(Map.of())) {
            String base = S3ProxyServer.newBase("eof");
            try (BlobOutputStream out = store.create(base + "small")) {
                out.write(new byte[10]);
                out.commit();
            }
            assertThatThrownBy(() -> store.open(base + "small").readFully(5, new byte[10], 0, 10))
                    .isInstanceOf(StorageException.class).hasMessageContaining(base + "small");
        }
    }
}
