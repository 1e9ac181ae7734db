package dev.cairn.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.error.StorageException;
import dev.cairn.tck.BlobStoreTck;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Proves {@link BlobStoreTck} catches the faults it names: deliberately broken wrappers around
 * {@link LocalBlobStore} must each fail exactly the rules describing their fault, and a faithful
 * wrapper must pass every rule.
 */
class BlobStoreTckSelfTest {

    @Test
    void faithfulWrapperPassesEveryRule() {
        EngineExecutionResults results = run(Faithful.class);
        assertThat(failedRules(results)).isEmpty();
        assertThat(results.testEvents().aborted().count()).as("skipped rules").isZero();
        assertThat(results.testEvents().succeeded().count()).isEqualTo(ruleCount());
    }

    @Test
    void publishingOnCloseFailsTheAbortRules() {
        assertThat(failedRules(run(PublishesOnClose.class))).containsExactly("BLOB-03", "BLOB-04");
    }

    @Test
    void losingCommittedFilesFailsTheReadBackRule() {
        Set<String> failed = failedRules(run(LosesCommittedFiles.class));
        assertThat(failed).contains("BLOB-05");
        assertThat(failed).as("rules that never read committed data still pass")
                .doesNotContain("BLOB-04", "BLOB-09");
    }

    @Test
    void listingInProgressWritesFailsTheListingRule() {
        assertThat(failedRules(run(ListsInProgressWrites.class))).containsExactly("BLOB-02");
    }

    @Test
    void bufferingWholeBlobsFailsTheBoundedMemoryRule() {
        assertThat(failedRules(run(BuffersWholeBlob.class))).containsExactly("BLOB-11");
    }

    @Test
    void overwritingOnCommitFailsTheCreateOnlyRules() {
        assertThat(failedRules(run(OverwritesOnCommit.class))).containsExactly("BLOB-07", "BLOB-18");
    }

    @Test
    void deletingCommittedBlobsAsAbandonedFailsTheAbandonedWriteRule() {
        assertThat(failedRules(run(RemovesCommittedBlobsAsAbandoned.class))).containsExactly("BLOB-19");
    }

    @Test
    void keepingAbortedAppendsFailsTheAbortedAppendRule() {
        assertThat(failedRules(run(KeepsAbortedAppends.class))).containsExactly("BLOB-21");
    }

