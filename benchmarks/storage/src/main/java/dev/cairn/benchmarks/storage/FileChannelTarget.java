package dev.cairn.benchmarks.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The physical baseline: a plain {@link FileChannel} write of the bytes followed by {@code force(true)}, and a
 * plain channel read. No temporary name, no publish step, no directory sync: what the disk and the page cache
 * can do for one file.
 */
final class FileChannelTarget implements StorageTarget {
    private final Path directory;

    FileChannelTarget(Path directory) {
        this.directory = directory;
    }

    @Override
    public String write(String name, byte[] data) throws IOException {
        Path file = directory.resolve(name);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int off = 0; off < data.length; off += CHUNK) {
                ByteBuffer chunk = ByteBuffer.wrap(data, off, Math.min(CHUNK, data.length - off));
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            }
            channel.force(true);
        }
        return file.toString();
    }

    @Override
    public long read(String location, byte[] buffer) throws IOException {
        long total = 0;
        try (FileChannel channel = FileChannel.open(Path.of(location), StandardOpenOption.READ)) {
            ByteBuffer target = ByteBuffer.wrap(buffer);
            for (int n; (n = channel.read(target)) >= 0; target.clear()) {
                total += n;
            }
        }
        return total;
    }

    @Override
    public void delete(String location) throws IOException {
        Files.delete(Path.of(location));
    }

    @Override
    public void close() {
    }
}
