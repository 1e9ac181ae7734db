package dev.cairn.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.blob.BlobOutputStream;
import dev.cairn.error.StorageException;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Retries on the wire: a {@link ThrottlingProxy} in front of S3Proxy answers chosen requests with
 * {@code 503 SlowDown} or {@code 500 InternalError}. Writes succeed through fewer failures than
 * {@code s3.max-attempts}; beyond it they fail with a {@link StorageException} that names the blob and
 * keeps the SDK's error, and leave nothing behind. The attempt counts seen by the proxy show that the
 * configured {@code s3.max-attempts} (not the SDK's default of 3) is what the client uses.
 */
class S3RetryTest {
    private static final int PART = S3Config.MIN_PART_SIZE;

    private ThrottlingProxy proxy;
    private String base;

    @BeforeEach
    void startProxy() throws IOException {
        proxy = new ThrottlingProxy(S3ProxyServer.endpoint());
        base = S3ProxyServer.newBase("retry");
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private S3BlobStore throughProxy(Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(S3ProxyServer.config(extra));
        config.put(S3Config.ENDPOINT, proxy.endpoint().toString());
        return new S3BlobStore(S3Config.fromMap(config));
    }

    private static S3BlobStore direct() {
        return new S3BlobStore(S3Config.fromMap(S3ProxyServer.config(Map.of())));
    }

    private static String keyOf(String location) {
        return S3Location.parse(location).key();
    }

    private static Predicate<ThrottlingProxy.Request> on(String location) {
        String path = "/" + S3ProxyServer.BUCKET + "/" + keyOf(location);
        return r -> r.target().equals(path) || r.target().startsWith(path + "?");
    }

    private static Predicate<ThrottlingProxy.Request> part(String location, int number) {
        return on(location).and(r -> r.isUploadPart() && r.target().matches(".*[?&]partNumber=" + number + "(&.*)?"));
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static void write(S3BlobStore store, String location, byte[] data) {
        try (BlobOutputStream out = store.create(location)) {
            for (int off = 0; off < data.length; off += 1 << 20) {
                out.write(data, off, Math.min(1 << 20, data.length - off));
            }
            out.commit();
        }
    }

    private static byte[] readBack(S3BlobStore store, String location) {
        var blob = store.open(location);
        byte[] back = new byte[(int) blob.length()];
        try (var in = blob.newStream()) {
            in.readFully(back, 0, back.length);
        }
        return back;
    }

    @Test
    void smallPutSucceedsThroughSlowDowns() {
        String location = base + "small.bin";
        Predicate<ThrottlingProxy.Request> puts = on(location).and(ThrottlingProxy.Request::isPutObject);
        proxy.slowDown(puts, 2);
        byte[] data = random(10_000, 1);
        try (S3BlobStore store = throughProxy(Map.of())) {
            write(store, location, data);
        }
        assertThat(proxy.requests(puts)).extracting(ThrottlingProxy.Request::failed)
                .as("PutObject attempts seen by the proxy (true = answered 503 SlowDown)")
                .containsExactly(true, true, false);
        try (S3BlobStore store = direct()) {
            assertThat(readBack(store, location)).isEqualTo(data);
        }
    }

    @Test
    void multipartUploadSucceedsThroughSlowDowns() {
        String location = base + "big.bin";
        proxy.slowDown(part(location, 1), 2);
        proxy.slowDown(part(location, 3), 1);
        Predicate<ThrottlingProxy.Request> complete = on(location).and(ThrottlingProxy.Request::isCompleteMultipart);
        proxy.slowDown(complete, 1);
        byte[] data = random(2 * PART + 4321, 2);
        try (S3BlobStore store = throughProxy(Map.of())) {
            write(store, location, data);
        }
        assertThat(proxy.requests(part(location, 1))).extracting(ThrottlingProxy.Request::failed)
                .as("UploadPart 1 attempts").containsExactly(true, true, false);
        assertThat(proxy.requests(part(location, 2))).extracting(ThrottlingProxy.Request::failed)
                .as("UploadPart 2 attempts").containsExactly(false);
        assertThat(proxy.requests(part(location, 3))).extracting(ThrottlingProxy.Request::failed)
                .as("UploadPart 3 attempts").containsExactly(true, false);
        assertThat(proxy.requests(complete)).extracting(ThrottlingProxy.Request::failed)
                .as("CompleteMultipartUpload attempts").containsExactly(true, false);
        try (S3BlobStore store = direct()) {
            assertThat(readBack(store, location)).isEqualTo(data);
            assertThat(S3ProxyServer.pendingUploads(store.client(), keyOf(base))).isZero();
        }
    }

    @Test
    void transientInternalErrorsAreRetriedUpToTheConfiguredAttempts() {
        String location = base + "flaky.bin";
        Predicate<ThrottlingProxy.Request> puts = on(location).and(ThrottlingProxy.Request::isPutObject);
        proxy.fail(puts, 4, 500, "InternalError", "We encountered an internal error. Please try again.");
        byte[] data = random(777, 3);
        try (S3BlobStore store = throughProxy(Map.of())) {
            assertThat(store.config().maxAttempts()).as("the provider's default s3.max-attempts").isEqualTo(10);
            write(store, location, data);
        }
        assertThat(proxy.requests(puts)).extracting(ThrottlingProxy.Request::failed)
                .as("5 attempts: more than the SDK's own default of 3, so s3.max-attempts is in effect")
                .containsExactly(true, true, true, true, false);
        try (S3BlobStore store = direct()) {
            assertThat(readBack(store, location)).isEqualTo(data);
        }
    }

    @Test
    void slowDownBeyondTheRetryBudgetFailsThePutAndLeavesNothing() {
        String location = base + "refused.bin";
        Predicate<ThrottlingProxy.Request> puts = on(location).and(ThrottlingProxy.Request::isPutObject);
        proxy.slowDown(puts, Integer.MAX_VALUE);
        try (S3BlobStore store = throughProxy(Map.of(S3Config.MAX_ATTEMPTS, "3"))) {
            assertThatThrownBy(() -> write(store, location, random(5000, 4)))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining(keyOf(location))
                    .hasMessageContaining("PutObject")
                    .cause().isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(503);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SlowDown");
                    });
            assertThat(proxy.requests(puts)).as("PutObject attempts with s3.max-attempts=3").hasSize(3)
                    .allMatch(ThrottlingProxy.Request::failed);
            assertThat(store.exists(location)).isFalse();
            assertThat(store.list(base)).isEmpty();
        }
    }

    @Test
    void slowDownBeyondTheRetryBudgetAbortsTheMultipartUpload() {
        String location = base + "refused-big.bin";
        proxy.slowDown(part(location, 1), Integer.MAX_VALUE);
        try (S3BlobStore store = throughProxy(Map.of(S3Config.MAX_ATTEMPTS, "2"))) {
            assertThatThrownBy(() -> write(store, location, random(2 * PART + 1, 5)))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining(keyOf(location))
                    .hasMessageContaining("UploadPart")
                    .cause().isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(503);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SlowDown");
                    });
            assertThat(proxy.requests(part(location, 1))).as("UploadPart 1 attempts with s3.max-attempts=2")
                    .hasSize(2).allMatch(ThrottlingProxy.Request::failed);
            List<ThrottlingProxy.Request> aborts = proxy.requests(on(location).and(r -> r.method().equals("DELETE")));
            assertThat(aborts).as("AbortMultipartUpload").hasSize(1);
            assertThat(S3ProxyServer.pendingUploads(store.client(), keyOf(base))).as("multipart uploads left").isZero();
            assertThat(store.exists(location)).isFalse();
            assertThat(store.list(base)).isEmpty();
        }
    }
}
