package dev.cairn.benchmarks.report;

import java.util.List;

/** The storage throughput suite ({@code dev.cairn.benchmarks.storage}). */
public final class StorageSection extends Section {
    @Override
    public String suite() {
        return "storage";
    }

    @Override
    public String title() {
        return "Storage throughput";
    }

    @Override
    public String description() {
        return "One checkpoint file of random bytes (the same bytes for every system) written durably and read "
                + "back, one file per shot (single-shot time per file; MiB/s derived from the bytes per shot): "
                + "Cairn's blob providers — `file://` (temporary file, fsync, create-only publish, directory "
                + "fsync), `hdfs://` on a MiniDFSCluster in the benchmark JVM (hsync, rename) and `s3://` on S3Proxy "
                + "on 127.0.0.1 (parallel multipart upload, CRC32C) — against Flink's own checkpoint stream "
                + "(`FsCheckpointStreamFactory`, `closeAndGetHandle()` syncs) on a local directory, with a plain "
                + "`FileChannel` write + `force(true)` of the same bytes as the physical baseline. Every system gets "
                + "1 MiB write calls and reads into a 1 MiB array; buffering layers use 64 KiB buffers. Reads follow "
                + "the write of the same file, so local reads come mostly from the page cache.";
    }

    @Override
    public List<Pairing> pairings() {
        return List.of(new Pairing("cairn-file", "flink-fs", "raw-filechannel"),
                new Pairing("cairn-hdfs", "flink-fs", "raw-filechannel"),
                new Pairing("cairn-s3", "flink-fs", "raw-filechannel"));
    }

    @Override
    public String ceilingName() {
        return "baseline";
    }
}
