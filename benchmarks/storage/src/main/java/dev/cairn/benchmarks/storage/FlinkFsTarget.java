package dev.cairn.benchmarks.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.state.CheckpointedStateScope;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.FsCheckpointStreamFactory;

/**
 * Flink's own checkpoint file path on a local directory: {@link FsCheckpointStreamFactory}'s
 * {@code FsCheckpointStateOutputStream} (Flink picks a random file name in the exclusive checkpoint directory;
 * {@code closeAndGetHandle()} flushes, syncs and closes the file) and {@link StreamStateHandle#openInputStream()}
 * to read. The handle's {@code discardState()} deletes it.
 */
final class FlinkFsTarget implements StorageTarget {
    /** Files below this many bytes would be kept inline in the handle; ours are far larger. */
    private static final int INLINE_THRESHOLD = 20 * 1024;

    private final FsCheckpointStreamFactory factory;
    private final Map<String, StreamStateHandle> handles = new HashMap<>();

    FlinkFsTarget(Path directory, int writeBufferSize) throws IOException {
        org.apache.flink.core.fs.Path exclusive = new org.apache.flink.core.fs.Path(directory.resolve("chk").toUri());
        org.apache.flink.core.fs.Path shared = new org.apache.flink.core.fs.Path(directory.resolve("shared").toUri());
        FileSystem fs = FileSystem.getLocalFileSystem();
        fs.mkdirs(exclusive);
        fs.mkdirs(shared);
        this.factory = new FsCheckpointStreamFactory(fs, exclusive, shared, INLINE_THRESHOLD, writeBufferSize);
    }

    @Override
    public String write(String name, byte[] data) throws IOException {
        StreamStateHandle handle;
        try (FsCheckpointStreamFactory.FsCheckpointStateOutputStream out =
                     factory.createCheckpointStateOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            StorageTarget.writeChunks(out, data);
            handle = out.closeAndGetHandle();
        }
        if (handle.getStateSize() != data.length) {
            throw new IllegalStateException("Flink wrote " + handle.getStateSize() + " of " + data.length + " bytes");
        }
        handles.put(name, handle);
        return name;
    }

    @Override
    public long read(String location, byte[] buffer) throws IOException {
        try (InputStream in = handle(location).openInputStream()) {
            return StorageTarget.drain(in, buffer);
        }
    }

    @Override
    public void delete(String location) throws Exception {
        handle(location).discardState();
        handles.remove(location);
    }

    private StreamStateHandle handle(String name) {
        StreamStateHandle handle = handles.get(name);
        if (handle == null) {
            throw new IllegalStateException("no Flink file was written as " + name);
        }
        return handle;
    }

    @Override
    public void close() throws Exception {
        for (StreamStateHandle handle : handles.values()) {
            handle.discardState();
        }
        handles.clear();
    }
}
