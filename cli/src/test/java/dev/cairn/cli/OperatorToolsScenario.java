package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SupportsAbandonedWriteCleanup;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The operator's morning after, on one storage: a real demo job (child JVM) runs; {@code cairn gc} refuses
 * while it holds its directory; the job is killed with {@code kill -9}; garbage a crash leaves is added
 * (files of an aborted checkpoint with a higher id, an unreferenced shared file, an unfinished write) next to
 * a file that is not Cairn's; then {@code gc} lists and keeps young files, {@code gc --grace 0} lists them,
 * {@code inspect} and {@code verify} see sound checkpoints, {@code gc --apply} deletes exactly the garbage
 * without lowering the highest checkpoint id, {@code verify} names a damaged file, and {@code demo --resume}
 * finishes the job exactly once, leaving only the job-end record.
 */
final class OperatorToolsScenario {
    /** What a tool printed and returned. */
    record Run(int exitCode, String output) {
    }

    private final ToolStorage storage;
    private final Path data;
    private final long events;
    private long started;
    private final List<String> demoArgs;

    /** A demo of {@code events} events (enough to outlive three checkpoints and a gc) with {@code demoArgs}. */
    OperatorToolsScenario(ToolStorage storage, Path data, long events, String... demoArgs) {
        this.storage = storage;
        this.data = data;
        this.events = events;
        this.demoArgs = List.of(demoArgs);
    }

    static Run tool(String... args) {
        StringWriter text = new StringWriter();
        CommandLine cli = CairnCommand.commandLine();
        cli.setOut(new PrintWriter(text, true));
        cli.setErr(new PrintWriter(text, true));
        return new Run(cli.execute(args), text.toString());
    }

