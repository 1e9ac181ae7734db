package dev.cairn.backend.rocksdb;

/**
 * Test-only door to the package-private readers of the RocksDB backend, for the fuzz targets of module
 * {@code fuzz} (this class lives in that module's test sources, in the backend's package).
 */
public final class RocksDbFormatAccess {
    private RocksDbFormatAccess() {
    }

    /** {@link SnapshotMetaFormat#read}: the meta-data stream of an incremental RocksDB snapshot. */
    public static Object readSnapshotMeta(String file, byte[] bytes) {
        return SnapshotMetaFormat.read(file, bytes);
    }
}
