package dev.cairn.cli.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cairn.blob.Locations;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cairn inspect}: what a checkpoint, a savepoint or every checkpoint of a directory holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show what a checkpoint, a savepoint or the checkpoints of a job directory hold: id, type, time,"
                + " operators and subtasks, key groups, every handle with its file and size, shared files and how many"
                + " checkpoints refer to each, merged physical files and their space amplification.")
public final class InspectCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the report as JSON instead of a table.")
    boolean json;

    @Mixin
    DirectoryArgument argument;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (OperatorTarget target = argument.open()) {
            String only = null;
            String root = target.directory;
            if (target.isCheckpointDirectory()) {
                only = Locations.stripTrailingSlash(target.directory);
                root = Locations.parent(only);
            }
            InspectReport report = InspectReport.of(CheckpointCatalog.of(target, root), only);
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            } else {
                print(report, out);
            }
            out.flush();
            return report.checkpoints().isEmpty() ? 1 : 0;
        }
    }

    private static void print(InspectReport report, PrintWriter out) {
        out.printf(Locale.ROOT, "%s: %d checkpoints and savepoints%n", report.directory(), report.checkpoints().size());
        for (InspectReport.CheckpointView c : report.checkpoints()) {
            out.println();
            if (c.problem() != null) {
                out.printf(Locale.ROOT, "%s %d  %s  DAMAGED: %s%n", c.type(), c.checkpointId(), c.pointer(), c.problem());
                continue;
            }
            out.printf(Locale.ROOT, "%s %d  %s  taken %s  state %,d bytes in %d files%n", c.type(), c.checkpointId(),
                    c.pointer(), c.time(), c.stateSize(), c.files());
            for (InspectReport.OperatorView op : c.operators()) {
                out.printf(Locale.ROOT, "  operator %s  parallelism %d  max parallelism %d%n", op.operatorId(),
                        op.parallelism(), op.maxParallelism());
                for (InspectReport.SubtaskView st : op.subtasks()) {
                    out.printf(Locale.ROOT, "    subtask %d%s%n", st.subtask(), st.finished() ? " (finished)" : "");
                    for (InspectReport.HandleView h : st.handles()) {
                        out.printf(Locale.ROOT, "      %s%s  %,d bytes%n", h.kind(),
                                h.keyGroups() == null ? "" : "  key groups " + h.keyGroups(), h.stateSize());
                        for (InspectReport.StreamView s : h.streams()) {
                            out.printf(Locale.ROOT, "        %-28s %-7s %,12d B  %s%s%n", s.role(), s.storedAs(),
                                    s.size(), s.location() == null ? "(in _metadata)" : s.location()
                                            + ("segment".equals(s.storedAs()) ? " @" + s.offset() : ""),
                                    s.location() == null ? "" : "  refs " + s.references());
                        }
                    }
                }
            }
        }
        if (!report.sharedFiles().isEmpty()) {
            out.println();
            out.printf(Locale.ROOT, "shared files: %d%n", report.sharedFiles().size());
            for (InspectReport.SharedFileView f : report.sharedFiles()) {
                out.printf(Locale.ROOT, "  %,12d B  refs %d  %s%n", f.size(), f.references(), f.location());
            }
        }
        if (!report.mergedFiles().isEmpty()) {
            out.println();
            out.printf(Locale.ROOT, "merged physical files: %d%n", report.mergedFiles().size());
            for (InspectReport.MergedFileView f : report.mergedFiles()) {
                out.printf(Locale.ROOT, "  %,12d B  referenced %,12d B  amplification %.2f  refs %d  %s%n", f.size(),
                        f.referencedBytes(), f.amplification(), f.references(), f.location());
            }
        }
    }
}
