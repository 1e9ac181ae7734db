package dev.cairn.checkpoint;

import java.util.Collection;
import java.util.List;

/** Creates the output streams a snapshot writes to, for one checkpoint. Thread-safe. */
public interface CheckpointStreamFactory {
    CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope);

    /**
     * The factory one subtask writes through. A factory that merges files groups a subtask's
     * streams by it; the default, for factories that do not, is this factory.
     */
    default CheckpointStreamFactory forSubtask(String operatorId, int subtaskIndex) {
        return this;
    }

    /**
     * Which of {@code candidates}, handles written by earlier checkpoints, this checkpoint may refer
     * to again instead of writing their bytes anew. A backend asks before it reuses state (an
     * incremental backend's unchanged files) and re-writes the others; a merging factory refuses
     * segments whose physical file holds too little live data, which bounds space amplification,
     * and keeps what it accepts alive until this checkpoint completes or is aborted. The default
     * accepts all.
     */
    default Collection<StreamStateHandle> reusable(Collection<StreamStateHandle> candidates) {
        return List.copyOf(candidates);
    }
}
