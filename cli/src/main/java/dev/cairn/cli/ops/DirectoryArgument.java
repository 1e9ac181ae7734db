package dev.cairn.cli.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The directory every operator tool works on and the {@code --storage-option KEY=VALUE} options that reach it,
 * as {@code cairn demo} takes them.
 */
final class DirectoryArgument {
    @Parameters(index = "0", paramLabel = "DIR", description = "A chk-<n> or savepoint directory, a job directory"
            + " (<checkpoint base>/<job id>), or any directory above them: a path, or a URI such as"
            + " s3://bucket/checkpoints/job.")
    String directory;

    @Option(names = "--storage-option", paramLabel = "KEY=VALUE",
            description = "A blob store option, repeatable (e.g. s3.endpoint=http://127.0.0.1:9000,"
                    + " s3.path-style-access=true, s3.access-key=…, s3.secret-key=…).")
    Map<String, String> storageOptions = new LinkedHashMap<>();

    OperatorTarget open() {
        return OperatorTarget.open(directory, Map.copyOf(storageOptions));
    }
}
