package dev.cairn.backend;

import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle.StateMetaInfo;
import dev.cairn.state.RedistributionMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which operator state each subtask restores when a job resumes, possibly at another
 * parallelism. It only narrows the element offsets of the old handles and never rewrites a stream:
 * <ul>
 * <li>{@link RedistributionMode#SPLIT}: the elements of all old subtasks, in order, are cut into
 * {@code newParallelism} contiguous runs whose sizes differ by at most one; each element goes to
 * exactly one new subtask.</li>
 * <li>{@link RedistributionMode#UNION}: every new subtask receives every element.</li>
 * <li>{@link RedistributionMode#BROADCAST}: new subtask {@code i} receives the map of old subtask
 * {@code i mod oldParallelism}.</li>
 * </ul>
 * A subtask that receives no element of a state still receives an empty entry for it, so it knows
 * the state exists.
 */
public final class OperatorStateRepartitioner {
    private OperatorStateRepartitioner() {
    }

    /**
     * @param previous       the handle of each old subtask, in subtask order ({@code null} for a subtask
     *                       without operator state)
     * @param newParallelism the number of new subtasks
     * @return for each new subtask, the handles it restores
     */
    public static List<List<OperatorStateHandle>> repartition(List<OperatorStateHandle> previous, int newParallelism) {
        if (newParallelism < 1) {
            throw new IllegalArgumentException("parallelism " + newParallelism + " < 1");
        }
        int oldCount = previous.size();
        // narrowed[new][old] : state name -> offsets
        List<List<Map<String, StateMetaInfo>>> narrowed = new ArrayList<>(newParallelism);
        for (int n = 0; n < newParallelism; n++) {
            List<Map<String, StateMetaInfo>> perOld = new ArrayList<>(oldCount);
            for (int o = 0; o < oldCount; o++) {
                perOld.add(new LinkedHashMap<>());
            }
            narrowed.add(perOld);
        }
        for (Map.Entry<String, RedistributionMode> state : statesOf(previous).entrySet()) {
            String name = state.getKey();
            switch (state.getValue()) {
                case SPLIT -> split(previous, name, newParallelism, narrowed);
                case UNION -> union(previous, name, newParallelism, narrowed);
                case BROADCAST -> broadcast(previous, name, newParallelism, narrowed);
                default -> throw new AssertionError(state.getValue());
            }
        }
        List<List<OperatorStateHandle>> result = new ArrayList<>(newParallelism);
        for (int n = 0; n < newParallelism; n++) {
            List<OperatorStateHandle> handles = new ArrayList<>();
            for (int o = 0; o < oldCount; o++) {
                Map<String, StateMetaInfo> states = narrowed.get(n).get(o);
                if (!states.isEmpty()) {
                    handles.add(new OperatorStateHandle(states, previous.get(o).delegate()));
                }
            }
            result.add(List.copyOf(handles));
        }
        return List.copyOf(result);
    }

    private static Map<String, RedistributionMode> statesOf(List<OperatorStateHandle> previous) {
        Map<String, RedistributionMode> modes = new LinkedHashMap<>();
        for (OperatorStateHandle h : previous) {
            if (h == null) {
                continue;
            }
            for (Map.Entry<String, StateMetaInfo> e : h.states().entrySet()) {
                RedistributionMode known = modes.putIfAbsent(e.getKey(), e.getValue().mode());
                if (known != null && known != e.getValue().mode()) {
                    throw new IllegalArgumentException("operator state '" + e.getKey() + "' is " + known
                            + " in one subtask and " + e.getValue().mode() + " in another");
                }
            }
        }
        return modes;
    }

    private static void split(List<OperatorStateHandle> previous, String name, int newParallelism,
            List<List<Map<String, StateMetaInfo>>> narrowed) {
        long total = 0;
        for (OperatorStateHandle h : previous) {
            if (h != null && h.states().containsKey(name)) {
                total += h.states().get(name).size();
            }
        }
        int firstOwner = firstOwner(previous, name);
        long position = 0;
        for (int o = 0; o < previous.size(); o++) {
            OperatorStateHandle h = previous.get(o);
            if (h == null || !h.states().containsKey(name)) {
                continue;
            }
            long[] offsets = h.states().get(name).offsets();
            int i = 0;
            while (i < offsets.length) {
                int target = (int) ((position + i) * newParallelism / total);
                long targetEnd = ((long) (target + 1) * total + newParallelism - 1) / newParallelism;
                int count = (int) Math.min(offsets.length - i, targetEnd - (position + i));
                narrowed.get(target).get(o).put(name, new StateMetaInfo(RedistributionMode.SPLIT,
                        Arrays.copyOfRange(offsets, i, i + count)));
                i += count;
            }
            position += offsets.length;
        }
        for (int n = 0; n < newParallelism; n++) {
            if (!holds(narrowed.get(n), name)) {
                narrowed.get(n).get(firstOwner).put(name, new StateMetaInfo(RedistributionMode.SPLIT, new long[0]));
            }
        }
    }

    private static void union(List<OperatorStateHandle> previous, String name, int newParallelism,
            List<List<Map<String, StateMetaInfo>>> narrowed) {
        for (int o = 0; o < previous.size(); o++) {
            OperatorStateHandle h = previous.get(o);
            if (h != null && h.states().containsKey(name)) {
                for (int n = 0; n < newParallelism; n++) {
                    narrowed.get(n).get(o).put(name, h.states().get(name));
                }
            }
        }
    }

    private static void broadcast(List<OperatorStateHandle> previous, String name, int newParallelism,
            List<List<Map<String, StateMetaInfo>>> narrowed) {
        List<Integer> owners = new ArrayList<>();
        for (int o = 0; o < previous.size(); o++) {
            OperatorStateHandle h = previous.get(o);
            if (h != null && h.states().containsKey(name)) {
                owners.add(o);
            }
        }
        for (int n = 0; n < newParallelism; n++) {
            int o = owners.get(n % owners.size());
            narrowed.get(n).get(o).put(name, previous.get(o).states().get(name));
        }
    }

    private static int firstOwner(List<OperatorStateHandle> previous, String name) {
        for (int o = 0; o < previous.size(); o++) {
            OperatorStateHandle h = previous.get(o);
            if (h != null && h.states().containsKey(name)) {
                return o;
            }
        }
        throw new IllegalStateException("no subtask holds '" + name + "'");
    }

    private static boolean holds(List<Map<String, StateMetaInfo>> perOld, String name) {
        for (Map<String, StateMetaInfo> m : perOld) {
            if (m.containsKey(name)) {
                return true;
            }
        }
        return false;
    }
}
