package dev.cairn.benchmarks.common;

/**
 * The values of every benchmark's {@code system} parameter. The report pairs results that differ only in this
 * parameter: a Cairn system, the Flink system it is compared with, and the raw ceiling or physical baseline.
 */
public final class Systems {
    /** Every benchmark declares {@code @Param} with this name. */
    public static final String PARAM = "system";

    public static final String CAIRN_MEMORY = "cairn-memory";
    public static final String FLINK_HEAP = "flink-heap";
    public static final String RAW_HASHMAP = "raw-hashmap";

    public static final String CAIRN_ROCKSDB = "cairn-rocksdb";
    public static final String FLINK_ROCKSDB = "flink-rocksdb";
    public static final String RAW_ROCKSDBJNI = "raw-rocksdbjni";

    public static final String CAIRN_FILE = "cairn-file";
    public static final String CAIRN_HDFS = "cairn-hdfs";
    public static final String CAIRN_S3 = "cairn-s3";
    public static final String FLINK_FS = "flink-fs";
    public static final String RAW_FILECHANNEL = "raw-filechannel";

    /** File merging suite: Cairn's checkpoint storage with {@code checkpoint.file-merging.enabled=false}. */
    public static final String CAIRN_MERGING_OFF = "cairn-merging-off";
    /** File merging within each checkpoint. */
    public static final String CAIRN_MERGING_WITHIN = "cairn-merging-within";
    /** File merging across checkpoint boundaries (falls back to within on a store that cannot append, e.g. S3). */
    public static final String CAIRN_MERGING_ACROSS = "cairn-merging-across";

    private Systems() {
    }
}
