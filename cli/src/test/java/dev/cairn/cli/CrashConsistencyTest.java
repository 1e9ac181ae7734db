package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.checkpoint.CheckpointScan;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.DamagedCheckpoint;
import dev.cairn.storage.s3.S3Config;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Crash consistency of the demo job (RELIABILITY.md 7.2, K1–K12 on one process): the real demo runs in a
 * child JVM and is killed again and again, by SIGKILL after a random delay and by {@code --halt-at} at
 * every kill point with a random count; every run after a kill resumes. After each kill the job directory
 * must hold no damaged checkpoint (I2) and its highest checkpoint id must not go back; each resumed run must
 * resume from the newest sound checkpoint, never an older one (I3). A cycle ends with a resume that runs to
 * the end and verifies exactly-once output, a second resume that reports the job ended, and no orphan in
 * the job or local directory; the next cycle starts fresh over the ended job.
 *
 * <p>Configuration (system properties): {@code cairn.crash.kills} kills per backend (default 50),
 * {@code cairn.crash.backends} (default {@code memory,rocksdb}), {@code cairn.crash.seed} (default random,
 * printed), {@code cairn.crash.storage} ({@code file}, a {@code file://} URI of the checkpoint base
 * directory, or {@code s3}: an S3Proxy on 127.0.0.1 started for the test, see {@link S3CrashStorage}),
 * {@code cairn.crash.s3.part-size} (S3 multipart part size, default the minimum, 5 MiB),
 * {@code cairn.crash.events} (default 300000, rocksdb 100000), {@code cairn.crash.keys} (default 5000),
 * {@code cairn.crash.parallelism} (default 2). The memory backend writes one state file per subtask of
 * about 17 bytes per key, so S3 multipart uploads (blobs over one 5 MiB part) need e.g.
 * {@code -Dcairn.crash.events=400000 -Dcairn.crash.keys=400000 -Dcairn.crash.parallelism=1}.
 * Runs in the {@code crash-test} surefire execution.
 */
@Tag("crash")
class CrashConsistencyTest {
    private static final List<String> ALL_POINTS = Arrays.stream(KillPoint.values()).map(KillPoint::optionName)
            .toList();
    private static final long RUN_TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(3);

    @Test
    void killedAndResumedRunsStayExactlyOnceWithoutOrphans() throws Exception {
        campaigns("crash-report.md", List.of(), Integer.getInteger("cairn.crash.kills", 50),
                ALL_POINTS.stream().filter(p -> !p.equals(KillPoint.APPEND.optionName())).toList());
    }

    /**
     * The same with file merging across checkpoint boundaries ({@code --file-merging --across-boundary}): kills
     * also land while a segment is appended to a merged file ({@link KillPoint#APPEND}) and while a physical
     * file is deleted ({@link KillPoint#DISCARD}); on a store without appends merging falls back to within
     * checkpoints and the append point is not drawn. Kills per backend: {@code cairn.crash.merging.kills}
     * (default 24).
     */
    @Test
    void withFileMergingKilledAndResumedRunsStayExactlyOnceWithoutOrphans() throws Exception {
        boolean appends = !System.getProperty("cairn.crash.storage", "file").trim().equals("s3");
        campaigns("crash-report-file-merging.md", List.of("--file-merging", "--across-boundary"),
                Integer.getInteger("cairn.crash.merging.kills", 24), ALL_POINTS.stream()
                        .filter(p -> appends || !p.equals(KillPoint.APPEND.optionName())).toList());
    }

    private static void campaigns(String reportName, List<String> demoOptions, int kills, List<String> points)
            throws Exception {
        long seed = Long.getLong("cairn.crash.seed", new Random().nextLong());
        List<String> backends = Arrays.stream(System.getProperty("cairn.crash.backends", "memory,rocksdb").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        String storage = System.getProperty("cairn.crash.storage", "file").trim();
        Path target = Path.of(System.getProperty("cairn.crash.target", "target")).toAbsolutePath();
        System.out.printf("crash test %s: seed %d (replay with -Dcairn.crash.seed=%d), %d kills per backend %s, "
                + "storage %s%n", demoOptions, seed, seed, kills, backends, storage);

        CrashReport report = new CrashReport(seed, backends, points);
        Random random = new Random(seed);
        try (S3CrashStorage.Server s3 = storage.equals("s3") ? new S3CrashStorage.Server(
                target.resolve("crash").resolve("s3proxy"), Integer.getInteger("cairn.crash.s3.part-size",
                        S3Config.MIN_PART_SIZE)) : null) {
            if (s3 != null) {
                System.out.println("crash test: " + s3);
            }
            for (String backend : backends) {
                campaign(backend, storage, s3, target, kills, demoOptions, points, random, report);
            }
        }

        String table = report.markdown();
        System.out.println(table);
        report.write(target.resolve(reportName));
        assertThat(report.violations()).as("invariant violations (seed %d); see %s", seed,
                target.resolve(reportName)).isEmpty();
        for (String backend : backends) {
            assertThat(report.kills(backend)).as("kills landed on %s", backend).isGreaterThanOrEqualTo(kills);
        }
    }

    /** The kills of one backend, over the storage {@code storage} names ({@code s3}: on {@code s3}). */
    private static void campaign(String backend, String storage, S3CrashStorage.Server s3, Path target, int kills,
            List<String> demoOptions, List<String> points, Random random, CrashReport report) throws Exception {
        // RocksDB processes the demo about three times slower: the same run length needs fewer events.
        long events = Long.getLong("cairn.crash.events", backend.equals("rocksdb") ? 100_000 : 300_000);
        Path work = target.resolve(demoOptions.isEmpty() ? "crash" : "crash-file-merging").resolve(backend);
        List<String> options = new ArrayList<>(List.of("--backend", backend, "--events", Long.toString(events),
                "--keys", Integer.toString(Integer.getInteger("cairn.crash.keys", 5000)), "--parallelism",
                Integer.toString(Integer.getInteger("cairn.crash.parallelism", 2))));
        options.addAll(demoOptions);
        CrashHarness.deleteRecursively(work);
        try (CrashStorage checkpoints = storage(storage, s3, work, backend)) {
            checkpoints.deleteAll();
            CrashHarness harness = new CrashHarness(work.resolve("data"), checkpoints, work.resolve("logs"),
                    options, RUN_TIMEOUT_MILLIS);
            long start = System.nanoTime();
            Campaign campaign = new Campaign(backend, harness, points, !demoOptions.isEmpty(),
                    new Random(random.nextLong()), report);
            campaign.run(kills);
            report.finished(backend, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), campaign.runs,
                    checkpoints.summary());
        }
    }

    private static CrashStorage storage(String storage, S3CrashStorage.Server s3, Path work, String backend) {
        if (storage.equals("s3")) {
            return new S3CrashStorage(s3, backend);
        }
        if (storage.equals("file")) {
            return new FileCrashStorage(work.resolve("data").resolve("checkpoints"), false);
        }
        assertThat(storage).as("cairn.crash.storage: 'file', a file:// URI or 's3'").startsWith("file://");
        return new FileCrashStorage(Path.of(URI.create(storage + "/" + backend)), true);
    }

    /** How a run is to be killed: SIGKILL after a delay, or a {@code --halt-at} point and count. */
    private record KillPlan(String point, long count, long sigkillDelayMillis) {
        List<String> args() {
            return point.equals(CrashReport.SIGKILL) ? List.of() : List.of("--halt-at", point + ":" + count);
        }

        @Override
        public String toString() {
            return point.equals(CrashReport.SIGKILL) ? "sigkill@" + sigkillDelayMillis + "ms" : point + ":" + count;
        }
    }

    /** The kills, resumes and checks of one backend. */
    private static final class Campaign {
        private final String backend;
        private final CrashHarness harness;
        private final List<String> points;
        private final boolean merged;
        private final Random random;
        private final CrashReport report;
        /** Per halt point: counts are drawn from 1..max, adapted to how often the point is reached in a run. */
        private final Map<String, Long> maxCount = new HashMap<>();
        private long typicalRunMillis = 4000;
        private int cycle;
        long runs;

        /**
         * @param merged whether the demo merges files: few, larger writes (counted per write call) and few
         *               deletions of physical files, so the draws start lower
         */
        Campaign(String backend, CrashHarness harness, List<String> points, boolean merged, Random random,
                CrashReport report) {
            this.backend = backend;
            this.harness = harness;
            this.points = points;
            this.merged = merged;
            this.random = random;
            this.report = report;
            for (String p : points) {
                maxCount.put(p, switch (p) {
                    case "job-ended" -> 1L;
                    case "restore" -> 3L;
                    case "before-metadata", "metadata-commit", "after-metadata" -> 12L;
                    case "discard" -> merged ? 6L : 30L;
                    case "upload", "append" -> merged ? 20L : 150L;
                    case "sync" -> 60L;
                    default -> 150L;
                });
            }
        }

        void run(int kills) throws Exception {
            long landed = 0;
            while (landed < kills) {
                landed += cycle((int) Math.min(kills - landed, 2 + random.nextInt(6)));
            }
        }

        /**
         * One cycle: a fresh run, then resumed runs until {@code target} kills landed or a run ended by
         * itself, then the completing resume and the end-of-cycle checks. Returns the kills that landed.
         */
        private int cycle(int target) throws Exception {
            cycle++;
            List<String> story = new ArrayList<>();
            int landed = 0;
            String lastPoint = CrashReport.NONE;
            CheckpointScan before = null;
            long highest = -1;
            long lastResumed = -1;
            CrashHarness.Run finished = null;
            while (landed < target) {
                KillPlan plan = choose(before);
                List<String> args = new ArrayList<>(plan.args());
                args.addAll(List.of("--interval", Long.toString(50 + random.nextInt(151))));
                if (before != null) {
                    args.add("--resume");
                }
                CrashHarness.Run run = run(args, plan.sigkillDelayMillis());
                if (before != null) {
                    report.row(backend, lastPoint).resumed++;
                    lastResumed = checkResume(run, before, lastResumed, lastPoint);
                }
                if (run.hung() || (!run.killed() && run.exitCode() != 0)) {
                    return abandon(lastPoint, landed, story, run, "the run " + (run.hung() ? "hung" : "failed"));
                }
                if (!run.killed()) {
                    adapt(plan, false);
                    story.add(plan + " (ended by itself)");
                    finished = run;
                    break;
                }
                adapt(plan, true);
                landed++;
                lastPoint = plan.point();
                report.row(backend, lastPoint).kills++;
                story.add(plan.toString());
                CheckpointScan scan;
                try {
                    scan = harness.scan();
                } catch (RuntimeException e) {
                    return abandon(lastPoint, landed, story, run, "the job directory cannot be scanned: " + e);
                }
                if (!scan.damaged().isEmpty()) {
                    return abandon(lastPoint, landed, story, run, "I2: damaged checkpoints after the kill: "
                            + scan.damaged().stream().map(DamagedCheckpoint::reason).toList());
                }
                boolean restarted = before == null || run.startedFromBeginning();
                if (!restarted && scan.highestCheckpointId() < highest) {
                    violation(lastPoint, story, run, "the highest checkpoint id went back from " + highest + " to "
                            + scan.highestCheckpointId());
                }
                highest = restarted ? scan.highestCheckpointId() : Math.max(highest, scan.highestCheckpointId());
                before = scan;
            }
            if (finished == null) {
                finished = run(List.of("--resume"), -1);
                report.row(backend, lastPoint).resumed++;
                checkResume(finished, before, lastResumed, lastPoint);
                story.add("resume to the end");
            }
            if (!finished.verifiedExactlyOnce()) {
                return abandon(lastPoint, landed, story, finished, "the completing run did not verify exactly-once");
            }
            CrashHarness.OutputCount count = finished.outputCount();
            if (count != null) {
                report.row(backend, lastPoint).lost += count.lost();
                report.row(backend, lastPoint).duplicated += count.duplicates();
                if (count.lost() + count.duplicates() > 0) {
                    return abandon(lastPoint, landed, story, finished, count.lost() + " lost, " + count.duplicates()
                            + " duplicated output lines");
                }
            }
            CrashHarness.Run again = run(List.of("--resume"), -1);
            if (!again.alreadyEnded() || !again.verifiedExactlyOnce()) {
                return abandon(lastPoint, landed, story, again, "a resume after the end did not report the ended"
                        + " job with verified output");
            }
            List<String> orphans = harness.orphans();
            if (!orphans.isEmpty()) {
                return abandon(lastPoint, landed, story, again, "orphans after the job ended: " + orphans
                        + "\n" + harness.listing());
            }
            report.row(backend, lastPoint).cycles++;
            System.out.printf("%s cycle %d: %s -> exactly-once, ended, no orphans%n", backend, cycle,
                    String.join(", ", story));
            return landed;
        }

        /**
         * Checks what a resumed run said against the scan taken before it: it resumes from the newest
         * sound checkpoint (never an older one, and never below what an earlier run of the cycle resumed
         * from), reports an ended job as ended, and starts over only when no checkpoint completed.
         * Returns the checkpoint it resumed from, or {@code lastResumed}.
         */
        private long checkResume(CrashHarness.Run run, CheckpointScan before, long lastResumed, String point) {
            OptionalLong resumed = run.resumedFrom();
            OptionalLong newest = before.latestCompleted().map(c -> OptionalLong.of(c.checkpointId()))
                    .orElse(OptionalLong.empty());
            List<String> problems = new ArrayList<>();
            if (before.ended().isPresent()) {
                if (resumed.isPresent() || run.startedFromBeginning()) {
                    problems.add("the job had ended, but the run did not say so");
                }
            } else if (resumed.isPresent()) {
                if (newest.isEmpty() || resumed.getAsLong() != newest.getAsLong()) {
                    problems.add("I3: resumed from checkpoint " + resumed.getAsLong() + ", the newest sound one is "
                            + (newest.isPresent() ? newest.getAsLong() : "none") + " of "
                            + before.completed().stream().map(CompletedCheckpoint::checkpointId).toList());
                }
                if (resumed.getAsLong() < lastResumed) {
                    problems.add("I3: resumed from checkpoint " + resumed.getAsLong() + " after an earlier run"
                            + " of the cycle resumed from " + lastResumed);
                }
            } else if (run.startedFromBeginning() && newest.isPresent()) {
                problems.add("started from the beginning although checkpoint " + newest.getAsLong() + " is sound");
            } else if (run.alreadyEnded()) {
                problems.add("said the job ended, but the directory holds no applicable job-end record");
            }
            for (String problem : problems) {
                violation(point, List.of(), run, problem);
            }
            return resumed.isPresent() ? Math.max(lastResumed, resumed.getAsLong()) : lastResumed;
        }

        private KillPlan choose(CheckpointScan before) {
            List<String> candidates = new ArrayList<>();
            candidates.add(CrashReport.SIGKILL);
            candidates.add(CrashReport.SIGKILL);
            for (String p : points) {
                boolean restorable = before != null && before.ended().isEmpty() && before.latestCompleted().isPresent();
                if (!p.equals("restore") || restorable) {
                    candidates.add(p);
                }
                if (merged && (p.equals("append") || p.equals("upload") || p.equals("discard"))) {
                    candidates.add(p); // what merging changes: drawn twice as often
                }
            }
            String point = candidates.get(random.nextInt(candidates.size()));
            if (point.equals(CrashReport.SIGKILL)) {
                return new KillPlan(point, 0, random.nextLong(typicalRunMillis * 11 / 10 + 1));
            }
            return new KillPlan(point, 1 + random.nextLong(maxCount.get(point)), -1);
        }

        /** Draws later counts for a point that was reached, earlier ones for a point a run did not reach often enough. */
        private void adapt(KillPlan plan, boolean landed) {
            if (plan.point().equals(CrashReport.SIGKILL) || plan.point().equals("job-ended")) {
                return; // job-ended is reached once per run: always its first time
            }
            long max = maxCount.get(plan.point());
            maxCount.put(plan.point(), landed ? Math.min(5000, Math.max(max, plan.count() + plan.count() / 4 + 1))
                    : Math.max(1, plan.count() * 3 / 4));
        }

        private CrashHarness.Run run(List<String> args, long sigkillDelayMillis) throws Exception {
            runs++;
            CrashHarness.Run run = harness.run(args, sigkillDelayMillis);
            if (run.exitCode() == 0 && !run.alreadyEnded() && run.resumedFrom().isEmpty()
                    && !run.startedFromBeginning()) {
                typicalRunMillis = (typicalRunMillis * 3 + run.millis()) / 4;
            }
            return run;
        }

        private void violation(String point, List<String> story, CrashHarness.Run run, String what) {
            report.violation(backend, point, what + "\n  cycle " + cycle + (story.isEmpty() ? "" : " (" + String.join(", ",
                    story) + ")") + "\n  " + run.describe() + "\n  last line: " + run.lastLine());
            System.out.println("VIOLATION " + backend + " cycle " + cycle + ": " + what + "; " + run.describe());
        }

        /** Records a violation that leaves the directory unusable for the cycle, and starts over. */
        private int abandon(String point, int landed, List<String> story, CrashHarness.Run run, String what)
                throws Exception {
            violation(point, story, run, what);
            harness.deleteDataDir();
            return Math.max(landed, 1);
        }
    }
}
