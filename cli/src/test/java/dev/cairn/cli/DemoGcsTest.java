package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.storage.gcs.GcsBlobStore;
import dev.cairn.storage.gcs.GcsBlobStoreProvider;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn demo --storage gs://…}: the CLI carries the GCS provider, found by the {@code gs} scheme. No
 * test reaches Google: the demo is pointed at an endpoint on 127.0.0.1 where nothing listens, so it gets as far
 * as the provider's first request and reports that request's failure by location.
 */
class DemoGcsTest {
    @Test
    void theGsSchemeIsServedByTheGcsProvider() {
        try (BlobStore store = BlobStores.forLocation("gs://demo-bucket/checkpoints", Map.of(
                GcsBlobStoreProvider.CREDENTIALS_FILE, "none", GcsBlobStoreProvider.PROJECT_ID, "demo"))) {
            assertThat(store).isInstanceOf(GcsBlobStore.class);
        }
    }

    @Test
    void demoOnGsStorageUsesTheGcsProviderWithTheGivenOptions(@TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        DemoCommandTest.Run run = DemoCommandTest.demo(dir.resolve("data"), "--events", "1000",
                "--storage", "gs://demo-bucket/checkpoints",
                "--storage-option", GcsBlobStoreProvider.ENDPOINT + "=http://127.0.0.1:" + closedPort,
                "--storage-option", GcsBlobStoreProvider.CREDENTIALS_FILE + "=none",
                "--storage-option", GcsBlobStoreProvider.MAX_ATTEMPTS + "=1");
        assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).as("the error of the demo without a reachable bucket")
                .contains("error: gs://demo-bucket/checkpoints/").contains("GCS list failed")
                .doesNotContain("no blob store provider");
    }
}
