package dev.cairn.runtime.storage;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStoreProvider;
import java.util.Map;

/** Serves {@code maptest://} locations with a fresh {@link MapBlobStore}, to test provider lookup. */
public final class MapBlobStoreProvider implements BlobStoreProvider {
    static volatile MapBlobStore last;

    @Override
    public String scheme() {
        return "maptest";
    }

    @Override
    public BlobStore create(Map<String, String> config) {
        MapBlobStore store = new MapBlobStore();
        last = store;
        return store;
    }
}
