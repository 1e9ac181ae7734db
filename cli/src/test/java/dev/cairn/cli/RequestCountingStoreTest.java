package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SupportsAbandonedWriteCleanup;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.BlobNotFoundException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestCountingStoreTest {

    @Test
    void keepsExactlyTheMixInsOfTheStoreAndCountsEveryCallButClose() {
        RequestCountingStore counter = new RequestCountingStore();
        BlobStore store = counter.wrap(new AppendingStore());
        assertThat(store).isInstanceOf(SupportsAppend.class).isInstanceOf(SupportsPrefixListing.class)
                .isNotInstanceOf(SupportsBulkDelete.class).isNotInstanceOf(SupportsAbandonedWriteCleanup.class);

        assertThat(store.exists("x")).isFalse();
        store.delete("x");
        assertThat(((SupportsPrefixListing) store).list("x")).isEmpty();
        assertThatThrownBy(() -> ((SupportsAppend) store).append("x", 0)).isInstanceOf(BlobNotFoundException.class);
        store.close();
        assertThat(counter.requests()).isEqualTo(4);
        assertThat(counter.wrapped()).isInstanceOf(AppendingStore.class);
        assertThat(store.toString()).isEqualTo("counting " + counter.wrapped());
    }

    @Test
    void aStoreWithoutMixInsStaysWithout() {
        BlobStore store = new RequestCountingStore().wrap(new BlobStore() {
            @Override
            public BlobOutputStream create(String location) {
                throw new UnsupportedOperationException();
            }

            @Override
            public InputBlob open(String location) {
                throw new BlobNotFoundException(location);
            }

            @Override
            public void delete(String location) {
            }
        });
        assertThat(store).isNotInstanceOf(SupportsAppend.class).isNotInstanceOf(SupportsPrefixListing.class);
    }

    /** A store that holds nothing, appends and lists. */
    private static class AppendingStore implements BlobStore, SupportsAppend, SupportsPrefixListing {
        @Override
        public BlobOutputStream create(String location) {
            throw new UnsupportedOperationException();
        }

        @Override
        public InputBlob open(String location) {
            throw new BlobNotFoundException(location);
        }

        @Override
        public void delete(String location) {
        }

        @Override
        public BlobOutputStream append(String location, long expectedLength) {
            throw new BlobNotFoundException(location);
        }

        @Override
        public Iterable<BlobInfo> list(String prefix) {
            return List.of();
        }
    }
}