    private static EngineExecutionResults run(Class<?> suite) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(suite)).execute();
    }

    private static Set<String> failedRules(EngineExecutionResults results) {
        return results.testEvents().failed().stream()
                .map(Event::getTestDescriptor)
                .map(d -> d.getDisplayName().substring(0, d.getDisplayName().indexOf(' ')))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static long ruleCount() {
        return Arrays.stream(BlobStoreTck.class.getDeclaredMethods()).map(Method::getName)
                .filter(name -> name.startsWith("ruleBLOB")).count();
    }

    /** Runs the TCK on a fresh directory per rule with the given store. */
    abstract static class SelfTestSuite extends BlobStoreTck {
        private static final AtomicInteger BASES = new AtomicInteger();

        @TempDir
        Path root;

        @Override
        protected String newBaseLocation() {
            return LocalBlobStore.toLocation(root.resolve("base-" + BASES.incrementAndGet())) + "/";
        }

        @Override
        protected Set<Capability> capabilities() {
            return EnumSet.of(Capability.ATOMIC_RENAME);
        }
    }


    /** Broken: an append closed without commit() keeps the bytes it wrote, as a plain O_APPEND write would. */
    static class KeepsAbortedAppends extends SelfTestSuite {
        @Override
        protected BlobStore createBlobStore() {
            return new ForwardingLocalStore() {
                @Override
                public BlobOutputStream append(String location, long expectedLength) {
                    return new ForwardingLocalStore.Stream(delegate.append(location, expectedLength)) {
                        private boolean commitAttempted;

                        @Override
                        public BlobInfo commit() {
                            commitAttempted = true;
                            return out.commit();
                        }

                        @Override
                        public void close() {
                            if (!commitAttempted) {
                                commitAttempted = true;
                                out.commit();
                            }
                            out.close();
                        }
                    };
                }
            };
        }
    }

    /** Broken: "removing abandoned writes" deletes every blob under the prefix, committed ones too. */
    static class RemovesCommittedBlobsAsAbandoned extends SelfTestSuite {
        @Override
        protected BlobStore createBlobStore() {
            return new ForwardingLocalStore() {
                @Override
                public int removeAbandonedWrites(String prefix) {
                    int removed = delegate.removeAbandonedWrites(prefix);
                    for (BlobInfo info : delegate.list(prefix)) {
                        delegate.delete(info.location());
                    }
                    return removed;
                }
            };
        }
    }

    /** The control: a wrapper that changes nothing. */
    static class Faithful extends SelfTestSuite {
        @Override
        protected BlobStore createBlobStore() {
            return new ForwardingLocalStore();
        }
    }

    /** Broken: close() without commit() publishes the bytes written so far. */
    static class PublishesOnClose extends SelfTestSuite {
        @Override
        protected BlobStore createBlobStore() {
            return new ForwardingLocalStore() {
                @Override
                public BlobOutputStream create(String location) {
                    return new ForwardingLocalStore.Stream(delegate.create(location)) {
                        private boolean commitAttempted;

                        @Override
                        public BlobInfo commit() {
                            commitAttempted = true;
                            return out.commit();
                        }

                        @Override
                        public void close() {
                            if (!commitAttempted) {
                                commitAttempted = true;
                                out.commit();
                            }
                            out.close();
                        }
                    };
                }
            };
        }
    }

    /** Broken: commit() reports success but the file never lands. */
    static class LosesCommittedFiles extends SelfTestSuite {
        @Override
        protected BlobStore createBlobStore() {
            return new ForwardingLocalStore() {
                @Override
                public BlobOutputStream create(String location) {
                    return new ForwardingLocalStore.Stream(delegate.create(location)) {
                        @Override
                        public BlobInfo commit() {
                            BlobInfo claimed = new BlobInfo(location, out.position());
                            out.close();
                            return claimed;
                        }
                    };
                }
            };
        }
    }

    /** Broken: listing also reports writes that are still in progress. */
    static class ListsInProgressWrites extends SelfTestSuite {
        @Override
        protected BlobStore createBlobStore() {
            Map<String, BlobOutputStream> pending = new ConcurrentHashMap<>();
            return new ForwardingLocalStore() {
                @Override
                public BlobOutputStream create(String location) {
                    BlobOutputStream stream = new ForwardingLocalStore.Stream(delegate.create(location)) {
                        @Override
                        public BlobInfo commit() {
                            pending.remove(location);
                            return out.commit();
                        }

                        @Override
                        public void close() {
                            pending.remove(location);
                            out.close();
                        }
                    };
                    pending.put(location, stream);
                    return stream;
                }

                @Override
                public Iterable<BlobInfo> list(String prefix) {
                    List<BlobInfo> all = new ArrayList<>();
                    delegate.list(prefix).forEach(all::add);
                    pending.forEach((location, stream) -> {
                        if (location.startsWith(prefix)) {
                            all.add(new BlobInfo(location, stream.position()));
                        }
                    });
                    return all;
                }
            };
        }
    }

    /** Broken: commit replaces whatever the location holds, like an unconditional object-store PUT. */
    static class OverwritesOnCommit extends SelfTestSuite {
        private static final AtomicInteger STAGED = new AtomicInteger();

        @Override
        protected BlobStore createBlobStore() {
            return new ForwardingLocalStore() {
                @Override
                public BlobOutputStream create(String location) {
                    String staging = location + ".staging-" + STAGED.incrementAndGet();
                    return new ForwardingLocalStore.Stream(delegate.create(staging)) {
                        @Override
                        public BlobInfo commit() {
                            long length = out.commit().length();
                            try {
                                Files.move(LocalBlobStore.toPath(staging), LocalBlobStore.toPath(location),
                                        StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                            } catch (IOException e) {
                                throw new StorageException(location + ": publish failed", e);
                            }
                            return new BlobInfo(location, length);
                        }
                    };
                }
            };
        }
    }

    /** Broken for large blobs: keeps every byte on the heap until commit. */
    static class BuffersWholeBlob extends SelfTestSuite {
        @Override
        protected BlobStore createBlobStore() {
            return new ForwardingLocalStore() {
                @Override
                public BlobOutputStream create(String location) {
                    ByteArrayOutputStream heap = new ByteArrayOutputStream();
                    return new ForwardingLocalStore.Stream(delegate.create(location)) {
                        private boolean sealed;

                        @Override
                        public void write(int b) {
                            if (sealed) {
                                out.write(b);
                                return;
                            }
                            heap.write(b);
                        }

                        @Override
                        public void write(byte[] b, int off, int len) {
                            if (sealed) {
                                out.write(b, off, len);
                                return;
                            }
                            heap.write(b, off, len);
                        }

                        @Override
                        public void flush() {
                        }

                        @Override
                        public long position() {
                            return heap.size();
                        }

                        @Override
                        public BlobInfo commit() {
                            if (sealed) {
                                return out.commit();
                            }
                            sealed = true;
                            try {
                                heap.writeTo(out);
                            } catch (IOException e) {
                                throw new StorageException(location + ": write failed", e);
                            }
                            return out.commit();
                        }
                    };
                }
            };
        }
    }
}
