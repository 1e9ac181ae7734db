package dev.cairn.blob;

import dev.cairn.error.StorageException;
import java.util.ArrayList;
import java.util.List;

/** A blob store that deletes many blobs in few requests. */
public interface SupportsBulkDelete {
    /** How many failed deletions a report names; the rest are counted. */
    int REPORTED_FAILURES = 5;

    /**
     * Deletes all {@code locations}; missing ones are not an error, so a repeated call is
     * harmless. If some deletions fail, the rest are still attempted and one
     * {@link dev.cairn.error.StorageException} reports the failures.
     */
    void deleteAll(Iterable<String> locations);

    /**
     * {@link #deleteAll} for stores without a batch request: deletes each location in turn,
     * attempts all, and reports the failures together (the first as the cause, the others suppressed).
     */
    static void deleteEach(BlobStore store, Iterable<String> locations) {
        List<RuntimeException> failures = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        int attempted = 0;
        for (String location : locations) {
            attempted++;
            try {
                store.delete(location);
            } catch (RuntimeException e) {
                failures.add(e);
                messages.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            StorageException report = failureReport(attempted, messages, failures.get(0));
            failures.subList(1, failures.size()).forEach(report::addSuppressed);
            throw report;
        }
    }

    /** One exception for failed deletions: "{@code n of m deletions failed:}" and the first few reasons. */
    static StorageException failureReport(int attempted, List<String> failures, Throwable firstCause) {
        StringBuilder message = new StringBuilder().append(failures.size()).append(" of ").append(attempted)
                .append(" deletions failed:");
        for (int i = 0; i < Math.min(REPORTED_FAILURES, failures.size()); i++) {
            message.append("\n  ").append(failures.get(i));
        }
        if (failures.size() > REPORTED_FAILURES) {
            message.append("\n  … and ").append(failures.size() - REPORTED_FAILURES).append(" more");
        }
        return new StorageException(message.toString(), firstCause);
    }
}
