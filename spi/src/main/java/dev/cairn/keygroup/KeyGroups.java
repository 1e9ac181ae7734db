package dev.cairn.keygroup;

/**
 * Assignment of keys to key groups and key groups to subtasks, with exactly Apache Flink's
 * arithmetic: key group = murmur(key.hashCode()) mod maxParallelism, and each subtask owns a
 * contiguous range of key groups. Restores at another parallelism move whole key groups.
 */
public final class KeyGroups {
    /** The max parallelism used when none is configured. */
    public static final int DEFAULT_MAX_PARALLELISM = 128;
    /** The largest max parallelism, 2^15. */
    public static final int UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

    private KeyGroups() {
    }

    /** The key group of {@code key}; the key must not be null. */
    public static int keyGroupOf(Object key, int maxParallelism) {
        if (key == null) {
            throw new NullPointerException("a key must not be null");
        }
        return keyGroupOfHash(key.hashCode(), maxParallelism);
    }

    public static int keyGroupOfHash(int keyHash, int maxParallelism) {
        return murmurHash(keyHash) % maxParallelism;
    }

    /** The key groups owned by subtask {@code subtaskIndex} of {@code parallelism}. */
    public static KeyGroupRange rangeForSubtask(int maxParallelism, int parallelism, int subtaskIndex) {
        checkParallelism(maxParallelism, parallelism);
        if (subtaskIndex < 0 || subtaskIndex >= parallelism) {
            throw new IllegalArgumentException("subtask index " + subtaskIndex + " outside [0, " + parallelism + ")");
        }
        int start = (subtaskIndex * maxParallelism + parallelism - 1) / parallelism;
        int end = ((subtaskIndex + 1) * maxParallelism - 1) / parallelism;
        return new KeyGroupRange(start, end);
    }

    /** The subtask that owns {@code keyGroup} at {@code parallelism}. */
    public static int subtaskForKeyGroup(int maxParallelism, int parallelism, int keyGroup) {
        checkParallelism(maxParallelism, parallelism);
        return keyGroup * parallelism / maxParallelism;
    }

    /** The subtask that owns {@code key} at {@code parallelism}. */
    public static int subtaskForKey(Object key, int maxParallelism, int parallelism) {
        return subtaskForKeyGroup(maxParallelism, parallelism, keyGroupOf(key, maxParallelism));
    }

    public static void checkParallelism(int maxParallelism, int parallelism) {
        if (maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
            throw new IllegalArgumentException(
                    "maxParallelism " + maxParallelism + " outside [1, " + UPPER_BOUND_MAX_PARALLELISM + "]");
        }
        if (parallelism < 1 || parallelism > maxParallelism) {
            throw new IllegalArgumentException(
                    "parallelism " + parallelism + " outside [1, maxParallelism=" + maxParallelism + "]");
        }
    }

    /** Murmur3's 32-bit mix of one int, made non-negative. */
    static int murmurHash(int code) {
        code *= 0xcc9e2d51;
        code = Integer.rotateLeft(code, 15);
        code *= 0x1b873593;
        code = Integer.rotateLeft(code, 13);
        code = code * 5 + 0xe6546b64;
        code ^= 4;
        code ^= code >>> 16;
        code *= 0x85ebca6b;
        code ^= code >>> 13;
        code *= 0xc2b2ae35;
        code ^= code >>> 16;
        if (code >= 0) {
            return code;
        }
        return code != Integer.MIN_VALUE ? -code : 0;
    }
}
