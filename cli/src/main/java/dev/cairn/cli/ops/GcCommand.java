package dev.cairn.cli.ops;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.Locations;
import dev.cairn.blob.SupportsAbandonedWriteCleanup;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.JobLease;
import dev.cairn.config.ConfigValues;
import dev.cairn.error.ConfigurationException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn gc}: finds, and with {@code --apply} deletes, what no checkpoint of a job directory refers to. */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "List (and with --apply delete) what no checkpoint or savepoint refers to in the job directory DIR:"
                + " files of aborted checkpoints, shared and merged files nobody references, stale leases, leftover"
                + " temporary files and open multipart uploads. Never deletes a referenced file nor anything outside"
                + " the job directory; refuses while a job holds the directory (a live lease).")
public final class GcCommand implements Callable<Integer> {
    @Option(names = "--apply", description = "Delete what is listed (default: only list it).")
    boolean apply;

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "1h", description = "Leave files modified"
            + " less than this long ago (e.g. 0, 30s, 10min, 1h, 7d; default: ${DEFAULT-VALUE}).")
    String grace;

    @Option(names = "--delete-damaged", description = "Also delete checkpoints whose _metadata cannot be read, and"
            + " the files only they may refer to (without it, they and every unreferenced shared file are kept).")
    boolean deleteDamaged;

    @Mixin
    DirectoryArgument argument;

    @Spec
    CommandSpec spec;

    /** What gc decided about one file. */
    record Decision(BlobInfo file, String kind, boolean delete, String keptBecause) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Duration graceDuration = ConfigValues.duration("--grace", grace);
        try (OperatorTarget target = argument.open()) {
            String jobDir = target.directory;
            if (target.isCheckpointDirectory()) {
                throw new ConfigurationException(jobDir + " is a checkpoint or savepoint directory; gc works on the job"
                        + " directory above it");
            }
            Instant now = Instant.now();
            Optional<String> held = liveLease(target, now);
            if (held.isPresent()) {
                out.println("refused: " + held.get());
                out.flush();
                return 1;
            }
            CheckpointCatalog job = CheckpointCatalog.of(target, jobDir);
            List<CompletedCheckpoint> keep = job.sound().stream().map(CheckpointCatalog.Entry::checkpoint).toList();
            CheckpointCatalog around = CheckpointCatalog.of(target, Locations.parent(jobDir));
            List<String> alsoReferenced = new ArrayList<>();
            List<String> unreadableElsewhere = new ArrayList<>();
            for (CheckpointCatalog.Entry entry : around.entries) {
                if (entry.pointer().startsWith(jobDir)) {
                    continue;
                }
                if (!entry.sound()) {
                    unreadableElsewhere.add(entry.pointer());
                    continue;
                }
                CheckpointCatalog.referencedFiles(entry.checkpoint()).stream().filter(f -> f.startsWith(jobDir))
                        .forEach(alsoReferenced::add);
            }
            GcPlan plan = GcPlan.of(jobDir, job, target.storage.unreferencedFiles(keep, java.util.Set.copyOf(
                    alsoReferenced)), abandonedWrites(target), now, graceDuration, deleteDamaged,
                    !unreadableElsewhere.isEmpty());
            out.printf(Locale.ROOT, "gc of %s (%s): keeping %d checkpoints and savepoints%s%n", jobDir,
                    apply ? "applying" : "dry run; --apply deletes", keep.size(), alsoReferenced.isEmpty() ? ""
                            : " and " + alsoReferenced.size() + " files other checkpoints under "
                                    + Locations.parent(jobDir) + " refer to");
            for (CheckpointCatalog.Entry damaged : job.damaged()) {
                out.println("  damaged " + damaged.label() + ": " + damaged.problem().getMessage());
            }
            for (String other : unreadableElsewhere) {
                out.println("  unreadable checkpoint elsewhere, files it may refer to are kept: " + other);
            }
            for (Decision d : plan.decisions()) {
                out.printf(Locale.ROOT, "  %-6s %-34s %,12d B  %s%s%n", d.delete() ? (apply ? "delete" : "would")
                        : "keep", d.kind(), d.file().length(), d.file().location(),
                        d.delete() ? "" : "  (" + d.keptBecause() + ")");
            }
            if (apply && !plan.toDelete().isEmpty()) {
                Optional<String> heldNow = liveLease(target, Instant.now());
                if (heldNow.isPresent()) {
                    out.println("refused: " + heldNow.get());
                    out.flush();
                    return 1;
                }
                target.storage.removeFiles(keep, plan.toDelete());
            }
            if (apply && plan.abandonedWritesToRemove() > 0) {
                ((SupportsAbandonedWriteCleanup) target.store).removeAbandonedWrites(jobDir);
            }
            out.printf(Locale.ROOT, "%s %d files (%,d bytes) and %d abandoned writes; kept %d unreferenced files%n",
                    apply ? "deleted" : "would delete", plan.toDelete().size(), plan.bytesToDelete(),
                    plan.abandonedWritesToRemove(), plan.kept());
            out.flush();
            return 0;
        }
    }

    private static Optional<String> liveLease(OperatorTarget target, Instant now) {
        for (JobLease lease : target.storage.leases()) {
            if (lease.liveAt(now)) {
                return Optional.of(target.directory + " is held by " + lease.description() + " (lease renewed at "
                        + lease.renewedAt() + ", live until " + lease.expiresAt() + "); stop the job first");
            }
        }
        return Optional.empty();
    }

    private static List<BlobInfo> abandonedWrites(OperatorTarget target) {
        return target.store instanceof SupportsAbandonedWriteCleanup cleanup
                ? cleanup.findAbandonedWrites(target.directory) : List.of();
    }
}
