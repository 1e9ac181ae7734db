package dev.cairn.example.memstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceDiscoveryTest {

    @Test
    void theStoreIsFoundByItsSchemeAndStoresAreSharedAcrossInstances() throws IOException {
        try (BlobStore writer = BlobStores.forLocation("mem://discovery/a", Map.of());
                BlobStore reader = BlobStores.create("MEM", Map.of())) {
            assertThat(writer).isInstanceOf(MemBlobStore.class);
            try (BlobOutputStream out = writer.create("mem://discovery/a")) {
                out.write(new byte[] {4, 2});
                out.commit();
            }
            assertThat(reader.open("mem://discovery/a").length()).isEqualTo(2);
        }
    }
}
