package dev.cairn.storage.s3;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsAbandonedWriteCleanup;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.StorageException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The {@code s3://bucket/key} blob store on the AWS SDK for Java v2 (Apache HTTP client).
 *
 * <p>Nothing is visible before commit. A blob that fits in one part is buffered (the buffer grows
 * with the data) and published by one create-only {@code PutObject} ({@code If-None-Match: *}) at
 * commit. A larger one becomes a multipart upload: each full part is uploaded on a background thread
 * while the caller keeps writing, at most {@link S3Config#partsInFlight()} at a time (the writer blocks
 * for a free slot, so memory stays near (parts in flight + 1) × part size), and commit completes the
 * upload, again with {@code If-None-Match: *}. Closing without commit, or any failure, aborts the
 * multipart upload after its in-flight parts settle, so {@code ListMultipartUploads} shows nothing.
 * Servers that ignore the conditional header (older S3-compatible stores) overwrite instead of refusing;
 * the store cannot detect that.
 *
 * <p>Uploads carry a CRC32C checksum that the server verifies ({@link S3Config.Checksum}); whole-object
 * reads ask for the stored checksum and the SDK verifies it. Ranged reads are pinned to the ETag seen by
 * {@link #open(String)} and a short body is an error, so a blob replaced or truncated under a reader is
 * never returned as data. Throttling (503 SlowDown) and transient errors are retried with exponential
 * backoff by the SDK's standard retry strategy.
 *
 * <p>Entropy injection ({@link S3Config#entropyKey()}): in a key containing the marker, the marker is
 * removed if the key's last segment is {@code _metadata} (so checkpoint metadata stays at a predictable,
 * listable path) and otherwise replaced by {@link S3Config#entropyLength()} characters derived from a
 * SHA-256 of the key without the marker. The characters are pseudo-random but deterministic, so the
 * logical location (with the marker) that the runtime stores in handles is all a later open, exists or
 * delete needs, and a checkpoint directory still owns its files. Listing a prefix that contains the marker
 * only returns the {@code _metadata} blobs (data files are spread over other prefixes by design).
 */
public final class S3BlobStore implements BlobStore, SupportsPrefixListing, SupportsBulkDelete,
        SupportsAbandonedWriteCleanup {
    static final String METADATA_NAME = "_metadata";
    private static final int INITIAL_BUFFER = 64 * 1024;
    private static final int DELETE_BATCH = 1000;
    private static final char[] ENTROPY_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final AtomicInteger STORES = new AtomicInteger();

    private final S3Config config;
    private final S3Client client;
    private final ExecutorService uploads;

    /** A store with its own client built from {@code config}. */
    public S3BlobStore(S3Config config) {
        this.config = Objects.requireNonNull(config, "config");
        this.client = buildClient(config);
        int id = STORES.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "cairn-s3-" + id + "-upload-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.uploads = Executors.newCachedThreadPool(factory);
    }

    public S3Config config() {
        return config;
    }

    /** The SDK client, for tests and tools that inspect the bucket (e.g. pending multipart uploads). */
    public S3Client client() {
        return client;
    }

    private static S3Client buildClient(S3Config config) {
        AwsCredentialsProvider credentials = config.hasStaticCredentials()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()))
                : DefaultCredentialsProvider.builder().build();
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(config.pathStyle())
                .httpClientBuilder(ApacheHttpClient.builder().expectContinueEnabled(false)
                        .maxConnections(Math.max(50, config.partsInFlight() * 4)))
                .overrideConfiguration(o -> o.retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(config.maxAttempts()).build()));
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        return builder.build();
    }

    /** The object key a logical key is stored under, after entropy injection. */
    String physicalKey(String key) {
        String marker = config.entropyKey();
        if (marker == null || !key.contains(marker)) {
            return key;
        }
        String removed = removeMarker(key, marker);
        if (removed.endsWith("/" + METADATA_NAME) || removed.equals(METADATA_NAME)) {
            return removed;
        }
        return key.replace(marker, entropy(removed));
    }

    private static String removeMarker(String key, String marker) {
        return key.replace(marker + "/", "").replace("/" + marker, "").replace(marker, "");
    }

    private String entropy(String seed) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        char[] out = new char[config.entropyLength()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ENTROPY_ALPHABET[(digest[i] & 0xff) % ENTROPY_ALPHABET.length];
        }
        return new String(out);
    }

    @Override
    public BlobOutputStream create(String location) {
        S3Location target = S3Location.blob(location);
        return new S3OutputStream(location, target.bucket(), physicalKey(target.key()));
    }

    @Override
    public InputBlob open(String location) {
        S3Location target = S3Location.blob(location);
        String key = physicalKey(target.key());
        HeadObjectResponse head;
        try {
            head = client.headObject(b -> b.bucket(target.bucket()).key(key));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new BlobNotFoundException(location, e);
            }
            throw storageFailure(location, "HeadObject", e);
        } catch (SdkException e) {
            throw storageFailure(location, "HeadObject", e);
        }
        return new S3InputBlob(location, target.bucket(), key, head.contentLength(), head.eTag());
    }

    @Override
    public boolean exists(String location) {
        try {
            open(location);
            return true;
        } catch (BlobNotFoundException e) {
            return false;
        }
    }

    @Override
    public void delete(String location) {
        S3Location target = S3Location.blob(location);
        try {
            client.deleteObject(b -> b.bucket(target.bucket()).key(physicalKey(target.key())));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw storageFailure(location, "DeleteObject", e);
            }
        } catch (SdkException e) {
            throw storageFailure(location, "DeleteObject", e);
        }
    }

    @Override
    public void deleteAll(Iterable<String> locations) {
        Map<String, List<String[]>> byBucket = new LinkedHashMap<>();
        for (String location : locations) {
            S3Location target = S3Location.blob(location);
            byBucket.computeIfAbsent(target.bucket(), b -> new ArrayList<>())
                    .add(new String[] {location, physicalKey(target.key())});
        }
        List<String> failures = new ArrayList<>();
        Throwable firstCause = null;
        int attempted = 0;
        for (Map.Entry<String, List<String[]>> entry : byBucket.entrySet()) {
            List<String[]> all = entry.getValue();
            for (int from = 0; from < all.size(); from += DELETE_BATCH) {
                List<String[]> batch = all.subList(from, Math.min(all.size(), from + DELETE_BATCH));
                attempted += batch.size();
                List<ObjectIdentifier> ids = new ArrayList<>(batch.size());
                for (String[] item : batch) {
                    ids.add(ObjectIdentifier.builder().key(item[1]).build());
                }
                try {
                    DeleteObjectsResponse response = client.deleteObjects(b -> b.bucket(entry.getKey())
                            .delete(d -> d.objects(ids).quiet(true)));
                    for (S3Error error : response.errors()) {
                        if (!"NoSuchKey".equals(error.code())) {
                            failures.add("s3://" + entry.getKey() + "/" + error.key() + ": " + error.code()
                                    + " " + error.message());
                        }
                    }
                } catch (SdkException e) {
                    firstCause = firstCause == null ? e : firstCause;
                    for (String[] item : batch) {
                        failures.add(item[0] + ": DeleteObjects failed: " + e.getMessage());
                    }
                }
            }
        }
        if (failures.isEmpty()) {
            return;
        }
        throw SupportsBulkDelete.failureReport(attempted, failures, firstCause);
    }

    @Override
    public Iterable<BlobInfo> list(String prefix) {
        S3Location parsed = S3Location.parse(prefix);
        String marker = config.entropyKey();
        boolean entropyPrefix = marker != null && parsed.key().contains(marker);
        String logicalPrefix = parsed.key();
        String physicalPrefix = entropyPrefix ? removeMarker(logicalPrefix, marker) : logicalPrefix;
        List<BlobInfo> found = new ArrayList<>();
        try {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(parsed.bucket()).prefix(physicalPrefix))
                    .contents()) {
                String key = object.key();
                if (key.endsWith("/")) {
                    continue;
                }
                String logical = entropyPrefix ? logicalPrefix + key.substring(physicalPrefix.length()) : key;
                if (entropyPrefix && !physicalKey(logical).equals(key)) {
                    continue;
                }
                found.add(new BlobInfo(S3Location.SCHEME_PREFIX + parsed.bucket() + "/" + logical, object.size(),
                        object.lastModified()));
            }
        } catch (SdkException e) {
            throw storageFailure(prefix, "ListObjectsV2", e);
        }
        return found;
    }

    /**
     * Aborts the multipart uploads under {@code prefix} that were started and never completed or aborted
     * (a process killed during an upload leaves them, billed, until a lifecycle rule removes them). With
     * entropy injection, an upload counts as under the prefix when its key is the entropy-injected key of a
     * location under it, so uploads of other jobs that share the part of the prefix before the marker are
     * never touched.
     */
    @Override
    public int removeAbandonedWrites(String prefix) {
        return uploads(prefix, true).size();
    }

    /**
     * The multipart uploads under {@code prefix} that were started and not completed or aborted, each as
     * {@code s3://<bucket>/<key>?uploadId=<id>} with the time it was initiated (length 0: the parts are not
     * summed).
     */
    @Override
    public List<BlobInfo> findAbandonedWrites(String prefix) {
        return uploads(prefix, false);
    }

    private List<BlobInfo> uploads(String prefix, boolean abort) {
        S3Location parsed = S3Location.parse(prefix);
        String logicalPrefix = parsed.key();
        String marker = config.entropyKey();
        boolean entropyPrefix = marker != null && logicalPrefix.contains(marker);
        String listPrefix = entropyPrefix ? logicalPrefix.substring(0, logicalPrefix.indexOf(marker)) : logicalPrefix;
        List<BlobInfo> found = new ArrayList<>();
        try {
            for (MultipartUpload upload : client.listMultipartUploadsPaginator(b -> b.bucket(parsed.bucket())
                    .prefix(listPrefix)).uploads()) {
                String key = upload.key();
                if (entropyPrefix ? !isEntropyKeyUnder(key, logicalPrefix, listPrefix, marker)
                        : !key.startsWith(logicalPrefix)) {
                    continue;
                }
                if (abort) {
                    client.abortMultipartUpload(b -> b.bucket(parsed.bucket()).key(key).uploadId(upload.uploadId()));
                }
                found.add(new BlobInfo(S3Location.SCHEME_PREFIX + parsed.bucket() + "/" + key + "?uploadId="
                        + upload.uploadId(), 0, upload.initiated()));
            }
        } catch (SdkException e) {
            throw storageFailure(prefix, abort ? "aborting abandoned multipart uploads"
                    : "listing abandoned multipart uploads", e);
        }
        return found;
    }

    private boolean isEntropyKeyUnder(String key, String logicalPrefix, String before, String marker) {
        int length = config.entropyLength();
        if (key.length() < before.length() + length) {
            return false;
        }
        String logical = before + marker + key.substring(before.length() + length);
        return logical.startsWith(logicalPrefix) && physicalKey(logical).equals(key);
    }

    @Override
    public void close() {
        uploads.shutdownNow();
        client.close();
    }

    @Override
    public String toString() {
        return "S3BlobStore[" + config + "]";
    }

    static StorageException storageFailure(String location, String what, Throwable e) {
        return new StorageException(location + ": " + what + " failed: " + e.getMessage(), e);
    }

    private static boolean isPreconditionFailure(S3Exception e) {
        return e.statusCode() == 412 || e.statusCode() == 409;
    }

    private PutObjectRequest.Builder encrypted(PutObjectRequest.Builder b) {
        switch (config.encryption()) {
            case SSE_S3:
                return b.serverSideEncryption(ServerSideEncryption.AES256);
            case SSE_KMS:
                b.serverSideEncryption(ServerSideEncryption.AWS_KMS);
                return config.kmsKeyId() != null ? b.ssekmsKeyId(config.kmsKeyId()) : b;
            default:
                return b;
        }
    }

    private CreateMultipartUploadRequest.Builder encrypted(CreateMultipartUploadRequest.Builder b) {
        switch (config.encryption()) {
            case SSE_S3:
                return b.serverSideEncryption(ServerSideEncryption.AES256);
            case SSE_KMS:
                b.serverSideEncryption(ServerSideEncryption.AWS_KMS);
                return config.kmsKeyId() != null ? b.ssekmsKeyId(config.kmsKeyId()) : b;
            default:
                return b;
        }
    }

    private boolean crc32c() {
        return config.checksum() == S3Config.Checksum.CRC32C;
    }

    /** Buffers up to one part, then switches to a multipart upload with bounded parts in flight. */
    private final class S3OutputStream extends BlobOutputStream {
        private final String location;
        private final String bucket;
        private final String key;
        private final Semaphore slots = new Semaphore(config.partsInFlight());
        private final List<Future<CompletedPart>> parts = new ArrayList<>();
        private byte[] buffer = new byte[INITIAL_BUFFER];
        private int buffered;
        private long position;
        private String uploadId;
        private boolean committed;
        private boolean closed;

        S3OutputStream(String location, String bucket, String key) {
            this.location = location;
            this.bucket = bucket;
            this.key = key;
        }

        @Override
        public void write(int b) {
            ensureOpen();
            if (buffered == buffer.length) {
                makeRoom();
            }
            buffer[buffered++] = (byte) b;
            position++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            ensureOpen();
            while (len > 0) {
                if (buffered == buffer.length) {
                    makeRoom();
                }
                int n = Math.min(len, buffer.length - buffered);
                System.arraycopy(b, off, buffer, buffered, n);
                buffered += n;
                position += n;
                off += n;
                len -= n;
            }
        }

        @Override
        public long position() {
            return position;
        }

        private void ensureOpen() {
            if (closed) {
                throw new StorageException(location + ": the stream is " + (committed ? "committed" : "closed"));
            }
        }

        /** Grows the buffer up to one part, or hands a full part to the uploader. */
        private void makeRoom() {
            if (buffer.length < config.partSize()) {
                byte[] bigger = new byte[(int) Math.min(config.partSize(), 2L * buffer.length)];
                System.arraycopy(buffer, 0, bigger, 0, buffered);
                buffer = bigger;
                return;
            }
            submitPart();
            buffer = new byte[config.partSize()];
        }

        private void submitPart() {
            try {
                if (uploadId == null) {
                    uploadId = client.createMultipartUpload(b -> {
                        encrypted(b.bucket(bucket).key(key));
                        if (crc32c()) {
                            b.checksumAlgorithm(ChecksumAlgorithm.CRC32_C);
                        }
                    }).uploadId();
                }
                failFast();
                slots.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort();
                throw new StorageException(location + ": interrupted while waiting to upload a part", e);
            } catch (SdkException e) {
                abort();
                throw storageFailure(location, "CreateMultipartUpload", e);
            }
            byte[] data = buffer;
            int length = buffered;
            int partNumber = parts.size() + 1;
            buffer = null;
            buffered = 0;
            try {
                parts.add(uploads.submit(() -> {
                    try {
                        return uploadPart(partNumber, data, length);
                    } finally {
                        slots.release();
                    }
                }));
            } catch (RuntimeException e) {
                slots.release();
                abort();
                throw storageFailure(location, "scheduling part " + partNumber, e);
            }
        }

        private CompletedPart uploadPart(int partNumber, byte[] data, int length) {
            UploadPartRequest.Builder request = UploadPartRequest.builder().bucket(bucket).key(key)
                    .uploadId(uploadId).partNumber(partNumber).contentLength((long) length);
            if (crc32c()) {
                request.checksumAlgorithm(ChecksumAlgorithm.CRC32_C);
            }
            UploadPartResponse response = client.uploadPart(request.build(), body(data, length));
            return CompletedPart.builder().partNumber(partNumber).eTag(response.eTag())
                    .checksumCRC32C(response.checksumCRC32C()).build();
        }

        /** Fails the stream as soon as one finished part failed, instead of at commit. */
        private void failFast() {
            for (Future<CompletedPart> part : parts) {
                if (part.isDone()) {
                    await(part);
                }
            }
        }

        private CompletedPart await(Future<CompletedPart> part) {
            try {
                return part.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort();
                throw new StorageException(location + ": interrupted while uploading", e);
            } catch (ExecutionException e) {
                abort();
                throw storageFailure(location, "UploadPart", e.getCause());
            }
        }

        @Override
        public BlobInfo commit() {
            ensureOpen();
            try {
                if (uploadId == null) {
                    putObject();
                } else {
                    if (buffered > 0) {
                        submitPart();
                    }
                    completeMultipart();
                }
                committed = true;
                return new BlobInfo(location, position);
            } finally {
                close();
            }
        }

        private void putObject() {
            try {
                PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(bucket).key(key)
                        .contentLength((long) buffered).ifNoneMatch("*");
                encrypted(request);
                if (crc32c()) {
                    request.checksumAlgorithm(ChecksumAlgorithm.CRC32_C);
                }
                client.putObject(request.build(), body(buffer, buffered));
            } catch (S3Exception e) {
                if (isPreconditionFailure(e)) {
                    throw new BlobAlreadyExistsException(location);
                }
                throw storageFailure(location, "PutObject", e);
            } catch (SdkException e) {
                throw storageFailure(location, "PutObject", e);
            }
        }

        private void completeMultipart() {
            List<CompletedPart> completed = new ArrayList<>(parts.size());
            for (Future<CompletedPart> part : parts) {
                completed.add(await(part));
            }
            try {
                client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId).ifNoneMatch("*")
                        .multipartUpload(m -> m.parts(completed)));
                uploadId = null;
            } catch (S3Exception e) {
                abort();
                if (isPreconditionFailure(e)) {
                    throw new BlobAlreadyExistsException(location);
                }
                throw storageFailure(location, "CompleteMultipartUpload", e);
            } catch (SdkException e) {
                abort();
                throw storageFailure(location, "CompleteMultipartUpload", e);
            }
        }

        /** Waits for in-flight parts, then aborts the multipart upload; never throws. */
        private void abort() {
            if (uploadId == null) {
                return;
            }
            String id = uploadId;
            uploadId = null;
            for (Future<CompletedPart> part : parts) {
                try {
                    part.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (ExecutionException e) {
                    // The part failed; nothing of it remains to wait for.
                }
            }
            try {
                client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id));
            } catch (SdkException e) {
                System.getLogger(S3BlobStore.class.getName()).log(System.Logger.Level.WARNING,
                        location + ": AbortMultipartUpload of " + id + " failed; a lifecycle rule must clean it up: "
                                + e.getMessage());
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            buffer = null;
            if (!committed) {
                abort();
            }
        }
    }

    private static RequestBody body(byte[] data, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
                "application/octet-stream");
    }

    /** A committed object as seen by HeadObject; its reads are pinned to that ETag. */
    private final class S3InputBlob implements InputBlob {
        private final String location;
        private final String bucket;
        private final String key;
        private final long length;
        private final String eTag;

        S3InputBlob(String location, String bucket, String key, long length, String eTag) {
            this.location = location;
            this.bucket = bucket;
            this.key = key;
            this.length = length;
            this.eTag = eTag;
        }

        @Override
        public String location() {
            return location;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public SeekableInputStream newStream() {
            return new S3InputStream(this);
        }

        @Override
        public void readFully(long position, byte[] buffer, int offset, int len) {
            Objects.checkFromIndexSize(offset, len, buffer.length);
            if (position < 0 || position + len > length) {
                throw new StorageException(location + ": cannot read " + len + " bytes at " + position
                        + " of a " + length + "-byte blob", new EOFException());
            }
            if (len == 0) {
                return;
            }
            try (ResponseInputStream<GetObjectResponse> in = get(position, position + len - 1)) {
                int done = 0;
                while (done < len) {
                    int n = in.read(buffer, offset + done, len - done);
                    if (n < 0) {
                        throw new StorageException(location + ": the server sent " + done + " of " + len
                                + " bytes at " + position, new EOFException());
                    }
                    done += n;
                }
            } catch (IOException | SdkException e) {
                throw storageFailure(location, "GetObject", e);
            }
        }

        /** A GET of {@code [from, to]} (inclusive), or of the rest from {@code from} if {@code to < 0}. */
        ResponseInputStream<GetObjectResponse> get(long from, long to) {
            GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
            if (eTag != null) {
                request.ifMatch(eTag);
            }
            if (from == 0 && to < 0) {
                request.checksumMode(ChecksumMode.ENABLED);
            } else {
                request.range("bytes=" + from + "-" + (to < 0 ? "" : Long.toString(to)));
            }
            try {
                return client.getObject(request.build());
            } catch (S3Exception e) {
                if (e.statusCode() == 404 || e.statusCode() == 412) {
                    throw new BlobNotFoundException(location, e);
                }
                throw storageFailure(location, "GetObject", e);
            } catch (SdkException e) {
                throw storageFailure(location, "GetObject", e);
            }
        }
    }

    /** Streams an object with one GET from the current position, reopening on backward or long seeks. */
    private static final class S3InputStream extends SeekableInputStream {
        private static final long SKIP_LIMIT = 256 * 1024;
        private final S3InputBlob blob;
        private ResponseInputStream<GetObjectResponse> body;
        private long position;
        private long bodyPosition;
        private boolean closed;

        S3InputStream(S3InputBlob blob) {
            this.blob = blob;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void seek(long target) {
            ensureOpen();
            if (target < 0 || target > blob.length) {
                throw new StorageException(blob.location + ": cannot seek to " + target + " in a "
                        + blob.length + "-byte blob", new EOFException());
            }
            position = target;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            ensureOpen();
            if (len == 0) {
                return 0;
            }
            if (position >= blob.length) {
                return -1;
            }
            try {
                align();
                int n = body.read(b, off, (int) Math.min(len, blob.length - position));
                if (n < 0) {
                    throw new StorageException(blob.location + ": the object ended at " + position + " of "
                            + blob.length + " bytes (truncated)", new EOFException());
                }
                position += n;
                bodyPosition += n;
                return n;
            } catch (IOException | SdkException e) {
                dropBody();
                throw storageFailure(blob.location, "reading at " + position, e);
            }
        }

        /** Makes the open body deliver the byte at {@code position}. */
        private void align() throws IOException {
            if (body != null && position > bodyPosition && position - bodyPosition <= SKIP_LIMIT) {
                long toSkip = position - bodyPosition;
                while (toSkip > 0) {
                    long skipped = body.skip(toSkip);
                    if (skipped <= 0) {
                        break;
                    }
                    toSkip -= skipped;
                    bodyPosition += skipped;
                }
            }
            if (body == null || bodyPosition != position) {
                dropBody();
                body = blob.get(position, -1);
                bodyPosition = position;
            }
        }

        private void dropBody() {
            if (body != null) {
                body.abort();
                try {
                    body.close();
                } catch (IOException | RuntimeException e) {
                    // Aborted: the connection is discarded either way.
                }
                body = null;
            }
        }

        private void ensureOpen() {
            if (closed) {
                throw new StorageException(blob.location + ": the stream is closed");
            }
        }

        @Override
        public void close() {
            closed = true;
            dropBody();
        }
    }
}
