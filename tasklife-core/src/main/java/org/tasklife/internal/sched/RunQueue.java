package org.tasklife.internal.sched;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * One CPU's runnable tasks, and the choice of which runs next (the scheduler mode's policy). Not thread-safe: the
 * scheduler calls it under its own lock.
 *
 * <p>Rules, in order:
 * <ol>
 * <li>REAL_TIME before NORMAL before IDLE; within REAL_TIME the lowest priority number first.</li>
 * <li>NORMAL tasks age: a task's effective priority is its priority minus one per
 *     {@link #AGING_DISPATCHES} dispatches of this CPU it has waited, at most {@link #MAX_AGING_BOOST}
 *     (VeridianOS: one per 100 ticks, at most 20). So a waiting NORMAL task reaches the front of its
 *     class after at most {@code 20 × AGING_DISPATCHES} dispatches, whatever arrives after it.</li>
 * <li>Real-time bandwidth (like Linux's {@code sched_rt_runtime_us}): while a NORMAL or IDLE task waits,
 *     at most {@link #RT_BURST} dispatches in a row go to REAL_TIME tasks; the next goes to the best
 *     other task. A steady stream of real-time tasks therefore delays a NORMAL task by at most
 *     {@code RT_BURST} real-time dispatches between its class's turns.</li>
 * <li>Ties: first come, first served.</li>
 * </ol>
 *
 * @param <T> the task type
 */
public final class RunQueue<T> {
    /** Dispatches a NORMAL task waits per point of aging boost. */
    public static final int AGING_DISPATCHES = 4;
    /** The largest aging boost. */
    public static final int MAX_AGING_BOOST = 20;
    /** The most dispatches in a row real-time tasks get while another task waits. */
    public static final int RT_BURST = 19;

    private static final int NORMAL_LOW = 31;
    private static final int NORMAL_HIGH = 80;

    private record Entry<T>(T task, int priority, long enqueuedAt, long seq) {}

    private final List<ArrayDeque<Entry<T>>> realTime = new ArrayList<>(NORMAL_LOW); // by priority 0..30
    private final List<ArrayDeque<Entry<T>>> normal = new ArrayList<>(NORMAL_HIGH - NORMAL_LOW + 1); // 31..80
    private final ArrayDeque<Entry<T>> idle = new ArrayDeque<>();
    private long added;         // tasks ever added: FIFO order among tasks added between two dispatches
    private long dispatches;    // this CPU's dispatch count: the clock aging is measured in
    private int rtRun;          // real-time dispatches in a row while something else waited
    private volatile int size;  // written under the scheduler's lock; read without it as a hint (safe points)

    /** An empty queue. */
    public RunQueue() {
        for (int i = 0; i < NORMAL_LOW; i++) {
            realTime.add(new ArrayDeque<>());
        }
        for (int i = NORMAL_LOW; i <= NORMAL_HIGH; i++) {
            normal.add(new ArrayDeque<>());
        }
    }

    /** Tasks queued. Exact under the scheduler's lock; without it, a recent value (a hint). */
    public int size() {
        return size;
    }

    /** Queues {@code task} with {@code priority} (0 most urgent). */
    public void add(T task, int priority) {
        Entry<T> e = new Entry<>(task, priority, dispatches, added++);
        switch (PriorityClass.of(priority).schedulingClass()) {
            case REAL_TIME -> realTime.get(priority).addLast(e);
            case NORMAL -> normal.get(priority - NORMAL_LOW).addLast(e);
            case IDLE -> idle.addLast(e);
        }
        size = size + 1;
    }

    /** Removes {@code task} if queued (a task killed or moved while runnable). @return whether it was */
    public boolean remove(T task) {
        for (ArrayDeque<Entry<T>> q : realTime) {
            if (q.removeIf(e -> e.task() == task)) {
                size = size - 1;
                return true;
            }
        }
        for (ArrayDeque<Entry<T>> q : normal) {
            if (q.removeIf(e -> e.task() == task)) {
                size = size - 1;
                return true;
            }
        }
        if (idle.removeIf(e -> e.task() == task)) {
            size = size - 1;
            return true;
        }
        return false;
    }

    /**
     * Whether a queued task should take the CPU from a running task of priority {@code running} at its
     * next safe point, before that task's slice is over (wake-up preemption): a queued task of a more
     * urgent class (REAL_TIME over NORMAL and IDLE, NORMAL over IDLE), or a REAL_TIME task with a lower
     * priority number than a REAL_TIME runner. Within NORMAL, slices and aging decide instead.
     */
    public boolean preempts(int running) {
        SchedulingClass runningClass = PriorityClass.of(running).schedulingClass();
        switch (runningClass) {
            case REAL_TIME -> {
                for (int p = 0; p < running; p++) {
                    if (!realTime.get(p).isEmpty()) {
                        return true;
                    }
                }
                return false;
            }
            case NORMAL -> {
                return firstNonEmpty(realTime) != null;
            }
            default -> {
                return firstNonEmpty(realTime) != null || firstNonEmpty(normal) != null;
            }
        }
    }

    /** The next task to run, removed from the queue; {@code null} if empty. Counts one dispatch. */
    public T next() {
        if (size == 0) {
            return null;
        }
        ArrayDeque<Entry<T>> rt = firstNonEmpty(realTime);
        ArrayDeque<Entry<T>> other = bestNormal();
        if (other == null && !idle.isEmpty()) {
            other = idle;
        }
        ArrayDeque<Entry<T>> pick;
        if (rt != null && (other == null || rtRun < RT_BURST)) {
            pick = rt;
            rtRun = other == null ? 0 : rtRun + 1;
        } else {
            pick = other;
            rtRun = 0;
        }
        dispatches++;
        size = size - 1;
        return pick.pollFirst().task();
    }

    /**
     * Work stealing: removes and returns, among the queued tasks that satisfy {@code allowed}, the one this
     * queue dispatches first in its policy order (rules 1, 2 and 4: REAL_TIME before NORMAL before IDLE,
     * REAL_TIME by priority, NORMAL by aged priority, ties first come first served), or {@code null} if
     * none does. The order is the one {@link #positionOf} reports: real-time bandwidth (rule 3) is left
     * out, as it rations this CPU's own dispatches and a steal is not one. So this neither counts a
     * dispatch (the others' aging is unchanged) nor touches the real-time run.
     */
    public T takeFirstMatching(Predicate<? super T> allowed) {
        ArrayDeque<Entry<T>> bestQueue = null;
        Entry<T> best = null;
        // Scan in class order, and within a class in increasing priority: a later candidate replaces the
        // best only if strictly before it, so ties keep the earlier one, as next() does.
        for (List<ArrayDeque<Entry<T>>> cls : List.of(realTime, normal, List.of(idle))) {
            for (ArrayDeque<Entry<T>> q : cls) {
                for (Entry<T> e : q) {
                    if (allowed.test(e.task())) {
                        if (best == null || comesBefore(e, best)) {
                            best = e;
                            bestQueue = q;
                        }
                        break; // one priority's queue is FIFO: its first match has waited (and aged) the most
                    }
                }
            }
        }
        if (best == null) {
            return null;
        }
        for (Iterator<Entry<T>> it = bestQueue.iterator(); it.hasNext(); ) {
            if (it.next() == best) { // identity: two entries may be equal as records
                it.remove();
                break;
            }
        }
        size = size - 1;
        return best.task();
    }

    private ArrayDeque<Entry<T>> firstNonEmpty(List<ArrayDeque<Entry<T>>> qs) {
        for (ArrayDeque<Entry<T>> q : qs) {
            if (!q.isEmpty()) {
                return q;
            }
        }
        return null;
    }

    /** The NORMAL queue whose head has the best effective priority; ties to the earliest enqueued. */
    private ArrayDeque<Entry<T>> bestNormal() {
        ArrayDeque<Entry<T>> best = null;
        int bestPriority = Integer.MAX_VALUE;
        long bestSince = Long.MAX_VALUE;
        for (ArrayDeque<Entry<T>> q : normal) {
            Entry<T> head = q.peekFirst(); // the oldest of its priority: it has aged the most
            if (head == null) {
                continue;
            }
            int effective = effectivePriority(head.priority(), dispatches - head.enqueuedAt());
            if (effective < bestPriority || (effective == bestPriority && head.enqueuedAt() < bestSince)) {
                best = q;
                bestPriority = effective;
                bestSince = head.enqueuedAt();
            }
        }
        return best;
    }

    /**
     * Where {@code task} is in the dispatch order if nothing changes (real-time bandwidth aside).
     *
     * @return 1 for the next to run, or -1 if not queued
     */
    public int positionOf(T task) {
        int before = 0;
        Entry<T> self = null;
        List<Entry<T>> all = new ArrayList<>(size);
        for (ArrayDeque<Entry<T>> q : realTime) {
            all.addAll(q);
        }
        for (ArrayDeque<Entry<T>> q : normal) {
            all.addAll(q);
        }
        all.addAll(idle);
        for (Entry<T> e : all) {
            if (e.task() == task) {
                self = e;
            }
        }
        if (self == null) {
            return -1;
        }
        for (Entry<T> e : all) {
            if (e != self && comesBefore(e, self)) {
                before++;
            }
        }
        return before + 1;
    }

    private boolean comesBefore(Entry<T> a, Entry<T> b) {
        int ca = PriorityClass.of(a.priority()).schedulingClass().ordinal();
        int cb = PriorityClass.of(b.priority()).schedulingClass().ordinal();
        if (ca != cb) {
            return ca < cb;
        }
        int pa = rankWithinClass(a);
        int pb = rankWithinClass(b);
        if (pa != pb) {
            return pa < pb;
        }
        if (a.enqueuedAt() != b.enqueuedAt()) {
            return a.enqueuedAt() < b.enqueuedAt();
        }
        // next() takes, among equally aged heads, the lowest priority number's queue, and each queue is FIFO
        return a.priority() != b.priority() && cb == SchedulingClass.NORMAL.ordinal() ? a.priority() < b.priority()
                : a.seq() < b.seq();
    }

    private int rankWithinClass(Entry<T> e) {
        return switch (PriorityClass.of(e.priority()).schedulingClass()) {
            case REAL_TIME -> e.priority();
            case NORMAL -> effectivePriority(e.priority(), dispatches - e.enqueuedAt());
            case IDLE -> 0; // one FIFO queue, whatever the number
        };
    }

    /** A NORMAL task's priority after waiting {@code waited} dispatches (rule 2). */
    public static int effectivePriority(int priority, long waited) {
        return priority - (int) Math.min(MAX_AGING_BOOST, waited / AGING_DISPATCHES);
    }
}
