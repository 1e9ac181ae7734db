package dev.cairn.storage.s3;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * One S3Proxy 4.x server per test JVM on 127.0.0.1 (AWS v4 signatures), with one bucket, storing
 * objects in a temporary directory so that stored bytes do not count as the client's heap (BLOB-11).
 * Clients use the SDK's default checksum settings. Started on first use, stopped at JVM exit.
 */
final class S3ProxyServer {
    static final String BUCKET = "cairn-test";
    static final String ACCESS_KEY = "cairn-access";
    static final String SECRET_KEY = "cairn-secret-do-not-log";
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static URI endpoint;

    private S3ProxyServer() {
    }

    static synchronized URI endpoint() {
        if (endpoint == null) {
            try {
                Path directory = Files.createTempDirectory("cairn-s3proxy");
                S3Proxy proxy = S3Proxy.builder()
                        .blobStore(new FilesystemNio2BlobStore(directory.toString()))
                        .endpoint(URI.create("http://127.0.0.1:0"))
                        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                        .build();
                proxy.start();
                while (!"STARTED".equals(proxy.getState())) {
                    Thread.sleep(5);
                }
                endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        proxy.stop();
                        try (var files = Files.walk(directory)) {
                            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                        }
                    } catch (Exception e) {
                        // JVM exit: nothing to clean up beyond the memory store.
                    }
                }));
            } catch (Exception e) {
                throw new IllegalStateException("S3Proxy did not start: " + e, e);
            }
            try (S3BlobStore store = new S3BlobStore(S3Config.fromMap(config(Map.of())))) {
                store.client().createBucket(b -> b.bucket(BUCKET));
            }
        }
        return endpoint;
    }

    /** Provider options pointing at this server, plus {@code extra}. */
    static Map<String, String> config(Map<String, String> extra) {
        Map<String, String> config = new HashMap<>();
        config.put(S3Config.ENDPOINT, endpoint().toString());
        config.put(S3Config.PATH_STYLE, "true");
        config.put(S3Config.REGION, "us-east-1");
        config.put(S3Config.ACCESS_KEY, ACCESS_KEY);
        config.put(S3Config.SECRET_KEY, SECRET_KEY);
        config.put(S3Config.PART_SIZE, Integer.toString(S3Config.MIN_PART_SIZE));
        config.put(S3Config.PARTS_IN_FLIGHT, "2");
        config.put(S3Config.CHECKSUM, "sdk-default");
        config.putAll(extra);
        return config;
    }

    static BlobStore store() {
        return BlobStores.create("s3", config(Map.of()));
    }

    /** A fresh prefix in the bucket, ending with '/'. */
    static String newBase(String name) {
        return "s3://" + BUCKET + "/" + name + "-" + RUNS.incrementAndGet() + "/";
    }

    static int pendingUploads(S3Client client, String keyPrefix) {
        int n = 0;
        for (MultipartUpload upload : client.listMultipartUploads(b -> b.bucket(BUCKET).prefix(keyPrefix)).uploads()) {
            n++;
        }
        return n;
    }
}
