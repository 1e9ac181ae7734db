package dev.cairn.benchmarks.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Copies the JMH JSON fixtures (JMH 1.37's shape, chosen numbers) into a directory. */
final class Fixtures {
    static final List<String> FILES = List.of("cairn.json", "flink-rocksdb.json", "storage.json");

    private Fixtures() {
    }

    static Path copyTo(Path dir, List<String> names) throws IOException {
        Files.createDirectories(dir);
        for (String name : names) {
            try (InputStream in = Fixtures.class.getResourceAsStream("/results/" + name)) {
                if (in == null) {
                    throw new IOException("fixture " + name + " is missing");
                }
                Files.copy(in, dir.resolve(name));
            }
        }
        return dir;
    }
}
