package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.StateBackends;
import dev.cairn.checkpoint.CheckpointScan;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.error.StorageException;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.CheckpointingMode;
import dev.cairn.runtime.config.ExternalizedCheckpointRetention;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.config.RecoveryClaimMode;
import dev.cairn.runtime.coordinator.CheckpointStats;
import dev.cairn.runtime.coordinator.CheckpointStatsListener;
import dev.cairn.runtime.coordinator.ResumePoint;
import dev.cairn.runtime.dataflow.JobGraph;
import dev.cairn.runtime.dataflow.JobResult;
import dev.cairn.runtime.dataflow.JobRunner;
import dev.cairn.runtime.dataflow.RestartStrategy;
import dev.cairn.runtime.dataflow.sink.TwoPhaseCommitFileSink;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.serialization.Serializers;
import dev.cairn.storage.fs.LocalBlobStore;
import dev.cairn.tck.PowerCutBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo job on {@code file://} through power cuts: the job runs in-process over a
 * {@link PowerCutBlobStore}, the power goes at a random moment (which can fall into a restore, a claim,
 * an upload, a metadata commit or a subsumption), and the directory is left as the cut could leave it
 * (deletes that were not durable undone, temporary files of unfinished writes in place). After each cut,
 * over a fresh plain store: every checkpoint that was discoverable at the cut resolves with all its files
 * and the scan lists it as sound; the resume point is the newest of them and no older than the newest
 * checkpoint the job had completed. The job then resumes as {@code cairn demo --resume} does (claim) and
 * is cut again; the last resume runs to the end, with exactly-once output and nothing but the job-end
 * record left in the job directory.
 *
 * <p>System properties: {@code cairn.powercut.cuts} (cuts per backend, default 5),
 * {@code cairn.powercut.seed} (default: random, printed), {@code cairn.powercut.events} (default 80000 per
 * run). A cut comes after a random 0–3 s, or earlier once the run processed a random share of its events,
 * so that the job is always still running at a cut whatever the machine's speed.
 */
class PowerCutTest {
    private static final int CUTS = Integer.getInteger("cairn.powercut.cuts", 5);
    private static final long EVENTS = Long.getLong("cairn.powercut.events", 80_000L * (CUTS + 1));
    private static final int KEYS = 100;
    private static final int PARALLELISM = 2;
    private static final String COUNT = "count";
    private static final Pattern METADATA = Pattern.compile("chk-(\\d+)/_metadata");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "rocksdb"})
    void everyCheckpointDiscoverableAtAPowerCutRestoresAndTheLastResumeIsExactlyOnce(String backend)
            throws Exception {
        long seed = Long.getLong("cairn.powercut.seed", new Random().nextLong());
        System.out.printf("PowerCutTest[%s]: seed %d (-Dcairn.powercut.seed=%d), %d cuts, %d events%n", backend,
                seed, seed, CUTS, EVENTS);
        Random random = new Random(seed);
        Path checkpoints = dir.resolve("checkpoints");
        Path output = dir.resolve("output");
        Files.createDirectories(checkpoints);
        Files.createDirectories(output);
        String base = "file://" + checkpoints;
        DemoEvents source = new DemoEvents(EVENTS, PARALLELISM, KEYS);
        long started = System.nanoTime();

        for (int round = 0; round <= CUTS; round++) {
            boolean last = round == CUTS;
            long delayMillis = random.nextInt(4) == 0 ? random.nextInt(300) : 300 + random.nextInt(2700);
            long maxRecords = (long) ((0.3 + 0.7 * random.nextDouble()) * EVENTS / (CUTS + 1));
            String where = backend + " seed " + seed + " round " + round + (last ? " (to the end)"
                    : " (cut after " + delayMillis + " ms or " + maxRecords + " records)");
            PowerCutBlobStore store = PowerCutBlobStore.over(new LocalBlobStore(), checkpoints);
            AtomicLong lastCompleted = new AtomicLong(-1);
            AtomicReference<Cut> cut = new AtomicReference<>();
            AtomicReference<JobRunner> running = new AtomicReference<>();
            Thread cutter = new Thread(() -> {
                long deadline = System.nanoTime() + Duration.ofMillis(delayMillis).toNanos();
                while (System.nanoTime() < deadline) {
                    JobRunner job = running.get();
                    if (job != null && job.recordsProcessed(COUNT) >= maxRecords) {
                        break;
                    }
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                long completedBefore = lastCompleted.get();
                JobRunner job = running.get();
                boolean ended = job != null && job.result().isPresent();
                long processed = job == null ? 0 : job.recordsProcessed(COUNT);
                cut.set(new Cut(store.cut(), completedBefore, ended, processed));
            }, "power-cut");
            if (!last) {
                cutter.start();
            }
            try (FileCheckpointStorage storage = new FileCheckpointStorage(store, base, DemoCommand.JOB_ID)) {
                JobRunner.Builder runner = runner(backend, storage, source, output, lastCompleted);
                ResumePoint point = ResumePoint.find(storage, false);
                assertThat(point).as(where).isNotInstanceOf(ResumePoint.JobEnded.class);
                if (point instanceof ResumePoint.Checkpoint cp) {
                    runner.restoreFrom(cp.checkpoint(), RecoveryClaimMode.CLAIM);
                } else {
                    storage.discardJob();
                    deleteRecursively(output);
                    Files.createDirectories(output);
                }
                try (JobRunner job = runner.build()) {
                    running.set(job);
                    job.start();
                    if (last) {
                        JobResult result = job.awaitTermination(Duration.ofMinutes(5));
                        assertThat(result.termination()).as(where + ": " + result.failureCause())
                                .isEqualTo(JobTermination.FINISHED);
                    } else {
                        cutter.join();
                    }
                }
            } catch (StorageException e) {
                if (!store.isOff()) {
                    throw e;
                }
                // The power went while the run restored or claimed: what the store refused is what a dead
                // machine would not have done.
            }
            cutter.join();
            if (last) {
                break;
            }
            Cut c = cut.get();
            assertThat(c.endedBeforeCut()).as(where + ": the job must still run at the cut; raise "
                    + "cairn.powercut.events").isFalse();
            checkAfterCut(where, c, checkpoints, base);
        }

        OutputCheck check = OutputCheck.of(source.countsPerKey(), TwoPhaseCommitFileSink.readCommitted(output));
        assertThat(check.exactlyOnce()).as(backend + " seed " + seed + ": output has " + check.lines()
                + " lines for " + check.expectedLines() + " events: " + check.examples()).isTrue();
        Path jobDir = checkpoints.resolve(DemoCommand.JOB_ID);
        assertThat(everythingUnder(jobDir)).as(backend + " seed " + seed
                + ": the job directory of a finished job holds only its job-end record")
                .containsExactly("_job-ended");
        System.out.printf("PowerCutTest[%s]: %d cuts and the final run in %d ms; exactly-once, %d lines%n",
                backend, CUTS, Duration.ofNanos(System.nanoTime() - started).toMillis(), check.lines());
    }

    /**
     * The power goes right after the job finished: the deletes of its checkpoints, which no later commit made
     * durable, bring them back; the next resume recognises the end, its output is exactly once, and taking the
     * directory over leaves nothing but the job-end record.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "rocksdb"})
    void powerCutRightAfterTheJobEndedLeavesOnlyTheJobEndRecord(String backend) throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        Path output = dir.resolve("output");
        Files.createDirectories(output);
        String base = "file://" + checkpoints;
        DemoEvents source = new DemoEvents(60_000, PARALLELISM, KEYS);
        PowerCutBlobStore store = PowerCutBlobStore.over(new LocalBlobStore(), checkpoints);
        try (FileCheckpointStorage storage = new FileCheckpointStorage(store, base, DemoCommand.JOB_ID);
                JobRunner job = runner(backend, storage, source, output, new AtomicLong()).build()) {
            job.start();
            assertThat(job.awaitTermination(Duration.ofMinutes(2)).termination()).isEqualTo(JobTermination.FINISHED);
        }
        PowerCutBlobStore.Cut cut = store.cut();
        System.out.printf("PowerCutTest[%s] after the end: the cut brought back %s%n", backend, cut.revived());

        try (FileCheckpointStorage plain = new FileCheckpointStorage(new LocalBlobStore(), base,
                DemoCommand.JOB_ID)) {
            CheckpointScan scan = plain.scan();
            System.out.printf("PowerCutTest[%s] after the end: scan finds sound %s, damaged %s%n", backend,
                    scan.completed().stream().map(CompletedCheckpoint::checkpointId).toList(),
                    scan.damaged().stream().map(d -> d.checkpointId() + " (" + d.reason().getMessage() + ")").toList());
            assertThat(ResumePoint.takeOver(plain, false)).as("the resume of the ended job")
                    .isInstanceOf(ResumePoint.JobEnded.class);
        }
        OutputCheck check = OutputCheck.of(source.countsPerKey(), TwoPhaseCommitFileSink.readCommitted(output));
        assertThat(check.exactlyOnce()).as(check.examples().toString()).isTrue();
        assertThat(everythingUnder(checkpoints.resolve(DemoCommand.JOB_ID)))
                .as(backend + ": the job directory of the finished job after the power cut").containsExactly("_job-ended");
    }

    /** What the cut left, checked over a fresh plain store, as the next process would find it. */
    private void checkAfterCut(String where, Cut c, Path checkpoints, String base) throws IOException {
        SortedMap<String, Long> onDisk = blobsOnDisk(checkpoints);
        assertThat(onDisk).as(where + ": the directory after the cut is what the store committed and did not "
                + "durably delete").isEqualTo(c.cut().survivors());
        String jobDir = "file://" + checkpoints.resolve(DemoCommand.JOB_ID) + "/";
        TreeSet<Long> discoverable = new TreeSet<>();
        for (String location : c.cut().survivors().keySet()) {
            if (location.startsWith(jobDir)) {
                Matcher m = METADATA.matcher(location.substring(jobDir.length()));
                if (m.matches()) {
                    discoverable.add(Long.parseLong(m.group(1)));
                }
            }
        }
        try (FileCheckpointStorage plain = new FileCheckpointStorage(new LocalBlobStore(), base,
                DemoCommand.JOB_ID)) {
            for (long id : discoverable) {
                CompletedCheckpoint resolved = plain.resolve(plain.checkpointLocation(id));
                assertThat(resolved.checkpointId()).as(where).isEqualTo(id);
            }
            CheckpointScan scan = plain.scan();
            assertThat(scan.damaged()).as(where + ": damaged checkpoints after the cut").isEmpty();
            assertThat(scan.completed().stream().map(CompletedCheckpoint::checkpointId).toList())
                    .as(where + ": the scan lists exactly the checkpoints discoverable at the cut")
                    .containsExactlyElementsOf(discoverable);
            assertThat(scan.jobEnd()).as(where).isEmpty();
            if (c.completedBefore() >= 0) {
                assertThat(discoverable).as(where + ": checkpoint " + c.completedBefore() + " had completed")
                        .isNotEmpty();
                assertThat(discoverable.last()).as(where + ": progress never goes back").isGreaterThanOrEqualTo(
                        c.completedBefore());
            }
            ResumePoint point = ResumePoint.find(plain, false);
            Optional<Long> resumeId = point instanceof ResumePoint.Checkpoint cp
                    ? Optional.of(cp.checkpoint().checkpointId()) : Optional.empty();
            assertThat(resumeId).as(where + ": the resume point is the newest discoverable checkpoint")
                    .isEqualTo(discoverable.isEmpty() ? Optional.empty() : Optional.of(discoverable.last()));
        }
        System.out.printf("  %s: %d records in; %d checkpoints discoverable %s, newest completed before %d;"
                + " %d deletes undone%n", where, c.processed(), discoverable.size(), discoverable,
                c.completedBefore(), c.cut().revived().size());
    }

    private static JobRunner.Builder runner(String backend, FileCheckpointStorage storage, DemoEvents source,
            Path output, AtomicLong lastCompleted) {
        CheckpointConfig config = CheckpointConfig.builder()
                .interval(Duration.ofMillis(50))
                .mode(CheckpointingMode.EXACTLY_ONCE)
                .tolerableCheckpointFailureNumber(Integer.MAX_VALUE)
                .numRetainedCheckpoints(2)
                .externalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION)
                .checkpointStorage(storage.baseLocation())
                .stateBackend(backend)
                .build();
        JobGraph.Builder graph = JobGraph.builder(DemoCommand.JOB_ID);
        graph.source("events", PARALLELISM, source, Serializers.LONG)
                .keyBy(key -> key, Serializers.LONG)
                .process(COUNT, PARALLELISM, CountPerKey::new, Serializers.STRING)
                .sink("sink", PARALLELISM, () -> new TwoPhaseCommitFileSink<String>(output, line -> line));
        return JobRunner.builder(graph.build())
                .jobId(DemoCommand.JOB_ID)
                .checkpointConfig(config)
                .stateBackend(StateBackends.create(backend, Map.of()))
                .checkpointStorage(storage)
                .restartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(50)))
                .localDirectory(output.getParent().resolve("local"))
                .statsListener(new CheckpointStatsListener() {
                    @Override
                    public void onCheckpointCompleted(CheckpointStats stats) {
                        lastCompleted.accumulateAndGet(stats.checkpointId(), Math::max);
                    }

                    @Override
                    public void onCheckpointFailed(CheckpointStats stats) {
                    }
                });
    }

    /** Committed blobs (not temporary files) under {@code root}, as {@code file://} locations with lengths. */
    private static SortedMap<String, Long> blobsOnDisk(Path root) throws IOException {
        SortedMap<String, Long> found = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        && !(name.startsWith(".") && name.endsWith(".inprogress"))) {
                    found.put(LocalBlobStore.toLocation(p), Files.size(p));
                }
            }
        }
        return found;
    }

    /** Every file and directory under {@code dir}, hidden ones included, relative to it. */
    private static List<String> everythingUnder(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(p -> !p.equals(dir)).forEach(p -> found.add(dir.relativize(p)
                    + (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "/" : "")));
        }
        return found;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A cut and what the job had done by then. */
    private record Cut(PowerCutBlobStore.Cut cut, long completedBefore, boolean endedBeforeCut, long processed) {
    }
}
