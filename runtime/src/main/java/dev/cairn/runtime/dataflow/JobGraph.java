package dev.cairn.runtime.dataflow;

import dev.cairn.keygroup.KeyGroups;
import dev.cairn.runtime.dataflow.api.KeySelector;
import dev.cairn.runtime.dataflow.api.ReplayableSource;
import dev.cairn.runtime.dataflow.api.StreamOperator;
import dev.cairn.serialization.TypeSerializer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * An immutable dataflow: operators (sources, plain and keyed operators, sinks) with their parallelism,
 * connected by edges that say how records are partitioned (forward, rebalance, by key group). Records
 * crossing an edge carry the producer's {@link TypeSerializer}, which unaligned checkpoints use to persist
 * in-flight records. Feedback edges (iterations) can be declared; checkpointing refuses them unless forced.
 * Build one with {@link #builder(String)}.
 */
public final class JobGraph {
    /** How an edge spreads records over the target's subtasks. */
    public enum Partitioning {
        /** Subtask i sends to subtask i; both operators need the same parallelism. */
        FORWARD,
        /** Each producer subtask sends round-robin to all target subtasks. */
        REBALANCE,
        /** Each record goes to the subtask owning its key's key group. */
        KEY_BY
    }

    /** What a node runs. */
    public enum Kind {
        SOURCE, OPERATOR, KEYED
    }

    private final String name;
    private final int maxParallelism;
    private final List<Node> nodes;
    private final Map<String, Node> byId;

    private JobGraph(String name, int maxParallelism, List<Node> nodes) {
        this.name = name;
        this.maxParallelism = maxParallelism;
        this.nodes = List.copyOf(nodes);
        Map<String, Node> map = new LinkedHashMap<>();
        for (Node n : nodes) {
            map.put(n.id, n);
        }
        this.byId = Collections.unmodifiableMap(map);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public int maxParallelism() {
        return maxParallelism;
    }

    /** The nodes in declaration order, which is a topological order of the non-feedback edges. */
    public List<Node> nodes() {
        return nodes;
    }

    public Node node(String id) {
        Node n = byId.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no operator '" + id + "' in job graph " + name);
        }
        return n;
    }

    /** Whether the graph has a cycle through a feedback edge. */
    public boolean hasFeedbackEdge() {
        for (Node n : nodes) {
            for (Edge e : n.inputs) {
                if (e.feedback) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One operator of the graph. */
    public static final class Node {
        private final String id;
        private final Kind kind;
        private final int parallelism;
        private final ReplayableSource<?> source;
        private final Supplier<? extends StreamOperator<?, ?>> operator;
        private final TypeSerializer<?> outputSerializer;
        private final TypeSerializer<?> keySerializer;
        private final List<Edge> inputs = new ArrayList<>();
        private final List<Edge> outputs = new ArrayList<>();

        private Node(String id, Kind kind, int parallelism, ReplayableSource<?> source,
                Supplier<? extends StreamOperator<?, ?>> operator, TypeSerializer<?> outputSerializer,
                TypeSerializer<?> keySerializer) {
            this.id = id;
            this.kind = kind;
            this.parallelism = parallelism;
            this.source = source;
            this.operator = operator;
            this.outputSerializer = outputSerializer;
            this.keySerializer = keySerializer;
        }

        public String id() {
            return id;
        }

        public Kind kind() {
            return kind;
        }

        public int parallelism() {
            return parallelism;
        }

        /** The source (only for {@link Kind#SOURCE}). */
        public ReplayableSource<?> source() {
            return source;
        }

        /** Creates one operator instance per subtask and attempt (not for sources). */
        public Supplier<? extends StreamOperator<?, ?>> operatorFactory() {
            return operator;
        }

        /** Serializer of the records this node emits; {@code null} for a sink. */
        public TypeSerializer<?> outputSerializer() {
            return outputSerializer;
        }

        /** Serializer of the keys of a keyed node, else {@code null}. */
        public TypeSerializer<?> keySerializer() {
            return keySerializer;
        }

        public List<Edge> inputs() {
            return Collections.unmodifiableList(inputs);
        }

        public List<Edge> outputs() {
            return Collections.unmodifiableList(outputs);
        }

        @Override
        public String toString() {
            return kind + " " + id + " (parallelism " + parallelism + ")";
        }
    }

    /** A connection between two nodes. */
    public static final class Edge {
        private final Node source;
        private final Node target;
        private final Partitioning partitioning;
        private final KeySelector<?, ?> keySelector;
        private final boolean feedback;

        private Edge(Node source, Node target, Partitioning partitioning, KeySelector<?, ?> keySelector,
                boolean feedback) {
            this.source = source;
            this.target = target;
            this.partitioning = partitioning;
            this.keySelector = keySelector;
            this.feedback = feedback;
        }

        public Node source() {
            return source;
        }

        public Node target() {
            return target;
        }

        public Partitioning partitioning() {
            return partitioning;
        }

        /** The key selector of a {@link Partitioning#KEY_BY} edge, else {@code null}. */
        public KeySelector<?, ?> keySelector() {
            return keySelector;
        }

        /** Whether this edge closes a loop (an iteration); records on it carry no checkpoint guarantee. */
        public boolean isFeedback() {
            return feedback;
        }

        /** Serializer of the records crossing this edge. */
        public TypeSerializer<?> serializer() {
            return source.outputSerializer;
        }

        @Override
        public String toString() {
            return source.id + " -" + partitioning + (feedback ? " (feedback)" : "") + "-> " + target.id;
        }
    }

    /** Declares the graph; each method adds a node or an edge, {@link #build()} validates. */
    public static final class Builder {
        private final String name;
        private int maxParallelism = KeyGroups.DEFAULT_MAX_PARALLELISM;
        private final List<Node> nodes = new ArrayList<>();
        private boolean built;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** The number of key groups of every keyed operator; fixed for the life of the job's checkpoints. */
        public Builder maxParallelism(int maxParallelism) {
            KeyGroups.checkParallelism(maxParallelism, 1);
            this.maxParallelism = maxParallelism;
            return this;
        }

        public <T> DataStream<T> source(String id, int parallelism, ReplayableSource<T> source,
                TypeSerializer<T> serializer) {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(serializer, "serializer");
            Node n = add(new Node(id, Kind.SOURCE, parallelism, source, null, serializer, null));
            return new DataStream<>(this, n, null, null);
        }

        /** The graph; the builder cannot be used afterwards. */
        public JobGraph build() {
            if (built) {
                throw new IllegalStateException("job graph " + name + " was already built");
            }
            if (nodes.isEmpty()) {
                throw new IllegalArgumentException("job graph " + name + " has no operators");
            }
            for (Node n : nodes) {
                KeyGroups.checkParallelism(maxParallelism, n.parallelism);
                if (n.kind == Kind.SOURCE && !n.inputs.isEmpty()) {
                    boolean onlyFeedback = n.inputs.stream().allMatch(e -> e.feedback);
                    if (!onlyFeedback) {
                        throw new IllegalArgumentException("source " + n.id + " cannot have inputs");
                    }
                }
                for (Edge e : n.inputs) {
                    if (e.partitioning == Partitioning.FORWARD && e.source.parallelism != n.parallelism) {
                        throw new IllegalArgumentException("forward edge " + e + " connects parallelism "
                                + e.source.parallelism + " to " + n.parallelism + "; use rebalance() or keyBy()");
                    }
                    if (n.kind == Kind.KEYED && e.partitioning != Partitioning.KEY_BY) {
                        throw new IllegalArgumentException("keyed operator " + n.id + " has a non-keyed input " + e);
                    }
                }
            }
            built = true;
            return new JobGraph(name, maxParallelism, nodes);
        }

        private Node add(Node n) {
            if (built) {
                throw new IllegalStateException("job graph " + name + " was already built");
            }
            Objects.requireNonNull(n.id, "id");
            if (n.id.isEmpty() || n.id.contains("/") || n.id.contains("#")) {
                throw new IllegalArgumentException("operator id '" + n.id + "' must be non-empty without '/' or '#'");
            }
            for (Node other : nodes) {
                if (other.id.equals(n.id)) {
                    throw new IllegalArgumentException("operator id '" + n.id + "' is used twice");
                }
            }
            if (n.parallelism < 1) {
                throw new IllegalArgumentException("parallelism of " + n.id + " must be at least 1: " + n.parallelism);
            }
            nodes.add(n);
            return n;
        }

        private Node find(String id) {
            for (Node n : nodes) {
                if (n.id.equals(id)) {
                    return n;
                }
            }
            throw new IllegalArgumentException("no operator '" + id + "' declared yet");
        }

        private static void connect(Node from, Node to, Partitioning p, KeySelector<?, ?> key, boolean feedback) {
            Edge e = new Edge(from, to, p, key, feedback);
            from.outputs.add(e);
            to.inputs.add(e);
        }
    }

    /**
     * The records a node emits, with how the next operator receives them (forward when parallelisms
     * match and nothing else was chosen, else rebalance).
     */
    public static class DataStream<T> {
        final Builder builder;
        final Node producer;
        final Partitioning partitioning;
        final KeySelector<T, ?> keySelector;

        DataStream(Builder builder, Node producer, Partitioning partitioning, KeySelector<T, ?> keySelector) {
            this.builder = builder;
            this.producer = producer;
            this.partitioning = partitioning;
            this.keySelector = keySelector;
        }

        public DataStream<T> rebalance() {
            return new DataStream<>(builder, producer, Partitioning.REBALANCE, null);
        }

        public DataStream<T> forward() {
            return new DataStream<>(builder, producer, Partitioning.FORWARD, null);
        }

        /** Partitions by key group of {@code key}; the returned stream feeds keyed operators. */
        public <K> KeyedStream<K, T> keyBy(KeySelector<T, K> key, TypeSerializer<K> keySerializer) {
            return new KeyedStream<>(builder, producer, key, keySerializer);
        }

        /** Adds a (non-keyed) operator consuming this stream. */
        public <R> DataStream<R> process(String id, int parallelism, Supplier<? extends StreamOperator<T, R>> operator,
                TypeSerializer<R> outputSerializer) {
            Objects.requireNonNull(operator, "operator");
            Objects.requireNonNull(outputSerializer, "outputSerializer");
            Node n = builder.add(new Node(id, Kind.OPERATOR, parallelism, null, operator, outputSerializer, null));
            Builder.connect(producer, n, effective(n), keySelector, false);
            return new DataStream<>(builder, n, null, null);
        }

        /** Adds a sink: an operator without output. */
        public void sink(String id, int parallelism, Supplier<? extends StreamOperator<T, Void>> sink) {
            Objects.requireNonNull(sink, "sink");
            Node n = builder.add(new Node(id, Kind.OPERATOR, parallelism, null, sink, null, null));
            Builder.connect(producer, n, effective(n), keySelector, false);
        }

        /**
         * Sends this stream back to the earlier operator {@code headId}, closing a loop. Records on a
         * feedback edge are not covered by checkpoints (they are lost on failure), which is why
         * checkpointing refuses such a graph unless forced.
         */
        public void feedbackTo(String headId) {
            Node head = builder.find(headId);
            if (head == producer) {
                throw new IllegalArgumentException("operator " + headId + " cannot feed back to itself");
            }
            Partitioning p = effective(head);
            if (head.kind == Kind.KEYED && p != Partitioning.KEY_BY) {
                throw new IllegalArgumentException("feedback into keyed operator " + headId + " must be keyed");
            }
            if (head.kind == Kind.SOURCE) {
                throw new IllegalArgumentException("feedback into source " + headId + " is not supported");
            }
            Builder.connect(producer, head, p, keySelector, true);
        }

        private Partitioning effective(Node target) {
            if (partitioning != null) {
                return partitioning;
            }
            return producer.parallelism == target.parallelism ? Partitioning.FORWARD : Partitioning.REBALANCE;
        }
    }

    /** A stream partitioned by key; operators consuming it are keyed and get keyed state. */
    public static final class KeyedStream<K, T> extends DataStream<T> {
        private final TypeSerializer<K> keySerializer;

        KeyedStream(Builder builder, Node producer, KeySelector<T, K> key, TypeSerializer<K> keySerializer) {
            super(builder, producer, Partitioning.KEY_BY, Objects.requireNonNull(key, "key"));
            this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer");
        }

        /** Adds a keyed operator: its subtask owns the key groups of its range and keyed state for them. */
        @Override
        public <R> DataStream<R> process(String id, int parallelism, Supplier<? extends StreamOperator<T, R>> operator,
                TypeSerializer<R> outputSerializer) {
            Objects.requireNonNull(operator, "operator");
            Objects.requireNonNull(outputSerializer, "outputSerializer");
            Node n = builder.add(new Node(id, Kind.KEYED, parallelism, null, operator, outputSerializer,
                    keySerializer));
            Builder.connect(producer, n, Partitioning.KEY_BY, keySelector, false);
            return new DataStream<>(builder, n, null, null);
        }

        /** Adds a keyed sink. */
        @Override
        public void sink(String id, int parallelism, Supplier<? extends StreamOperator<T, Void>> sink) {
            Objects.requireNonNull(sink, "sink");
            Node n = builder.add(new Node(id, Kind.KEYED, parallelism, null, sink, null, keySerializer));
            Builder.connect(producer, n, Partitioning.KEY_BY, keySelector, false);
        }
    }
}
