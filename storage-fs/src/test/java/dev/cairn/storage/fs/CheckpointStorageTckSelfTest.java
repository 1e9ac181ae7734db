package dev.cairn.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.tck.CheckpointStorageTck;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Proves {@link CheckpointStorageTck} catches the faults it names: blob stores broken in one way
 * (wrapping {@link LocalBlobStore}) must fail exactly the rules describing that fault, a faithful
 * wrapper must pass every rule, and a store without listing must only skip the listing rule.
 */
class CheckpointStorageTckSelfTest {

    @Test
    void faithfulStorePassesEveryRule() {
        EngineExecutionResults results = run(Faithful.class);
        assertThat(failedRules(results)).isEmpty();
        assertThat(results.testEvents().aborted().count()).as("skipped rules").isZero();
        assertThat(results.testEvents().succeeded().count()).isEqualTo(ruleCount());
    }

    @Test
    void storeWithoutListingSkipsOnlyTheListingRule() {
        EngineExecutionResults results = run(CannotList.class);
        assertThat(failedRules(results)).isEmpty();
        assertThat(results.testEvents().aborted().stream().map(CheckpointStorageTckSelfTest::rule))
                .containsExactly("STORAGE-13");
    }

    @Test
    void publishingOnCloseFailsTheMetadataAtomicityAndAbortRules() {
        assertThat(failedRules(run(PublishesOnClose.class))).containsExactly("STORAGE-03", "STORAGE-07");
    }

    @Test
    void overwritingOnCommitFailsTheFinalizeTwiceRule() {
        assertThat(failedRules(run(OverwritesOnCommit.class))).containsExactly("STORAGE-04");
    }

    @Test
    void losingLargeFilesFailsTheLargeStateRule() {
        assertThat(failedRules(run(LosesLargeFiles.class))).containsExactly("STORAGE-08");
    }

    private static EngineExecutionResults run(Class<?> suite) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(suite)).execute();
    }

    private static Set<String> failedRules(EngineExecutionResults results) {
        return results.testEvents().failed().stream().map(CheckpointStorageTckSelfTest::rule)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String rule(Event event) {
        String name = event.getTestDescriptor().getDisplayName();
        return name.substring(0, name.indexOf(' '));
    }

    private static long ruleCount() {
        return Arrays.stream(CheckpointStorageTck.class.getDeclaredMethods()).map(Method::getName)
                .filter(name -> name.startsWith("ruleSTORAGE")).count();
    }

    /** Runs the TCK in a fresh directory per rule. */
    abstract static class Suite extends CheckpointStorageTck {
        private static final AtomicInteger BASES = new AtomicInteger();

        @TempDir
        Path root;

        @Override
        protected String newBaseLocation() {
            return LocalBlobStore.toLocation(root.resolve("checkpoints-" + BASES.incrementAndGet()));
        }
    }



    /** The control: changes nothing. */
    static class Faithful extends Suite {
        @Override
        protected BlobStore createBlobStore() {
            return new ForwardingLocalStore();
        }
    }

    /** Correct, but only through the plain {@link BlobStore} interface: no listing, no bulk delete. */
    static class CannotList extends Suite {
        @Override
        protected BlobStore createBlobStore() {
            LocalBlobStore local = new LocalBlobStore();
            return new BlobStore() {
                @Override
                public BlobOutputStream create(String location) {
                    return local.create(location);
                }

                @Override
                public InputBlob open(String location) {
                    return local.open(location);
                }

                @Override
                public void delete(String location) {
                    local.delete(location);
                }
            };
        }
    }

    /** Broken: close() without commit() publishes what was written so far (a truncated _metadata, an aborted file). */
    static class PublishesOnClose extends Suite {
        @Override
        protected BlobStore createBlobStore() {
            return new ForwardingLocalStore() {
                @Override
                public BlobOutputStream create(String location) {
                    ByteArrayOutputStream written = new ByteArrayOutputStream();
                    return new ForwardingLocalStore.Stream(delegate.create(location)) {
                        private boolean committed;

                        @Override
                        public void write(int b) {
                            written.write(b);
                            super.write(b);
                        }

                        @Override
                        public void write(byte[] b, int off, int len) {
                            written.write(b, off, len);
                            super.write(b, off, len);
                        }

                        @Override
                        public BlobInfo commit() {
                            committed = true;
                            return super.commit();
                        }

                        @Override
                        public void close() {
                            super.close();
                            if (!committed) {
                                committed = true;
                                try (BlobOutputStream publish = delegate.create(location)) {
                                    publish.write(written.toByteArray());
                                    publish.commit();
                                } catch (BlobAlreadyExistsException ignored) {
                                    // the broken store keeps whatever was there
                                }
                            }
                        }
                    };
                }
            };
        }
    }

    /** Broken: a commit replaces an existing blob instead of failing (not create-only). */
    static class OverwritesOnCommit extends Suite {
        @Override
        protected BlobStore createBlobStore() {
            return new ForwardingLocalStore() {
                @Override
                public BlobOutputStream create(String location) {
                    return new ForwardingLocalStore.Stream(delegate.create(location)) {
                        @Override
                        public BlobInfo commit() {
                            delegate.delete(location);
                            return super.commit();
                        }
                    };
                }
            };
        }
    }

    /** Broken: a blob above 1 MiB is acknowledged on commit but lost (like a failed multipart upload). */
    static class LosesLargeFiles extends Suite {
        @Override
        protected BlobStore createBlobStore() {
            return new ForwardingLocalStore() {
                @Override
                public BlobOutputStream create(String location) {
                    return new ForwardingLocalStore.Stream(delegate.create(location)) {
                        @Override
                        public BlobInfo commit() {
                            BlobInfo info = super.commit();
                            if (info.length() > 1024 * 1024) {
                                delegate.delete(location);
                            }
                            return info;
                        }
                    };
                }
            };
        }
    }
}
