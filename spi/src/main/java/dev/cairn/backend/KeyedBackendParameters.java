package dev.cairn.backend;

import dev.cairn.checkpoint.StateHandleReader;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.serialization.TypeSerializer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a keyed backend is created for.
 *
 * @param operatorId     the operator, for names and messages
 * @param keySerializer  serializer of the keys
 * @param maxParallelism number of key groups
 * @param keyGroupRange  the key groups this subtask owns
 * @param localDirectory a directory the backend may use and must clean up on close
 * @param handleReader   opens restored handles
 */
public record KeyedBackendParameters<K>(String operatorId, TypeSerializer<K> keySerializer, int maxParallelism,
        KeyGroupRange keyGroupRange, Path localDirectory, StateHandleReader handleReader) {
    public KeyedBackendParameters {
        Objects.requireNonNull(operatorId, "operatorId");
        Objects.requireNonNull(keySerializer, "keySerializer");
        Objects.requireNonNull(keyGroupRange, "keyGroupRange");
        Objects.requireNonNull(localDirectory, "localDirectory");
        Objects.requireNonNull(handleReader, "handleReader");
        KeyGroups.checkParallelism(maxParallelism, 1);
        if (keyGroupRange.end() >= maxParallelism) {
            throw new IllegalArgumentException(keyGroupRange + " exceeds maxParallelism " + maxParallelism);
        }
    }
}