    private Run onJob(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, storage.jobDir()));
        all.addAll(List.of(args));
        all.addAll(storage.storageOptions());
        return tool(all.toArray(String[]::new));
    }

    private List<String> demo(String... extra) {
        List<String> args = new ArrayList<>(List.of("demo", "--no-progress", "--data-dir", data.toString(),
                "--events", Long.toString(events), "--keys", "20000", "--interval", "50", "--storage-option", "checkpoint.lease.ttl=2s",
                "--storage-option", "checkpoint.storage.inline-threshold=64"));
        args.addAll(demoArgs);
        args.addAll(storage.demoOptions());
        args.addAll(List.of(extra));
        return args;
    }

    void run() throws Exception {
        started = System.nanoTime();
        try (BlobStore store = BlobStores.forLocation(storage.jobDir(), storage.options())) {
            String jobDir = storage.jobDir();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-cp", System.getProperty(
                    "java.class.path"), CairnCommand.class.getName()));
            command.addAll(demo());
            Process job = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(data.resolveSibling(storage.name() + "-job.log").toFile()).start();
            try {
                awaitMetadata(store, jobDir, 3, job);
                phase("3 checkpoints of the running job");
                Run held = onJob("gc");
                assertThat(held.exitCode()).as(held.output()).isEqualTo(1);
                assertThat(held.output()).contains("refused: " + jobDir + " is held by cairn ").contains(" pid ");
            } finally {
                job.destroyForcibly();
                job.waitFor(30, TimeUnit.SECONDS);
            }

            String aborted = jobDir + "chk-999999/op-orphan";
            String orphanShared = jobDir + "shared/orphan-shared.sst";
            String foreign = jobDir + "notes.txt";
            write(store, aborted, new byte[1000]);
            write(store, orphanShared, new byte[500]);
            write(store, foreign, "an operator's notes".getBytes());
            BlobOutputStream unfinished = store.create(jobDir + "chk-999998/unfinished.bin");
            unfinished.write(new byte[6 << 20]);
            unfinished.flush();
            try {
                phase("killed");
                Run dry = awaitLeaseExpiry();
                phase("lease stale");
                assertThat(dry.output()).as(dry.output()).contains("keep   checkpoint 999999 without _metadata")
                        .contains("within the grace period").contains("would delete 0 files");
                Run dry0 = onJob("gc", "--grace", "0");
                assertThat(dry0.exitCode()).as(dry0.output()).isZero();
                assertThat(dry0.output()).as(dry0.output()).contains("would  checkpoint 999999 without _metadata")
                        .contains(aborted).contains("would  shared file nobody refers to").contains(orphanShared)
                        .contains("would  abandoned write").contains("not a file Cairn writes")
                        .doesNotContain("would  other file");
                assertThat(store.exists(aborted)).as("a dry run deletes nothing").isTrue();

                Run inspect = onJob("inspect", "--json");
                assertThat(inspect.exitCode()).as(inspect.output()).isZero();
                JsonNode report = new ObjectMapper().readTree(inspect.output());
                List<String> referenced = new ArrayList<>();
                for (JsonNode c : report.path("checkpoints")) {
                    assertThat(c.path("problem").isNull()).as("checkpoint %s", c.path("pointer")).isTrue();
                    assertThat(c.path("operators").size()).isPositive();
                    c.findValues("location").forEach(l -> {
                        if (!l.isNull()) {
                            referenced.add(l.asText());
                        }
                    });
                }
                assertThat(referenced).as(inspect.output()).isNotEmpty();
                Run table = onJob("inspect");
                assertThat(table.output()).contains("checkpoint ").contains("operator ").contains("subtask 0");

                Run verify = onJob("verify", "--no-progress");
                assertThat(verify.exitCode()).as(verify.output()).isZero();
                assertThat(verify.output()).contains(": sound");

                Run applied = onJob("gc", "--grace", "0", "--apply");
                assertThat(applied.exitCode()).as(applied.output()).isZero();
                System.out.println(storage.name() + ": cairn gc --grace 0 --apply: " + applied.output().strip()
                        .lines().reduce((a, b) -> b).orElse(""));
                assertThat(store.exists(aborted)).as(applied.output()).isFalse();
                assertThat(store.exists(orphanShared)).isFalse();
                assertThat(store.exists(foreign)).as("not Cairn's: kept").isTrue();
                assertThat(((SupportsAbandonedWriteCleanup) store).findAbandonedWrites(jobDir)).isEmpty();
                for (String file : referenced) {
                    assertThat(store.exists(file)).as("referenced %s survives gc", file).isTrue();
                }
                try (FileCheckpointStorage checkpoints = new FileCheckpointStorage(store, storage.base(),
                        ToolStorage.JOB_ID)) {
                    assertThat(checkpoints.highestCheckpointId()).as("gc never lowers the highest id")
                            .isGreaterThanOrEqualTo(999999);
                }
                assertThat(onJob("verify", "--no-progress").exitCode()).isZero();
                assertThat(onJob("gc", "--grace", "0").output()).contains("would delete 0 files");

                JsonNode largest = largestStream(report);
                String victim = largest.path("location").asText();
                byte[] original = read(store, victim);
                Run damaged;
                if (largest.path("storedAs").asText().equals("segment")) {
                    byte[] flipped = original.clone();
                    flipped[(int) (largest.path("offset").asLong() + largest.path("size").asLong() / 2)] ^= 0x20;
                    replace(store, victim, flipped);
                    damaged = onJob("verify", "--no-progress");
                    assertThat(damaged.output()).as(damaged.output()).contains("PROBLEM " + victim + ": segment [")
                            .contains("has CRC32C");
                } else {
                    replace(store, victim, Arrays.copyOf(original, original.length - 1));
                    damaged = onJob("verify", "--no-progress");
                    assertThat(damaged.output()).contains("PROBLEM " + victim + ": has " + (original.length - 1)
                            + " bytes, but " + original.length + " were recorded");
                }
                assertThat(damaged.exitCode()).as(damaged.output()).isEqualTo(1);
                replace(store, victim, original);
            } finally {
                try {
                    unfinished.close();
                } catch (RuntimeException ignored) {
                    // its traces were removed by gc: what close does then is BLOB-19's business
                }
            }
            store.delete(foreign);
            phase("tools done");

            StringWriter text = new StringWriter();
            CommandLine cli = CairnCommand.commandLine();
            cli.setOut(new PrintWriter(text, true));
            cli.setErr(new PrintWriter(text, true));
            int resumed = cli.execute(demo("--resume").toArray(String[]::new));
            assertThat(resumed).as(text.toString()).isZero();
            assertThat(text.toString()).contains("verified: exactly-once");
            phase("resumed to the end");
            List<String> left = new ArrayList<>();
            ((SupportsPrefixListing) store).list(jobDir).forEach(i -> left.add(i.location()));
            assertThat(left).as("after the resumed run").containsExactly(jobDir + "_job-ended");
        }
    }

    private void phase(String what) {
        System.out.printf("%s: %s after %d ms%n", storage.name(), what,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private Run awaitLeaseExpiry() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Run run = onJob("gc");
            if (run.exitCode() == 0 || System.nanoTime() > deadline) {
                assertThat(run.exitCode()).as("gc after the killed job's lease went stale: %s", run.output()).isZero();
                return run;
            }
            assertThat(run.output()).contains("refused:");
            Thread.sleep(250);
        }
    }

    private static void awaitMetadata(BlobStore store, String jobDir, int count, Process job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(job.isAlive()).as("the demo job runs").isTrue();
            long found = 0;
            for (BlobInfo info : ((SupportsPrefixListing) store).list(jobDir)) {
                if (info.location().endsWith("/_metadata")) {
                    found++;
                }
            }
            if (found >= 1 && completedSince(store, jobDir) >= count) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + count + " checkpoints in " + jobDir + " within 90 s");
    }

    private static long completedSince(BlobStore store, String jobDir) {
        long highest = 0;
        for (BlobInfo info : ((SupportsPrefixListing) store).list(jobDir)) {
            String rest = info.location().substring(jobDir.length());
            if (rest.endsWith("/_metadata")) {
                Long id = FileCheckpointStorage.parseId(rest.substring(0, rest.indexOf('/')));
                highest = Math.max(highest, id == null ? 0 : id);
            }
        }
        return highest;
    }

    /** The largest stream stored in a file or a segment of a merged file that the inspect report names. */
    private static JsonNode largestStream(JsonNode report) {
        JsonNode largest = null;
        for (JsonNode stream : report.findValues("streams")) {
            for (JsonNode s : stream) {
                if (!s.path("location").isNull() && (largest == null
                        || s.path("size").asLong() > largest.path("size").asLong())) {
                    largest = s;
                }
            }
        }
        assertThat(largest).as("a stored stream in %s", report).isNotNull();
        return largest;
    }

    static void write(BlobStore store, String location, byte[] bytes) {
        try (BlobOutputStream out = store.create(location)) {
            out.write(bytes);
            out.commit();
        }
    }

    static byte[] read(BlobStore store, String location) {
        InputBlob blob = store.open(location);
        byte[] bytes = new byte[(int) blob.length()];
        blob.readFully(0, bytes, 0, bytes.length);
        return bytes;
    }

    static void replace(BlobStore store, String location, byte[] bytes) {
        store.delete(location);
        write(store, location, bytes);
    }
}
