package dev.cairn.backend.rocksdb;

import dev.cairn.error.CorruptCheckpointException;
import java.nio.file.Path;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileReader;

/**
 * Verifies every block checksum of an SST file with RocksDB's own reader: what a restore checks after
 * downloading a shared file, and what {@code cairn verify} checks of a checkpoint at rest.
 */
public final class SstChecksums {
    private SstChecksums() {
    }

    /** Fails with a {@link CorruptCheckpointException} naming {@code what} unless every block checksum matches. */
    public static void verify(Path sst, String what) {
        NativeLibrary.load();
        try (Options options = new Options()) {
            verify(options, sst, what);
        }
    }

    static void verify(Options readerOptions, Path sst, String what) {
        try (SstFileReader reader = new SstFileReader(readerOptions)) {
            reader.open(sst.toString());
            reader.verifyChecksum();
        } catch (RocksDBException e) {
            throw new CorruptCheckpointException(what, "RocksDB checksum verification of SST file "
                    + sst.getFileName() + " failed: " + e.getMessage(), e);
        }
    }
}
