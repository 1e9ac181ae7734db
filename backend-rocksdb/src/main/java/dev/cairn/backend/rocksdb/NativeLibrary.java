package dev.cairn.backend.rocksdb;

import dev.cairn.error.CairnException;
import org.rocksdb.RocksDB;

/** Loads the RocksDB native library once per class loader, with a clear error if the platform lacks it. */
final class NativeLibrary {
    private static volatile boolean loaded;

    private NativeLibrary() {
    }

    static void load() {
        if (loaded) {
            return;
        }
        synchronized (NativeLibrary.class) {
            if (!loaded) {
                try {
                    RocksDB.loadLibrary();
                } catch (UnsatisfiedLinkError | RuntimeException e) {
                    throw new CairnException("cannot load the RocksDB native library (rocksdbjni linux64 needs "
                            + "glibc 2.17 or newer on x86-64): " + e.getMessage(), e);
                }
                loaded = true;
            }
        }
    }
}
