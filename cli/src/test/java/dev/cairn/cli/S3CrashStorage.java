package dev.cairn.cli;

import dev.cairn.checkpoint.CheckpointScan;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.storage.s3.S3BlobStore;
import dev.cairn.storage.s3.S3Config;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The crash test's checkpoints in S3: an {@link S3Proxy} in the test JVM on 127.0.0.1 ({@link Server}),
 * the demo children connecting to it with {@code --storage s3://…} and static credentials. The job
 * directory is scanned through {@link FileCheckpointStorage} over an {@link S3BlobStore}; the orphan check
 * lists, with the AWS SDK, every object under the job prefix (only {@code _job-ended} may be there) and
 * every open multipart upload under it (none may be). Over the campaign it records the largest object it
 * saw and the multipart uploads it found open right after a kill, to tell whether multipart happened.
 */
final class S3CrashStorage implements CrashStorage {
    private final Server server;
    private final String base;
    private final String jobPrefix;
    private final S3BlobStore store;
    private long largestObject;
    private String largestKey = "";
    /** Objects seen larger than one part: written by a completed multipart upload. */
    private final Set<String> multipartObjects = new HashSet<>();
    private long uploadsOpenAfterKill;
    private long scans;

    /** Storage for one campaign under {@code s3://<bucket>/<prefix>} of {@code server}. */
    S3CrashStorage(Server server, String prefix) {
        this.server = server;
        this.base = "s3://" + Server.BUCKET + "/" + prefix;
        this.jobPrefix = prefix + "/" + DemoCommand.JOB_ID + "/";
        this.store = new S3BlobStore(S3Config.fromMap(server.options()));
    }

    @Override
    public List<String> demoOptions() {
        List<String> options = new ArrayList<>(List.of("--storage", base));
        server.options().forEach((k, v) -> options.addAll(List.of("--storage-option", k + "=" + v)));
        return options;
    }

    @Override
    public String redact(String arg) {
        return arg.startsWith(S3Config.SECRET_KEY + "=") ? S3Config.SECRET_KEY + "=(redacted)" : arg;
    }

    /** Scans with the library, and notes object sizes and open multipart uploads (the run was just killed). */
    @Override
    public CheckpointScan scan() {
        CheckpointScan scan = new FileCheckpointStorage(store, base, DemoCommand.JOB_ID).scan();
        scans++;
        for (S3Object object : objects()) {
            if (object.size() > largestObject) {
                largestObject = object.size();
                largestKey = object.key();
            }
            if (object.size() > server.partSize()) {
                multipartObjects.add(object.key());
            }
        }
        uploadsOpenAfterKill += uploads().size();
        return scan;
    }

    @Override
    public List<String> orphans() {
        List<String> found = new ArrayList<>();
        boolean ended = false;
        for (S3Object object : objects()) {
            if (object.key().equals(jobPrefix + JOB_ENDED)) {
                ended = true;
            } else {
                found.add("s3://" + Server.BUCKET + "/" + object.key() + " (" + object.size() + " B)");
            }
        }
        if (!ended) {
            found.add("(missing) s3://" + Server.BUCKET + "/" + jobPrefix + JOB_ENDED);
        }
        for (MultipartUpload upload : uploads()) {
            found.add("(open multipart upload " + upload.uploadId() + ", initiated " + upload.initiated() + ") s3://"
                    + Server.BUCKET + "/" + upload.key());
        }
        return found;
    }

    @Override
    public String listing() {
        StringBuilder s = new StringBuilder();
        for (S3Object object : objects()) {
            s.append("  s3://").append(Server.BUCKET).append('/').append(object.key()).append(" (")
                    .append(object.size()).append(" B)\n");
        }
        for (MultipartUpload upload : uploads()) {
            s.append("  (open multipart upload ").append(upload.uploadId()).append(") ").append(upload.key())
                    .append('\n');
        }
        return s.toString();
    }

    @Override
    public void deleteAll() {
        for (MultipartUpload upload : uploads()) {
            client().abortMultipartUpload(b -> b.bucket(Server.BUCKET).key(upload.key()).uploadId(upload.uploadId()));
        }
        for (S3Object object : objects()) {
            client().deleteObject(b -> b.bucket(Server.BUCKET).key(object.key()));
        }
    }

    @Override
    public String summary() {
        return base + " on S3Proxy (part size " + server.partSize() + " B): largest object seen after a kill "
                + largestObject + " B" + (largestKey.isEmpty() ? "" : " (" + largestKey + ")")
 + ", objects larger than one part (multipart) " + multipartObjects.size()
                + ", multipart uploads open right after a kill: " + uploadsOpenAfterKill + " over " + scans + " kills";
    }

    @Override
    public void close() {
        store.close();
    }

    private S3Client client() {
        return store.client();
    }

    private List<S3Object> objects() {
        List<S3Object> all = new ArrayList<>();
        client().listObjectsV2Paginator(b -> b.bucket(Server.BUCKET).prefix(jobPrefix)).contents().forEach(all::add);
        return all;
    }

    private List<MultipartUpload> uploads() {
        List<MultipartUpload> all = new ArrayList<>();
        client().listMultipartUploadsPaginator(b -> b.bucket(Server.BUCKET).prefix(jobPrefix)).uploads()
                .forEach(all::add);
        return all;
    }

    /**
     * An S3Proxy server on 127.0.0.1 with a filesystem-backed blob store and one bucket, for one test run.
     * Its secret key is random per server and never appears in what the test prints ({@link #toString()},
     * {@link S3CrashStorage#redact}).
     */
    static final class Server implements AutoCloseable {
        static final String BUCKET = "cairn-crash";
        private static final String ACCESS_KEY = "cairn-crash-access";

        private final Path directory;
        private final S3Proxy proxy;
        private final String secretKey;
        private final URI endpoint;
        private final int partSize;

        /**
         * Starts the server over {@code directory} (emptied first); uploads use parts of {@code partSize}
         * bytes, so a larger blob becomes a multipart upload.
         */
        Server(Path directory, int partSize) throws Exception {
            this.directory = directory.toAbsolutePath();
            this.partSize = partSize;
            CrashHarness.deleteRecursively(this.directory);
            Files.createDirectories(this.directory);
            byte[] secret = new byte[24];
            new SecureRandom().nextBytes(secret);
            this.secretKey = HexFormat.of().formatHex(secret);
            this.proxy = S3Proxy.builder().blobStore(new FilesystemNio2BlobStore(this.directory.toString()))
                    .endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, secretKey).build();
            proxy.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    proxy.stop();
                    throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
                }
                Thread.sleep(5);
            }
            this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
            try (S3BlobStore admin = new S3BlobStore(S3Config.fromMap(options()))) {
                admin.client().createBucket(b -> b.bucket(BUCKET));
            } catch (RuntimeException e) {
                proxy.stop();
                throw e;
            }
        }

        /** The storage options a client of this server needs (the secret key among them). */
        Map<String, String> options() {
            Map<String, String> options = new LinkedHashMap<>();
            options.put(S3Config.ENDPOINT, endpoint.toString());
            options.put(S3Config.PATH_STYLE, "true");
            options.put(S3Config.REGION, "us-east-1");
            options.put(S3Config.ACCESS_KEY, ACCESS_KEY);
            options.put(S3Config.SECRET_KEY, secretKey);
            options.put(S3Config.PART_SIZE, Integer.toString(partSize));
            return options;
        }

        int partSize() {
            return partSize;
        }

        @Override
        public void close() throws Exception {
            proxy.stop();
        }

        @Override
        public String toString() {
            return "S3Proxy at " + endpoint + " over " + directory + ", bucket " + BUCKET;
        }
    }
}
