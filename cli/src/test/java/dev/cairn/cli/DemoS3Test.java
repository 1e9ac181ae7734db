package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code cairn demo --storage s3://…} against an S3Proxy server on 127.0.0.1, configured on the command line. */
class DemoS3Test {
    private static final String ACCESS = "demo-access";
    private static final String SECRET = "demo-secret-never-printed";

    @Test
    void demoCheckpointsToS3(@TempDir Path dir) throws Exception {
        Path blobs = Files.createDirectories(dir.resolve("s3"));
        S3Proxy proxy = S3Proxy.builder().blobStore(new FilesystemNio2BlobStore(blobs.toString()))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        try {
            while (!"STARTED".equals(proxy.getState())) {
                Thread.sleep(5);
            }
            String endpoint = "http://127.0.0.1:" + proxy.getPort();
            try (S3Client client = S3Client.builder().endpointOverride(URI.create(endpoint)).forcePathStyle(true)
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
                    .build()) {
                client.createBucket(b -> b.bucket("demo-bucket"));

                Path report = dir.resolve("report.json");
                DemoCommandTest.Run run = DemoCommandTest.demo(dir.resolve("data"), "--events", "40000",
                        "--failures", "1", "--seed", "3", "--report", report.toString(),
                        "--storage", "s3://demo-bucket/checkpoints",
                        "--storage-option", "s3.endpoint=" + endpoint,
                        "--storage-option", "s3.path-style-access=true",
                        "--storage-option", "s3.access-key=" + ACCESS,
                        "--storage-option", "s3.secret-key=" + SECRET);
                assertThat(run.exitCode()).as(run.output()).isZero();
                assertThat(run.lastLine()).matches("verified: exactly-once \\(40000 events, 1 failures, [1-9]\\d* checkpoints\\)");
                assertThat(run.output()).doesNotContain(SECRET);
                String json = Files.readString(report);
                assertThat(json).doesNotContain(SECRET);
                JsonNode root = new ObjectMapper().readTree(json);
                assertThat(root.path("storage").asText()).isEqualTo("s3://demo-bucket/checkpoints");
                assertThat(root.path("checkpoints").size()).as("checkpoints completed on S3 (each wrote its _metadata there)")
                        .isPositive();
                assertThat(root.path("failuresInjected").asInt()).isEqualTo(1);
            }
        } finally {
            proxy.stop();
        }
    }
}
