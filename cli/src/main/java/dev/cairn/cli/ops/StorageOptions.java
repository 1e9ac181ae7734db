package dev.cairn.cli.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code --storage-option KEY=VALUE} options every operator tool takes, as {@code cairn demo} does. */
final class StorageOptions {
    @Option(names = "--storage-option", paramLabel = "KEY=VALUE",
            description = "A blob store option, repeatable (e.g. s3.endpoint=http://127.0.0.1:9000,"
                    + " s3.path-style-access=true, s3.access-key=…, s3.secret-key=…).")
    Map<String, String> values = new LinkedHashMap<>();

    Map<String, String> asMap() {
        return Map.copyOf(values);
    }
}
