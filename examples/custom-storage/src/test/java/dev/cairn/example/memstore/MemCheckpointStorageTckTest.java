package dev.cairn.example.memstore;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.tck.CheckpointStorageTck;
import java.util.Map;
import java.util.UUID;

/** Certifies checkpoint storage on the {@code mem://} store: layout, atomic metadata, discard, bad input. */
class MemCheckpointStorageTckTest extends CheckpointStorageTck {

    @Override
    protected BlobStore createBlobStore() {
        return BlobStores.forLocation("mem://tck/", Map.of());
    }

    @Override
    protected String newBaseLocation() {
        return "mem://tck/" + UUID.randomUUID() + "/";
    }
}
