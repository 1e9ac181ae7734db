package dev.cairn.cli;

import dev.cairn.checkpoint.CheckpointScan;
import java.io.IOException;
import java.util.List;

/**
 * Where the crash test's demo runs keep their checkpoints, seen from the test: the demo options that name
 * the storage, the library's scan of the job directory, and what is left there once the job ended. One
 * instance serves one backend's campaign; {@link CrashHarness} holds the storage-independent rest.
 */
interface CrashStorage extends AutoCloseable {
    /** The job-end record, the only thing an ended job keeps in its job directory. */
    String JOB_ENDED = "_job-ended";

    /** The {@code --storage} and {@code --storage-option} arguments every demo run gets. */
    List<String> demoOptions();

    /** {@code arg} as it may appear in logs and failure messages (secrets redacted). */
    default String redact(String arg) {
        return arg;
    }

    /** The library's view of the job directory (files of each completed checkpoint verified). */
    CheckpointScan scan();

    /**
     * What an ended job left in its job directory that it should not have: every entry other than
     * {@value #JOB_ENDED}, or a {@code (missing)} line if that record is absent, plus anything a storage
     * keeps besides its entries (e.g. an open S3 multipart upload).
     */
    List<String> orphans() throws IOException;

    /** A listing of the job directory, for failure messages. */
    String listing() throws IOException;

    /** Deletes everything of the job: the next run starts from nothing. */
    void deleteAll() throws IOException;

    /** A line about the storage for the report (what it is, and what it saw over the campaign), or empty. */
    default String summary() {
        return "";
    }

    @Override
    void close();
}
