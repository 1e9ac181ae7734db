package dev.cairn.example.memstore;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.tck.BlobStoreTck;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Certifies the {@code mem://} store against every blob-store rule of the TCK. */
class MemBlobStoreTckTest extends BlobStoreTck {

    @Override
    protected BlobStore createBlobStore() {
        return BlobStores.forLocation("mem://tck/", Map.of());
    }

    @Override
    protected String newBaseLocation() {
        return "mem://tck/" + UUID.randomUUID() + "/";
    }

    /** {@code putIfAbsent} makes commits create-only even under races. */
    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.of(Capability.ATOMIC_RENAME);
    }

    /** The store is the heap: a 64 MiB blob lives there once committed, plus the write buffer's growth. */
    @Override
    protected long streamingHeapBound() {
        return 192L * 1024 * 1024;
    }
}
