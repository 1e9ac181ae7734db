package dev.cairn.runtime.dataflow;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.OperatorBackendParameters;
import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CheckpointException;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.runtime.coordinator.AlignmentType;
import dev.cairn.runtime.coordinator.CheckpointBarrier;
import dev.cairn.runtime.coordinator.SubtaskId;
import dev.cairn.runtime.coordinator.TaskCheckpointMetrics;
import dev.cairn.runtime.dataflow.api.KeySelector;
import dev.cairn.runtime.dataflow.api.OperatorContext;
import dev.cairn.runtime.dataflow.api.Output;
import dev.cairn.runtime.dataflow.api.StreamOperator;
import dev.cairn.runtime.storage.InlineStreamFactory;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.ListState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One operator subtask on its own thread. It restores its state (and replays persisted in-flight records),
 * then loops: handle mail (checkpoint triggers and notifications), take the next input only when every
 * output channel has room (so backpressure propagates), and treat barriers as the checkpoint mode asks:
 * aligned (block channels that delivered the barrier until all did), unaligned (snapshot at the first
 * barrier, let the barrier overtake queued output and persist the overtaken records), or at-least-once
 * (never block, snapshot at the last barrier). At the end of input it calls {@code finish()}, waits for a
 * checkpoint taken afterwards to complete when one is expected, and ends its output.
 */
final class StreamTask implements Runnable {
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    final Execution execution;
    final JobGraph.Node node;
    final int index;
    final SubtaskId id;
    final Waker waker = new Waker();
    final List<InputChannel> inputs = new ArrayList<>();
    final List<OutputEdge> outputs = new ArrayList<>();
    private final TaskRestore restore;
    private final ConcurrentLinkedQueue<Object> mailbox = new ConcurrentLinkedQueue<>();

    volatile boolean cancelled;
    /** The newest checkpoint this task snapshotted; read by the execution when the task finished. */
    volatile long lastSnapshotted = -1;
    /** Set by the execution (under its lock) once the task ended and emitted end of partition. */
    boolean finished;
    /** The id up to which the execution acknowledged for this finished task. */
    long acknowledgedWhileFinished = -1;

    private StreamOperator<Object, Object> operator;
    private TrackingOperatorStateBackend operatorBackend;
    private KeyedStateBackend<Object> keyedBackend;
    private SourceReader source;
    private final Output<Object> output = this::emit;
    private long records;
    private int nextInput;
    /** Whether restored channel state left an (emptied) entry in the operator backend that snapshots must drop. */
    private boolean dropChannelStateEntry;

    private boolean endOfData;
    private long firstCheckpointAfterEndOfData = -1;
    private boolean mayFinish;

    private PendingCheckpoint aligning;
    private final TreeMap<Long, PendingCheckpoint> tracking = new TreeMap<>();

    StreamTask(Execution execution, JobGraph.Node node, int index, TaskRestore restore) {
        this.execution = execution;
        this.node = node;
        this.index = index;
        this.id = new SubtaskId(node.id(), index);
        this.restore = restore;
    }

    /** An input channel with its position in the task's barrier alignment. */
    static final class InputChannel {
        final Channel channel;
        final JobGraph.Edge edge;
        final int edgeIndex;
        final boolean feedback;
        boolean endOfData;
        boolean ended;
        boolean blocked;
        PendingCheckpoint capturingFor;

        InputChannel(Channel channel, JobGraph.Edge edge, int edgeIndex) {
            this.channel = channel;
            this.edge = edge;
            this.edgeIndex = edgeIndex;
            this.feedback = edge.isFeedback();
        }
    }

    /** The channels of one output edge and how records are routed over them. */
    static final class OutputEdge {
        final JobGraph.Edge edge;
        final List<Channel> channels;
        final boolean feedback;
        @SuppressWarnings("rawtypes")
        final KeySelector keySelector;
        final int maxParallelism;
        private int roundRobin;

