package dev.cairn.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.ByteArraySeekableInputStream;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.ForwardingCheckpointStorage;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.filemerging.FileMergingOptions;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import dev.cairn.tck.FileMergingTck;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Proves {@link FileMergingTck} catches the faults it names: merging setups broken in one way
 * (decorating the real {@link FileCheckpointStorage} on {@link LocalBlobStore}) must fail exactly the
 * rules describing that fault, and the real one must pass every rule that applies to its store.
 */
class FileMergingTckSelfTest {

    @Test
    void theRealSetupPassesEveryRule() {
        EngineExecutionResults results = run(Faithful.class);
        assertThat(failedRules(results)).isEmpty();
        assertThat(results.testEvents().succeeded().count()).isPositive();
    }

    @Test
    void aPoolThatOverAllocatesFailsEveryRuleThatCountsFilesOrSharesThem() {
        // a file per stream: too many files (01, 08), no reuse refused for the bound (03), no append to a
        // reused file (05), no writer ever waits or shares a pool (06, 09); reads, deletion and restart still pass
        assertThat(failedRules(run(OverAllocatingPool.class)))
                .containsExactly("MERGE-01", "MERGE-03", "MERGE-05", "MERGE-06", "MERGE-08", "MERGE-09");
    }

    @Test
    void deletingMergedFilesWithTheirCheckpointFailsTheBoundAndDeletionRules() {
        assertThat(failedRules(run(DeletesWhileReferenced.class))).contains("MERGE-03", "MERGE-04");
    }

    @Test
    void readingSegmentsWithoutTheirCrcFailsTheDamageRule() {
        assertThat(failedRules(run(ReadsWithoutCrc.class))).containsExactly("MERGE-02");
    }

    private static EngineExecutionResults run(Class<?> suite) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(suite)).execute();
    }

    private static Set<String> failedRules(EngineExecutionResults results) {
        return results.testEvents().failed().stream().map(FileMergingTckSelfTest::rule)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String rule(Event event) {
        String name = event.getTestDescriptor().getDisplayName();
        return name.substring(name.indexOf("MERGE-"), name.indexOf("MERGE-") + 8);
    }

    /** The real setup on {@code file://}. */
    static class Faithful extends FileMergingTck {
        private static final AtomicInteger BASES = new AtomicInteger();

        @TempDir
        Path root;

        @Override
        protected BlobStore createBlobStore() {
            return new LocalBlobStore();
        }

        @Override
        protected String newBaseLocation() {
            return LocalBlobStore.toLocation(root.resolve("self-" + BASES.incrementAndGet()));
        }
    }

    /** Every stream gets a pool of its own: as many physical files as streams. */
    static class OverAllocatingPool extends Faithful {
        @Override
        protected CheckpointStorage createStorage(BlobStore store, String base, String jobId,
                FileCheckpointStorageOptions options) {
            FileMergingOptions m = options.fileMerging();
            FileCheckpointStorageOptions poolPerSubtask = new FileCheckpointStorageOptions(options.inlineThreshold(),
                    options.writeBufferSize(), options.maxMetadataSize(), options.verifyFilesOnResolve(),
                    new FileMergingOptions(m.enabled(), m.acrossCheckpointBoundary(), m.maxFileSize(), m.poolBlocking(),
                            m.maxOpenFilesPerPool(), 1, m.maxSpaceAmplification(), m.writeBufferSize()));
            return new ForwardingCheckpointStorage(new FileCheckpointStorage(store, base, jobId, poolPerSubtask)) {
                @Override
                public CheckpointStorageLocation initializeLocation(long checkpointId) {
                    return new PoolPerStream(delegate.initializeLocation(checkpointId));
                }
            };
        }
    }

    /** Deletes the merged files a checkpoint refers to when it is discarded, as if they were its own. */
    static class DeletesWhileReferenced extends Faithful {
        @Override
        protected CheckpointStorage createStorage(BlobStore store, String base, String jobId,
                FileCheckpointStorageOptions options) {
            return new ForwardingCheckpointStorage(new FileCheckpointStorage(store, base, jobId, options)) {
                @Override
                public void discard(CompletedCheckpoint checkpoint) {
                    delegate.discard(checkpoint);
                    for (SegmentStateHandle s : FileCheckpointStorage.segments(checkpoint.metadata())) {
                        store.delete(s.physicalLocation());
                    }
                }
            };
        }
    }

    /** Reads the bytes of a segment's range and never checks its CRC. */
    static class ReadsWithoutCrc extends Faithful {
        @Override
        protected CheckpointStorage createStorage(BlobStore store, String base, String jobId,
                FileCheckpointStorageOptions options) {
            return new ForwardingCheckpointStorage(new FileCheckpointStorage(store, base, jobId, options)) {
                @Override
                public SeekableInputStream open(StreamStateHandle handle) {
                    if (handle instanceof SegmentStateHandle s) {
                        byte[] bytes = new byte[(int) s.length()];
                        store.open(s.physicalLocation()).readFully(s.offset(), bytes, 0, bytes.length);
                        return new ByteArraySeekableInputStream(bytes);
                    }
                    return delegate.open(handle);
                }
            };
        }
    }

    private static final class PoolPerStream implements CheckpointStorageLocation {
        private static final AtomicInteger POOLS = new AtomicInteger();
        private final CheckpointStorageLocation delegate;

        PoolPerStream(CheckpointStorageLocation delegate) {
            this.delegate = delegate;
        }

        @Override
        public long checkpointId() {
            return delegate.checkpointId();
        }

        @Override
        public CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope) {
            return delegate.forSubtask("pool" + POOLS.incrementAndGet(), 0).createOutputStream(scope);
        }

        @Override
        public CheckpointStreamFactory forSubtask(String operatorId, int subtaskIndex) {
            PoolPerStream self = this;
            return new CheckpointStreamFactory() {
                @Override
                public CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope) {
                    return self.createOutputStream(scope);
                }

                @Override
                public Collection<StreamStateHandle> reusable(Collection<StreamStateHandle> candidates) {
                    return delegate.forSubtask(operatorId, subtaskIndex).reusable(candidates);
                }
            };
        }

        @Override
        public Collection<StreamStateHandle> reusable(Collection<StreamStateHandle> candidates) {
            return delegate.reusable(candidates);
        }

        @Override
        public CompletedCheckpoint finalizeCheckpoint(CheckpointMetadata metadata) {
            return delegate.finalizeCheckpoint(metadata);
        }

        @Override
        public void discardOnFailure() {
            delegate.discardOnFailure();
        }
    }
}
