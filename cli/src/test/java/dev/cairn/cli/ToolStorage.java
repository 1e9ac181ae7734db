package dev.cairn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the operator tool tests put the demo's checkpoints: the demo's {@code --storage} options and the
 * job directory with the blob store options the tools need to reach it.
 */
record ToolStorage(String name, String base, Map<String, String> options) {
    static final String JOB_ID = "cairn-demo";

    String jobDir() {
        return base + "/" + JOB_ID + "/";
    }

    /** {@code --storage-option} arguments for the options. */
    List<String> storageOptions() {
        List<String> args = new ArrayList<>();
        options.forEach((k, v) -> args.addAll(List.of("--storage-option", k + "=" + v)));
        return args;
    }

    /** The demo's storage arguments. */
    List<String> demoOptions() {
        List<String> args = new ArrayList<>(List.of("--storage", base));
        args.addAll(storageOptions());
        return args;
    }
}