        OutputEdge(JobGraph.Edge edge, List<Channel> channels, int maxParallelism, int startIndex) {
            this.edge = edge;
            this.channels = List.copyOf(channels);
            this.feedback = edge.isFeedback();
            this.keySelector = edge.keySelector();
            this.maxParallelism = maxParallelism;
            this.roundRobin = startIndex;
        }

        @SuppressWarnings("unchecked")
        Channel select(Object record) {
            return switch (edge.partitioning()) {
                case FORWARD -> channels.get(0);
                case REBALANCE -> channels.get(Math.floorMod(roundRobin++, channels.size()));
                case KEY_BY -> channels.get(KeyGroups.subtaskForKey(keySelector.key(record), maxParallelism,
                        channels.size()));
            };
        }
    }

    /** A checkpoint this task is aligning, tracking, or collecting channel state for. */
    static final class PendingCheckpoint {
        final long checkpointId;
        CheckpointBarrier barrier;
        final boolean[] received;
        final long firstBarrierNanos = System.nanoTime();
        boolean snapshotTaken;
        final List<byte[]> inputState = new ArrayList<>();
        CompletableFuture<List<byte[]>> channelStateDone;

        PendingCheckpoint(CheckpointBarrier barrier, int inputs) {
            this.checkpointId = barrier.checkpointId();
            this.barrier = barrier;
            this.received = new boolean[inputs];
        }
    }

    private record TriggerMail(CheckpointBarrier barrier) {
    }

    private record CompleteMail(long checkpointId) {
    }

    private record AbortMail(long checkpointId) {
    }

    /** Thrown into a snapshot whose checkpoint this task gave up because a newer one overtook it. */
    private static final class Superseded extends CheckpointException {
        Superseded(long id, String reason) {
            super("checkpoint " + id + " " + reason);
        }
    }

    void trigger(CheckpointBarrier barrier) {
        mail(new TriggerMail(barrier));
    }

    void notifyComplete(long checkpointId) {
        mail(new CompleteMail(checkpointId));
    }

    void notifyAborted(long checkpointId) {
        mail(new AbortMail(checkpointId));
    }

    private void mail(Object m) {
        mailbox.add(m);
        waker.wake();
    }

    /** A one-line account of where the task stands, for diagnostics (read racily from another thread). */
    String describe() {
        StringBuilder sb = new StringBuilder(id.toString());
        sb.append(finished ? " finished" : endOfData ? " end-of-data" : " running");
        sb.append(", snapshotted ").append(lastSnapshotted).append(", records ").append(records);
        PendingCheckpoint p = aligning;
        if (p != null) {
            sb.append(", aligning ").append(p.checkpointId).append(p.snapshotTaken ? " (snapshot taken)" : "");
        }
        sb.append(", inputs [");
        for (int i = 0; i < inputs.size(); i++) {
            InputChannel in = inputs.get(i);
            sb.append(i == 0 ? "" : " ").append(in.channel.queuedRecords())
                    .append(in.ended ? "E" : in.endOfData ? "D" : "")
                    .append(in.blocked ? "B" : "").append(p != null && p.received[i] ? "R" : "");
        }
        return sb.append("], mail ").append(mailbox.size()).toString();
    }

    boolean usesUnionState() {
        TrackingOperatorStateBackend b = operatorBackend;
        return b != null && b.usesUnionState();
    }

