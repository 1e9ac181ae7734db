package dev.cairn.benchmarks.report;

import java.util.List;

/**
 * The file merging suite ({@code dev.cairn.benchmarks.filemerging}): Cairn's checkpoint storage with merging within
 * or across checkpoints against merging off as the baseline, so its tables call the two sides "merging" and "off".
 */
public final class FileMergingSection extends Section {
    @Override
    public String suite() {
        return "filemerging";
    }

    @Override
    public String title() {
        return "File merging";
    }

    @Override
    public String description() {
        return "The acceptance workload of file merging (backend-rocksdb's `FileMergingChurn`): a job on Cairn's "
                + "embedded runtime with the RocksDB backend (incremental checkpoints), 16 keyed subtasks with four "
                + "states per key (value, map, list, value) whose keys are updated and deleted, so RocksDB's flushes "
                + "and compactions replace SST files every checkpoint; one retained checkpoint, 30 checkpoints per "
                + "trial. `checkpoint`: one checkpoint per shot, from trigger to completion, while the next batch of "
                + "events is processed; `restore`: a new run restored from the last of 30 checkpoints at "
                + "parallelism 16, up to the end of its input with every key's state checked. On `file://` "
                + "(`storage=file`) and on S3Proxy on 127.0.0.1 (`storage=s3`; S3 cannot append, so "
                + "`cairn-merging-across` runs within checkpoints there). Merging within or across checkpoints is "
                + "compared with merging off (the baseline); the speedup column is off's time over merging's. Per "
                + "shot: blob store creates and calls, S3 HTTP requests (counted in the SDK's clients; 0 on "
                + "`file://`), merged files, `spaceAmplification` (merged bytes stored over the bytes the retained "
                + "checkpoint refers to, by listing) and `worstFileAmplification` (the largest of one file against "
                + "its window, which the bound of 2.0 limits).";
    }

    @Override
    public List<Pairing> pairings() {
        return List.of(new Pairing("cairn-merging-within", "cairn-merging-off", null),
                new Pairing("cairn-merging-across", "cairn-merging-off", null));
    }

    @Override
    public String cairnName() {
        return "merging";
    }

    @Override
    public String flinkName() {
        return "off";
    }
}
