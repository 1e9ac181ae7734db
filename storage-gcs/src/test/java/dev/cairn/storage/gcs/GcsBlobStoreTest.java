package dev.cairn.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.ConfigurationException;
import dev.cairn.error.CorruptCheckpointException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provider-specific behaviour of {@link GcsBlobStore} on {@code LocalStorageHelper}, beyond the TCK. */
class GcsBlobStoreTest {
    private static final int CHUNK = 256 * 1024;
    private final Storage fake = LocalStorageHelper.customOptions(false).getService();
    private final GcsBlobStore store = new GcsBlobStore(fake, CHUNK, false);

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] readAll(InputBlob blob) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SeekableInputStream in = blob.newStream()) {
            byte[] buf = new byte[7000];
            for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }

    @Test
    void blobLargerThanAChunkGoesThroughAResumableUploadAndReadsBack() {
        byte[] data = bytes(5 * CHUNK + 12345, 1);
        String location = "gs://b/large/x.bin";
        try (BlobOutputStream out = store.create(location)) {
            for (int off = 0; off < data.length; off += 10_000) {
                out.write(data, off, Math.min(10_000, data.length - off));
            }
            assertThat(out.commit()).isEqualTo(new BlobInfo(location, data.length));
        }
        InputBlob blob = store.open(location);
        assertThat(blob.length()).isEqualTo(data.length);
        assertThat(readAll(blob)).isEqualTo(data);
        byte[] part = new byte[3000];
        blob.readFully(2 * CHUNK - 100, part, 0, part.length);
        assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(data, 2 * CHUNK - 100, 2 * CHUNK + 2900));
    }

    @Test
    void smallBlobIsInvisibleUntilCommitAndAbortLeavesNothing() {
        String location = "gs://b/small/x.bin";
        try (BlobOutputStream out = store.create(location)) {
            out.write(bytes(CHUNK - 1, 2));
            assertThat(store.exists(location)).isFalse();
        }
        assertThat(store.exists(location)).isFalse();
        assertThat(store.list("gs://b/small/")).isEmpty();
    }

    @Test
    void commitOverAnExistingObjectIsRefusedForLargeBlobsBeforeAnyChunkIsSent() {
        String location = "gs://b/exists/x.bin";
        fake.create(com.google.cloud.storage.BlobInfo.newBuilder(BlobId.of("b", "exists/x.bin")).build(), new byte[] {1});
        BlobOutputStream out = store.create(location);
        assertThatThrownBy(() -> out.write(bytes(2 * CHUNK, 3))).isInstanceOf(BlobAlreadyExistsException.class);
        out.close();
        assertThat(store.open(location).length()).isEqualTo(1);
    }

    @Test
    void wholeObjectReadsAreCheckedAgainstTheStoredCrc32c() throws Exception {
        byte[] data = bytes(40_000, 4);
        CRC32C wrong = new CRC32C();
        wrong.update(data, 0, data.length - 1);
        long v = wrong.getValue();
        String crc = java.util.Base64.getEncoder().encodeToString(
                new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        BlobId id = BlobId.of("b", "bad/crc.bin");
        try (com.google.cloud.WriteChannel w = fake.writer(com.google.cloud.storage.BlobInfo.newBuilder(id)
                .setCrc32c(crc).build(), Storage.BlobWriteOption.crc32cMatch())) {
            w.write(java.nio.ByteBuffer.wrap(data));
        }
        Blob stored = fake.get(BlobId.of("b", "bad/crc.bin"));
        assertThat(stored.getCrc32c()).as("CRC32C the fake keeps from the upload's metadata").isEqualTo(crc);
        InputBlob blob = store.open("gs://b/bad/crc.bin");
        assertThatThrownBy(() -> readAll(blob)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("CRC32C");
        byte[] part = new byte[100];
        blob.readFully(10, part, 0, part.length);
        assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(data, 10, 110));
    }

    @Test
    void bulkDeleteFallsBackToSingleDeletesWhenBatchIsNotImplemented() {
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String location = "gs://b/bulk/" + i;
            try (BlobOutputStream out = store.create(location)) {
                out.write(bytes(100, i));
                out.commit();
            }
            locations.add(location);
        }
        locations.add("gs://b/bulk/missing");
        store.deleteAll(locations);
        assertThat(store.list("gs://b/bulk/")).isEmpty();
        assertThat(store.batchDeleteFellBack()).as("LocalStorageHelper refuses batches").isTrue();
        store.deleteAll(locations);
    }

    @Test
    void locationsMustNameABucketAndAnObject() {
        assertThatThrownBy(() -> store.create("s3://b/x")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("not a gs:// location");
        assertThatThrownBy(() -> store.create("gs:///x")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no bucket");
        assertThatThrownBy(() -> store.open("gs://b/dir/")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("names no object");
        assertThat(GcsLocation.parsePrefix("gs://b")).isEqualTo(new GcsLocation("b", ""));
    }

    @Test
    void providerIsFoundBySchemeAndValidatesItsOptions(@TempDir Path dir) throws Exception {
        Map<String, String> anonymous = Map.of(GcsBlobStoreProvider.CREDENTIALS_FILE, "none",
                GcsBlobStoreProvider.PROJECT_ID, "p", GcsBlobStoreProvider.ENDPOINT, "http://127.0.0.1:1");
        try (BlobStore s = BlobStores.forLocation("gs://bucket/x", anonymous)) {
            assertThat(s).isInstanceOf(GcsBlobStore.class);
        }
        assertThat(GcsBlobStoreProvider.options(anonymous).getHost()).isEqualTo("http://127.0.0.1:1");
        assertThat(GcsBlobStoreProvider.chunkSize("524288")).isEqualTo(524288);
        assertThatThrownBy(() -> GcsBlobStoreProvider.chunkSize("1000")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(GcsBlobStoreProvider.CHUNK_SIZE).hasMessageContaining("256 KiB");
        assertThatThrownBy(() -> GcsBlobStoreProvider.chunkSize("big")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> GcsBlobStoreProvider.options(Map.of(GcsBlobStoreProvider.ENDPOINT, "127.0.0.1")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("http://");
        assertThatThrownBy(() -> GcsBlobStoreProvider.options(Map.of(GcsBlobStoreProvider.MAX_ATTEMPTS, "0")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(GcsBlobStoreProvider.MAX_ATTEMPTS);
        Path secret = dir.resolve("key.json");
        Files.writeString(secret, "{\"type\":\"service_account\",\"private_key\":\"SECRET-VALUE\"}");
        assertThatThrownBy(() -> GcsBlobStoreProvider.options(Map.of(GcsBlobStoreProvider.CREDENTIALS_FILE, secret.toString())))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("key.json")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET-VALUE"));
    }
}