    @Override
    public void run() {
        Throwable failure = null;
        try {
            setUp();
            if (node.kind() == JobGraph.Kind.SOURCE) {
                runSource();
            } else {
                runOperator();
            }
            if (!cancelled) {
                broadcastEvent(ChannelEvent.END_OF_PARTITION);
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            failure = tearDown(failure);
        }
        if (cancelled) {
            return;
        }
        if (failure != null) {
            execution.taskFailed(this, failure);
        } else {
            execution.taskFinished(this);
        }
    }

    @SuppressWarnings("unchecked")
    private void setUp() throws Exception {
        var backend = execution.stateBackend();
        operatorBackend = new TrackingOperatorStateBackend(backend.createOperatorBackend(
                new OperatorBackendParameters(node.id(), index, execution.handleReader()), restore.operatorState()));
        if (node.kind() == JobGraph.Kind.KEYED) {
            Path dir = execution.localDirectory().resolve(node.id() + "-" + index);
            Files.createDirectories(dir);
            keyedBackend = backend.createKeyedBackend(new KeyedBackendParameters<>(node.id(),
                    (TypeSerializer<Object>) node.keySerializer(), execution.maxParallelism(), restore.keyGroupRange(),
                    dir, execution.handleReader()), restore.keyedState());
        }
        List<Object[]> inputReplay = new ArrayList<>();
        List<Object[]> outputReplay = new ArrayList<>();
        restoreChannelState(inputReplay, outputReplay);
        if (node.kind() == JobGraph.Kind.SOURCE) {
            source = new SourceReader(node.source(), operatorBackend.delegate(), execution.isRestored(node), index,
                    node.parallelism(), node.id());
        } else {
            operator = (StreamOperator<Object, Object>) node.operatorFactory().get();
            operator.open(new Context());
        }
        for (Object[] r : outputReplay) {
            OutputEdge o = outputs.get((Integer) r[0]);
            o.select(r[1]).push(r[1]);
        }
        for (Object[] r : inputReplay) {
            processRecord(node.inputs().get((Integer) r[0]), r[1]);
        }
    }

    private void restoreChannelState(List<Object[]> inputReplay, List<Object[]> outputReplay) {
        if (!operatorBackend.stateNames().contains(ChannelState.STATE_NAME)) {
            return;
        }
        dropChannelStateEntry = true;
        ListState<byte[]> state = operatorBackend.delegate().getUnionListState(ChannelState.DESCRIPTOR);
        List<byte[]> elements = new ArrayList<>();
        state.get().forEach(elements::add);
        state.update(List.of());
        Map<Long, Integer> counters = new java.util.HashMap<>();
        for (byte[] bytes : elements) {
            ChannelState.Element e = ChannelState.decode(bytes, node.id(), node.inputs().size(),
                    node.outputs().size());
            long counterKey = ((long) e.kind() << 32) | e.edgeIndex();
            int position = counters.merge(counterKey, 1, Integer::sum) - 1;
            if (e.kind() == ChannelState.INPUT) {
                JobGraph.Edge edge = node.inputs().get(e.edgeIndex());
                Object record = ChannelState.deserialize(e, edge.serializer(), node.id());
                int owner = edge.partitioning() == JobGraph.Partitioning.KEY_BY
                        ? KeyGroups.subtaskForKey(keyOf(edge, record), execution.maxParallelism(), node.parallelism())
                        : position % node.parallelism();
                if (owner == index) {
                    inputReplay.add(new Object[] {e.edgeIndex(), record});
                }
            } else {
                JobGraph.Edge edge = node.outputs().get(e.edgeIndex());
                Object record = ChannelState.deserialize(e, edge.serializer(), node.id());
                if (position % node.parallelism() == index) {
                    outputReplay.add(new Object[] {e.edgeIndex(), record});
                }
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object keyOf(JobGraph.Edge edge, Object record) {
        return ((KeySelector) edge.keySelector()).key(record);
    }

    private Throwable tearDown(Throwable failure) {
        Throwable result = failure;
        try {
            if (operator != null) {
                operator.close();
            }
        } catch (Throwable t) {
            result = addSuppressed(result, t);
        }
        try {
            if (keyedBackend != null) {
                keyedBackend.close();
            }
        } catch (Throwable t) {
            result = addSuppressed(result, t);
        }
        try {
            if (operatorBackend != null) {
                operatorBackend.close();
            }
        } catch (Throwable t) {
            result = addSuppressed(result, t);
        }
        PendingCheckpoint p = aligning;
        if (p != null && p.channelStateDone != null) {
            p.channelStateDone.completeExceptionally(new Superseded(p.checkpointId, "was abandoned: the task ended"));
        }
        return result;
    }

    private static Throwable addSuppressed(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private void runSource() throws Exception {
        while (!cancelled) {
            processMail();
            if (mayFinish) {
                return;
            }
            if (!endOfData && outputAvailable()) {
                Object record = source.next();
                if (record == null) {
                    endOfInput();
                } else {
                    execution.beforeRecord(this, ++records);
                    emit(record);
                }
                continue;
            }
            waker.await(IDLE_WAIT_NANOS);
        }
    }

    private void runOperator() throws Exception {
        while (!cancelled) {
            processMail();
            checkAlignmentTimeout();
            if (mayFinish) {
                return;
            }
            if (handlePriorityBarrier()) {
                continue;
            }
            if (outputAvailable() && pollInput()) {
                continue;
            }
            waker.await(waitNanos());
        }
    }

    private long waitNanos() {
        PendingCheckpoint p = aligning;
        if (p != null && !p.snapshotTaken && p.barrier.options().isTimeoutable()) {
            long left = deadlineMillis(p.barrier) - System.currentTimeMillis();
            return Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(IDLE_WAIT_NANOS,
                    TimeUnit.MILLISECONDS.toNanos(left)));
        }
        return IDLE_WAIT_NANOS;
    }

    private static long deadlineMillis(CheckpointBarrier b) {
        return b.triggerTimestamp() + b.options().alignedTimeoutMillis();
    }

    private void processMail() {
        Object m;
        while ((m = mailbox.poll()) != null) {
            if (m instanceof TriggerMail t) {
                onBarrier(-1, t.barrier());
            } else if (m instanceof CompleteMail c) {
                onComplete(c.checkpointId());
            } else if (m instanceof AbortMail a) {
                onAborted(a.checkpointId());
            }
        }
    }

    private void onComplete(long checkpointId) {
        if (operator != null) {
            operator.notifyCheckpointComplete(checkpointId);
        }
        operatorBackend.notifyCheckpointComplete(checkpointId);
        if (keyedBackend != null) {
            keyedBackend.notifyCheckpointComplete(checkpointId);
        }
        if (endOfData && firstCheckpointAfterEndOfData >= 0 && checkpointId >= firstCheckpointAfterEndOfData) {
            mayFinish = true;
        }
    }

    private void onAborted(long checkpointId) {
        if (operator != null) {
            operator.notifyCheckpointAborted(checkpointId);
        }
        operatorBackend.notifyCheckpointAborted(checkpointId);
        if (keyedBackend != null) {
            keyedBackend.notifyCheckpointAborted(checkpointId);
        }
        if (aligning != null && aligning.checkpointId == checkpointId) {
            abandon(aligning, "was aborted");
        }
        tracking.remove(checkpointId);
    }

    private boolean handlePriorityBarrier() {
        for (int i = 0; i < inputs.size(); i++) {
            InputChannel in = inputs.get(i);
            if (in.ended || in.blocked) {
                continue;
            }
            if (in.channel.peek() instanceof CheckpointBarrier b && b.options().alignment() == AlignmentType.UNALIGNED) {
                in.channel.poll();
                onBarrier(i, b);
                return true;
            }
        }
        return false;
    }

    private boolean pollInput() throws Exception {
        int n = inputs.size();
        for (int k = 0; k < n; k++) {
            int i = (nextInput + k) % n;
            InputChannel in = inputs.get(i);
            if (in.ended || in.blocked) {
                continue;
            }
            Object element = in.channel.poll();
            if (element == null) {
                continue;
            }
            nextInput = (i + 1) % n;
            if (element instanceof CheckpointBarrier b) {
                if (!in.feedback) {
                    onBarrier(i, b);
                }
            } else if (element == ChannelEvent.END_OF_DATA) {
                in.endOfData = true;
                in.capturingFor = null;
                recheckAlignment();
                maybeEndOfInput();
            } else if (element == ChannelEvent.END_OF_PARTITION) {
                in.endOfData = true;
                in.ended = true;
                in.capturingFor = null;
                recheckAlignment();
                maybeEndOfInput();
            } else {
                onRecord(in, element);
            }
            return true;
        }
        return false;
    }

    private void onRecord(InputChannel in, Object record) throws Exception {
        if (in.feedback && endOfData) {
            return;
        }
        PendingCheckpoint capture = in.capturingFor;
        if (capture != null) {
            capture.inputState.add(ChannelState.encode(ChannelState.INPUT, in.edgeIndex, in.edge.serializer(), record));
        }
        execution.beforeRecord(this, ++records);
        processRecord(in.edge, record);
    }

    private void processRecord(JobGraph.Edge edge, Object record) {
        if (keyedBackend != null) {
            keyedBackend.setCurrentKey(keyOf(edge, record));
        }
        operator.processElement(record, output);
        execution.recordProcessed(node);
    }

    private void emit(Object record) {
        for (OutputEdge o : outputs) {
            o.select(record).push(record);
        }
        if (source != null) {
            execution.recordProcessed(node);
        }
    }

    private boolean outputAvailable() {
        for (OutputEdge o : outputs) {
            if (o.feedback) {
                continue;
            }
            for (Channel c : o.channels) {
                if (!c.hasCapacity()) {
                    return false;
                }
            }
        }
        return true;
    }

    private void broadcastEvent(ChannelEvent event) {
        for (OutputEdge o : outputs) {
            if (o.feedback) {
                continue;
            }
            for (Channel c : o.channels) {
                c.push(event);
            }
        }
    }

    private void maybeEndOfInput() {
        if (endOfData) {
            return;
        }
        for (InputChannel in : inputs) {
            if (!in.feedback && !in.endOfData) {
                return;
            }
        }
        endOfInput();
    }

    private void endOfInput() {
        if (operator != null) {
            operator.finish(output);
        }
        endOfData = true;
        broadcastEvent(ChannelEvent.END_OF_DATA);
        execution.endOfData(this);
        if (!execution.finalCheckpointExpected()) {
            mayFinish = true;
        }
    }

    // ---- barriers ------------------------------------------------------------------------------------------

    private boolean isAlignedInput(int i) {
        return !inputs.get(i).feedback;
    }

    private void onBarrier(int channel, CheckpointBarrier barrier) {
        long cid = barrier.checkpointId();
        if (barrier.options().alignment() == AlignmentType.AT_LEAST_ONCE) {
            onTrackedBarrier(channel, barrier);
            return;
        }
        PendingCheckpoint p = aligning;
        if (p != null && cid < p.checkpointId) {
            return;
        }
        if (p == null && cid <= lastSnapshotted) {
            return;
        }
        if (p != null && cid > p.checkpointId) {
            abandon(p, "was overtaken by checkpoint " + cid);
            p = null;
        }
        if (p == null) {
            p = new PendingCheckpoint(barrier, inputs.size());
            aligning = p;
        }
        if (channel >= 0) {
            p.received[channel] = true;
            inputs.get(channel).capturingFor = null;
        }
        if (!p.snapshotTaken) {
            boolean unaligned = barrier.options().alignment() == AlignmentType.UNALIGNED
                    || (barrier.options().isTimeoutable() && System.currentTimeMillis() >= deadlineMillis(barrier));
            if (unaligned) {
                startUnaligned(p);
            } else if (channel >= 0) {
                inputs.get(channel).blocked = true;
            }
        }
        completeIfAligned(p);
    }

    private void checkAlignmentTimeout() {
        PendingCheckpoint p = aligning;
        if (p != null && !p.snapshotTaken && p.barrier.options().isTimeoutable()
                && System.currentTimeMillis() >= deadlineMillis(p.barrier)) {
            startUnaligned(p);
            completeIfAligned(p);
        }
    }

    private void startUnaligned(PendingCheckpoint p) {
        if (p.barrier.options().alignment() != AlignmentType.UNALIGNED) {
            p.barrier = p.barrier.asUnaligned();
        }
        for (int i = 0; i < inputs.size(); i++) {
            InputChannel in = inputs.get(i);
            in.blocked = false;
            if (isAlignedInput(i) && !p.received[i] && !in.endOfData) {
                in.capturingFor = p;
            }
        }
        p.channelStateDone = new CompletableFuture<>();
        snapshot(p.barrier, true, p);
    }

    private void completeIfAligned(PendingCheckpoint p) {
        for (int i = 0; i < inputs.size(); i++) {
            if (isAlignedInput(i) && !p.received[i] && !inputs.get(i).endOfData) {
                return;
            }
        }
        for (InputChannel in : inputs) {
            in.blocked = false;
            in.capturingFor = null;
        }
        aligning = null;
        if (p.snapshotTaken) {
            p.channelStateDone.complete(List.copyOf(p.inputState));
        } else {
            snapshot(p.barrier, false, p);
        }
    }

    private void abandon(PendingCheckpoint p, String reason) {
        for (InputChannel in : inputs) {
            in.blocked = false;
            in.capturingFor = null;
        }
        if (p.channelStateDone != null) {
            p.channelStateDone.completeExceptionally(new Superseded(p.checkpointId, reason));
        }
        if (aligning == p) {
            aligning = null;
        }
    }

    private void onTrackedBarrier(int channel, CheckpointBarrier barrier) {
        long cid = barrier.checkpointId();
        if (cid <= lastSnapshotted) {
            return;
        }
        PendingCheckpoint p = tracking.computeIfAbsent(cid, k -> new PendingCheckpoint(barrier, inputs.size()));
        if (channel >= 0) {
            p.received[channel] = true;
        }
        completeIfTracked(p);
    }

    private void completeIfTracked(PendingCheckpoint p) {
        for (int i = 0; i < inputs.size(); i++) {
            if (isAlignedInput(i) && !p.received[i] && !inputs.get(i).endOfData) {
                return;
            }
        }
        tracking.headMap(p.checkpointId, true).clear();
        snapshot(p.barrier, false, p);
    }

    /**
     * A channel that delivered end of data sends no more records, so it no longer holds back an alignment:
     * everything it carried was processed before the snapshot (or persisted as channel state).
     */
    private void recheckAlignment() {
        if (aligning != null) {
            completeIfAligned(aligning);
        }
        for (PendingCheckpoint p : new ArrayList<>(tracking.values())) {
            if (tracking.containsKey(p.checkpointId)) {
                completeIfTracked(p);
            }
        }
    }

    // ---- snapshots -----------------------------------------------------------------------------------------

    private void snapshot(CheckpointBarrier barrier, boolean unaligned, PendingCheckpoint p) {
        long start = System.nanoTime();
        long cid = barrier.checkpointId();
        p.snapshotTaken = true;
        lastSnapshotted = cid;
        if (endOfData && firstCheckpointAfterEndOfData < 0) {
            firstCheckpointAfterEndOfData = cid;
        }
        if (source != null) {
            source.snapshot();
        }
        if (operator != null) {
            operator.snapshotState(cid);
        }
        SnapshotType type = barrier.options().snapshotType();
        CheckpointStreamFactory streams = barrier.streams().forSubtask(node.id(), index);
        RunnableFuture<KeyedStateHandle> keyed = keyedBackend == null ? null : keyedBackend.snapshot(cid, type, streams);
        boolean rewrite = unaligned || dropChannelStateEntry;
        RunnableFuture<OperatorStateHandle> operatorState = operatorBackend.snapshot(cid, type,
                rewrite ? InlineStreamFactory.INSTANCE : streams);
        List<byte[]> outputState = forwardBarrier(barrier, unaligned);
        long alignmentMillis = TimeUnit.NANOSECONDS.toMillis(start - p.firstBarrierNanos);
        long syncMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        CompletableFuture<List<byte[]>> channelDone = unaligned ? p.channelStateDone
                : CompletableFuture.completedFuture(List.of());
        execution.runAsync(this, cid, () -> {
            long asyncStart = System.nanoTime();
            if (keyed != null) {
                keyed.run();
            }
            if (operatorState != null) {
                operatorState.run();
            }
            return asyncStart;
        }, channelDone, (asyncStart, inputState) -> {
            KeyedStateHandle keyedHandle = keyed == null ? null : get(keyed);
            OperatorStateHandle operatorHandle = operatorState == null ? null : get(operatorState);
            if (rewrite) {
                List<byte[]> all = new ArrayList<>(outputState);
                all.addAll(inputState);
                operatorHandle = ChannelState.combine(operatorHandle, all, streams, node.id());
            }
            long stateSize = 0;
            long persisted = 0;
            if (keyedHandle != null) {
                stateSize += keyedHandle.stateSize();
                persisted += keyedHandle.checkpointedSize();
            }
            if (operatorHandle != null) {
                stateSize += operatorHandle.stateSize();
                persisted += operatorHandle.stateSize();
            }
            SubtaskSnapshot snapshot = new SubtaskSnapshot(index,
                    keyedHandle == null ? List.of() : List.of(keyedHandle),
                    operatorHandle == null ? List.of() : List.of(operatorHandle), false);
            long asyncMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asyncStart);
            return new Ack(snapshot, new TaskCheckpointMetrics(syncMillis, asyncMillis, alignmentMillis, stateSize,
                    persisted, unaligned));
        });
    }

    /** What the asynchronous phase acknowledges. */
    record Ack(SubtaskSnapshot snapshot, TaskCheckpointMetrics metrics) {
    }

    /** Whether a failure of an asynchronous phase means this task gave the checkpoint up (not a decline). */
    static boolean isSuperseded(Throwable t) {
        Throwable c = t;
        while (c instanceof CompletionException || c instanceof ExecutionException) {
            c = c.getCause();
        }
        return c instanceof Superseded;
    }

    private static <H> H get(RunnableFuture<H> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointException("interrupted while taking a snapshot", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new CheckpointException("the asynchronous phase of a snapshot failed", cause);
        }
    }

    private List<byte[]> forwardBarrier(CheckpointBarrier barrier, boolean unaligned) {
        List<byte[]> state = new ArrayList<>();
        for (int e = 0; e < outputs.size(); e++) {
            OutputEdge o = outputs.get(e);
            if (o.feedback) {
                continue;
            }
            for (Channel c : o.channels) {
                if (unaligned) {
                    for (Object r : c.pushPriority(barrier)) {
                        state.add(ChannelState.encode(ChannelState.OUTPUT, e, o.edge.serializer(), r));
                    }
                } else {
                    c.push(barrier);
                }
            }
        }
        return state;
    }

    // ---- context -------------------------------------------------------------------------------------------

    private final class Context implements OperatorContext {
        @Override
        public String operatorId() {
            return node.id();
        }

        @Override
        public int subtaskIndex() {
            return index;
        }

        @Override
        public int parallelism() {
            return node.parallelism();
        }

        @Override
        public int maxParallelism() {
            return execution.maxParallelism();
        }

        @Override
        public String attemptId() {
            return execution.attemptId();
        }

        @Override
        public dev.cairn.backend.OperatorStateBackend operatorState() {
            return operatorBackend;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <K> KeyedStateBackend<K> keyedState() {
            if (keyedBackend == null) {
                throw new IllegalStateException("operator " + node.id() + " is not keyed; use keyBy() before it");
            }
            return (KeyedStateBackend<K>) keyedBackend;
        }

        @Override
        public OptionalLong restoredCheckpointId() {
            return execution.restoredCheckpointId();
        }

        @Override
        public boolean isRestored() {
            return execution.isRestored(node);
        }

        @Override
        public boolean finalCheckpointExpected() {
            return execution.finalCheckpointExpected();
        }
    }
}
