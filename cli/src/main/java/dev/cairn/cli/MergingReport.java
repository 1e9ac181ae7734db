package dev.cairn.cli;

import dev.cairn.filemerging.FileMergingManager;
import dev.cairn.filemerging.FileMergingStats;
import dev.cairn.runtime.coordinator.CheckpointStats;
import dev.cairn.runtime.coordinator.CheckpointStatsListener;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What file merging did for each completed checkpoint of {@code cairn demo --file-merging}: physical
 * files created, segments written and blob store requests since the previous completed checkpoint (or
 * the start of the run), and the live physical bytes and space amplification after it, sampled from
 * {@link FileMergingManager#stats()} when the coordinator reports the checkpoint completed.
 */
final class MergingReport implements CheckpointStatsListener {
    /** One completed checkpoint's figures. */
    record Row(long physicalFilesCreated, long segmentsWritten, long storageRequests, long livePhysicalBytes,
            double spaceAmplification) {
    }

    private final FileMergingManager manager;
    private final RequestCountingStore requests;
    private final Optional<String> fallbackReason;
    private final Map<Long, Row> rows = new ConcurrentHashMap<>();
    private FileMergingStats last;
    private long lastRequests;

    /** Starts counting now; {@code fallbackReason} says why across-boundary merging fell back, if it did. */
    MergingReport(FileMergingManager manager, RequestCountingStore requests, Optional<String> fallbackReason) {
        this.manager = manager;
        this.requests = requests;
        this.fallbackReason = fallbackReason;
        this.last = manager.stats();
        this.lastRequests = requests.requests();
    }

    Optional<String> fallbackReason() {
        return fallbackReason;
    }

    @Override
    public synchronized void onCheckpointCompleted(CheckpointStats stats) {
        FileMergingStats now = manager.stats();
        long requested = requests.requests();
        rows.put(stats.checkpointId(), new Row(now.physicalFilesCreated() - last.physicalFilesCreated(),
                now.segmentsWritten() - last.segmentsWritten(), requested - lastRequests, now.livePhysicalBytes(),
                now.spaceAmplification()));
        last = now;
        lastRequests = requested;
    }

    /** The checkpoint's figures; empty for a checkpoint that did not complete. */
    Optional<Row> row(long checkpointId) {
        return Optional.ofNullable(rows.get(checkpointId));
    }

    /** The table columns' titles, each preceded by a space. */
    String header() {
        return String.format(" %7s %9s %9s %14s %7s", "files", "segments", "requests", "live", "amplif.");
    }

    /** The table columns of a checkpoint, as {@link #header()} aligns them; dashes if it did not complete. */
    String columns(long checkpointId) {
        return row(checkpointId).map(r -> String.format(Locale.ROOT, " %7d %9d %9d %12d B %7.2f",
                r.physicalFilesCreated(), r.segmentsWritten(), r.storageRequests(), r.livePhysicalBytes(),
                r.spaceAmplification())).orElseGet(() -> String.format(" %7s %9s %9s %14s %7s", "-", "-", "-", "-",
                "-"));
    }

    /** A checkpoint's figures for the JSON report. */
    Optional<Map<String, Object>> json(long checkpointId) {
        return row(checkpointId).map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("physicalFilesCreated", r.physicalFilesCreated());
            m.put("segmentsWritten", r.segmentsWritten());
            m.put("storageRequests", r.storageRequests());
            m.put("livePhysicalBytes", r.livePhysicalBytes());
            m.put("spaceAmplification", r.spaceAmplification());
            return m;
        });
    }

    /** The options in effect and the fallback reason, for the JSON report. */
    Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("options", manager.options().toString());
        m.put("acrossCheckpointBoundary", manager.options().acrossCheckpointBoundary());
        m.put("poolBlocking", manager.options().poolBlocking());
        m.put("fallbackReason", fallbackReason.orElse(null));
        return m;
    }
}
