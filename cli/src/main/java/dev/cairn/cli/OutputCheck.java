package dev.cairn.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares the committed output of the counting job with its failure-free result: for each key
 * {@code k} with {@code n} events, exactly the lines {@code k,1 … k,n}. Lines missing from that set are
 * lost; lines beyond one per event are duplicates.
 */
record OutputCheck(long expectedLines, long lines, long lost, long duplicates, List<String> examples) {

    static OutputCheck of(long[] expectedPerKey, List<String> committed) {
        Map<Long, Map<Long, Integer>> seen = new HashMap<>();
        java.util.ArrayList<String> examples = new java.util.ArrayList<>();
        long malformed = 0;
        for (String line : committed) {
            int comma = line.indexOf(',');
            try {
                long key = Long.parseLong(line.substring(0, comma));
                long count = Long.parseLong(line.substring(comma + 1));
                seen.computeIfAbsent(key, k -> new HashMap<>()).merge(count, 1, Integer::sum);
            } catch (RuntimeException e) {
                malformed++;
                note(examples, "malformed line '" + line + "'");
            }
        }
        long expected = 0;
        long lost = 0;
        for (int key = 0; key < expectedPerKey.length; key++) {
            Map<Long, Integer> counts = seen.getOrDefault((long) key, Map.of());
            expected += expectedPerKey[key];
            for (long c = 1; c <= expectedPerKey[key]; c++) {
                if (!counts.containsKey(c)) {
                    lost++;
                    note(examples, "key " + key + " never reached count " + c);
                }
            }
        }
        long duplicates = committed.size() - malformed - (expected - lost);
        if (duplicates > 0) {
            note(examples, duplicates + " lines beyond one per event");
        }
        return new OutputCheck(expected, committed.size(), lost + malformed, Math.max(0, duplicates), List.copyOf(examples));
    }

    boolean exactlyOnce() {
        return lost == 0 && duplicates == 0 && lines == expectedLines;
    }

    boolean noneLost() {
        return lost == 0;
    }

    private static void note(List<String> examples, String what) {
        if (examples.size() < 5) {
            examples.add(what);
        }
    }
}
