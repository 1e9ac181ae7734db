package dev.cairn.benchmarks.storage;

import dev.cairn.storage.s3.S3Config;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3 protocol server in the benchmark JVM: S3Proxy 4.x on 127.0.0.1 (AWS v4 signatures) storing objects as
 * files under a directory, with one bucket.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String BUCKET = "cairn-bench";
    private static final String ACCESS_KEY = "cairn-bench-access";
    private static final String SECRET_KEY = "cairn-bench-secret";
    private static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final URI endpoint;

    public S3ProxyServer(Path directory) throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(directory.toString()))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy did not start within 30 s (state " + proxy.getState() + ")");
            }
            Thread.sleep(5);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        try (S3Client client = S3Client.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build()) {
            client.createBucket(b -> b.bucket(BUCKET));
        }
    }

    /**
     * Options of Cairn's {@code s3} provider for this server, with the provider's default upload settings
     * (16 MiB parts, 4 uploading at once, CRC32C checksums).
     */
    public Map<String, String> providerConfig() {
        return Map.of(
                S3Config.ENDPOINT, endpoint.toString(),
                S3Config.PATH_STYLE, "true",
                S3Config.REGION, REGION,
                S3Config.ACCESS_KEY, ACCESS_KEY,
                S3Config.SECRET_KEY, SECRET_KEY);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
