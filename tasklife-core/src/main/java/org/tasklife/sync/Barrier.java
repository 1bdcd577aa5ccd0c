package org.tasklife.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.task.WaitContext;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;

/**
 * A reusable, kill-aware barrier for a fixed number of parties (docs/contract.md, §9, K2, K3, T1), in the manner of
 * {@code pthread_barrier_wait} and {@link java.util.concurrent.CyclicBarrier}.
 *
 * <pre>{@code
 * Barrier b = new Barrier(4, () -> mergePartialResults());
 * for (;;) {
 *     computeMyPart();
 *     if (b.await() == 0) { publishRound(); } // exactly one party per round
 * }
 * }</pre>
 *
 * <p><b>Rounds.</b> {@link #await()} blocks until {@link #parties()} parties have arrived in the
 * current round, then releases them all and starts a fresh round (reusable). It returns the arrival
 * index: {@code parties() - 1} for the first party to arrive, {@code 0} for the last. Exactly one party
 * per round gets {@code 0}: the <em>serial</em> party (POSIX {@code PTHREAD_BARRIER_SERIAL_THREAD}),
 * which may do once-per-round work after the barrier. Parties may be tasks or host threads; they need
 * not be the same ones from round to round.
 *
 * <p><b>Action.</b> The optional barrier action runs once per round in the last arriving party,
 * <em>before</em> any party is released and outside every lock, so its effects are visible to every
 * party after {@code await} returns. If it throws, the round is broken: the other parties throw
 * {@link BrokenBarrierException} (with the throwable as cause) and the throwable propagates from the
 * last arriver's {@code await}.
 *
 * <p><b>Breaking.</b> A round breaks when a waiting party is killed, when a timed {@code await}'s
 * deadline passes, when the action throws, or on {@link #reset()}. Every other party of the round
 * throws {@link BrokenBarrierException}, whose message says why (e.g. which task was killed); no party
 * ever hangs on a round that cannot complete. A broken barrier stays broken: later awaits throw
 * {@link BrokenBarrierException} at once until {@link #reset()}. Release is all-or-nothing: either
 * every party of a round returns its index, or every party that was not itself killed or timed out
 * throws.
 *
 * <p><b>Kill.</b> A killed task calling {@code await} throws {@link TaskKilledError} at once, without
 * arriving (K5). A task killed while waiting throws {@link TaskKilledError} and breaks the round for
 * the others (K2); a kill racing the entry into the wait is never lost (K3). A kill that lands after
 * the round released the party does not undo the release: {@code await} returns normally and the task
 * sees the kill at its next blocking call. If a party is killed or times out while the last arriver
 * runs the action, the round breaks although the action ran; the last arriver then throws
 * {@link BrokenBarrierException}.
 *
 * <p><b>Timeouts.</b> A timed {@code await} whose deadline passes breaks the round for the others and
 * returns {@link #TIMED_OUT} instead of throwing. An arrival that completes the round
 * succeeds even with a zero or negative timeout (T1); any other arrival with such a timeout breaks the
 * round at once.
 *
 * <p><b>Errors.</b> {@code parties < 1} throws {@link IllegalArgumentException} (docs/contract.md, §9: a barrier of
 * 0 parties is misuse); a {@code null} unit throws {@link NullPointerException}.
 *
 * <p><b>Destroying.</b> {@link #destroy()} (POSIX {@code pthread_barrier_destroy}) is refused with
 * {@link TaskLifeException} ({@code BUSY}), changing nothing, while any party is inside {@code await}: arrived and
 * waiting, running the action, or released (or broken) but not yet returned. Afterwards {@code await},
 * {@link #reset()} and {@code destroy} throw {@link TaskLifeException} ({@code DESTROYED}); {@link #parties()},
 * {@link #numberWaiting()}, {@link #isBroken()}, {@link #isDestroyed()} and {@code toString} still answer.
 *
 * <p><b>Memory effects.</b> Actions of every party before its {@code await} happen-before the barrier
 * action, which happens-before every successful return from {@code await} in that round.
 *
 * <p><b>Introspection.</b> A task blocked here shows the wait channel
 * {@code barrier@<identity hash in hex> (<k> of <n> arrived)}.
 */
public final class Barrier {
    /*
     * Implementation notes
     *
     * Overview: one WaitQueue whose lock guards the current Round; arrivals count and enqueue atomically
     * (WaitContext pattern). The last arriver detaches the full round (TRIPPING) and installs a fresh
     * current round at once, runs the action outside the lock, then releases the round: it signals
     * every node and only afterwards decides the verdict, TRIPPED if it won every node, BROKEN if any
     * node was already decided by a kill or timeout. A released waiter reads the verdict under the queue
     * lock, so it sees the final one.
     *
     * States (per round, guarded by the queue lock):
     *   OPEN     -> TRIPPING // the parties-th arrival (await); a fresh OPEN round becomes current
     *   OPEN     -> BROKEN   // a waiter killed or timed out, a zero-timeout arrival, reset()
     *   TRIPPING -> TRIPPED  // release: every node won by trySignal
     *   TRIPPING -> BROKEN   // action threw, a waiter killed or timed out before its node was won
     * Nodes: WAITING -> SIGNALLED (released with the round's verdict) | TIMED_OUT | KILLED.
     *
     * Invariants:
     *  B1 current is OPEN or BROKEN; it is BROKEN iff the barrier is broken. A round's arrivals are at
     *     most parties, and exactly parties once it leaves OPEN for TRIPPING.
     *  B2 exactly one arrival per round gets index 0 (the arrival that makes it TRIPPING).
     *  B3 every node of a round is in round.nodes from its enqueue on; a round that leaves OPEN or
     *     TRIPPING signals all of them (losers were killed or timed out and handle themselves), so no
     *     party of a decided round stays parked.
     *  B4 the verdict (TRIPPED or BROKEN) is written under the queue lock before that lock is released
     *     after signalling; a SIGNALLED waiter reads it under the same lock, never before.
     *  B5 a node that lost its CAS to a kill or timeout makes its round BROKEN: the releaser sees the
     *     loss, or the losing waiter breaks the round itself when it wakes (whichever takes the lock
     *     first); hence release is all-or-nothing.
     *  B6 a round that breaks while TRIPPING also breaks the round that replaced it, if that one is
     *     still current and OPEN (the barrier stays broken, docs/contract.md, §9), unless reset() replaced it.
     *  B7 winners are woken after the queue lock is released (K10); the action runs with no lock held.
     *  B8 `inside` counts the parties between their arrival and their last pass through the queue lock
     *     (a waiter's verdict or break section, the last arriver's release in trip, or the arrival itself
     *     for one that breaks the round at once); destroy() succeeds only with inside == 0, under the
     *     queue lock, and every arrival checks `destroyed` under the same lock before it counts itself.
     *
     * Concurrency: all round state is guarded by the queue lock except Round.arrived, also published
     * with release semantics for the lazy wait channel. Kill and timeout CAS node outcomes outside the
     * lock, hence B5.
     *
     * Memory ordering: each arrival takes the queue lock, then the last arriver runs the action and takes
     * the lock again to release; each released waiter takes the lock to read the verdict. The lock
     * chains the happens-before edges promised in the class comment.
     *
     * Kill and cleanup: the killer unlinks the node and unparks the waiter (WaitNode.kill); the waiter
     * breaks its round if still undecided (B5) and throws. A killed party does not take back its
     * arrival: its round cannot complete and is broken instead.
     *
     * Known limits: unlike CyclicBarrier, whose action runs under the barrier's lock, a kill or timeout
     * can still break a round while its action runs (a kill cannot be held off). Release costs every
     * waiter one extra acquisition of the queue lock (B4). A round's node list grows to parties - 1.
     *
     * References: POSIX pthread_barrier_wait (PTHREAD_BARRIER_SERIAL_THREAD), JDK CyclicBarrier
     * (generations, broken state, reset, arrival index).
     */

    /** What a timed {@link #await(long, TimeUnit)} returns when its deadline passed first. */
    public static final int TIMED_OUT = -1;

    private static final int OPEN = 0;
    private static final int TRIPPING = 1;
    private static final int TRIPPED = 2;
    private static final int BROKEN = 3;

    private static final VarHandle ARRIVED;

    static {
        try {
            ARRIVED = MethodHandles.lookup().findVarHandle(Round.class, "arrived", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One generation of the barrier. */
    private static final class Round {
        final List<WaitNode> nodes = new ArrayList<>(); // guarded by queue lock (B3)
        int state = OPEN;        // guarded by queue lock
        String brokenBy;         // guarded by queue lock; set with BROKEN
        Throwable cause;         // guarded by queue lock; the action's throwable, if that broke it
        Round successor;         // guarded by queue lock; the round made current when this one tripped (B6)
        @SuppressWarnings("unused") // accessed through ARRIVED
        volatile int arrived;    // written under queue lock only; read lock-free by the wait channel

        int arrivedAcquire() {
            return (int) ARRIVED.getAcquire(this);
        }

        void setArrivedRelease(int n) {
            ARRIVED.setRelease(this, n);
        }
    }

    /** A waiting party: its node's channel in snapshots and who it is, for the broken-round message. */
    private static final class Arrival {
        final Barrier barrier; // immutable
        final Round round;     // immutable
        final Object who;      // immutable: TaskControlBlock or host Thread

        Arrival(Barrier barrier, Round round, Object who) {
            this.barrier = barrier;
            this.round = round;
            this.who = who;
        }

        @Override
        public String toString() {
            return barrier.channelName() + " (" + round.arrivedAcquire() + " of " + barrier.parties + " arrived)";
        }
    }

    private final int parties;                       // immutable, >= 1
    private final Runnable action;                   // immutable, nullable
    private final WaitQueue queue = new WaitQueue(); // immutable; its lock guards current and every Round
    private Round current = new Round();             // guarded by queue lock (B1)
    private int inside;                              // guarded by queue lock: parties inside await (B8)
    private boolean destroyed;                       // guarded by queue lock; final once set (B8)

    /**
     * A barrier for {@code parties} parties, without action.
     *
     * @param parties how many parties each round waits for, at least 1
     * @throws IllegalArgumentException if {@code parties < 1}
     */
    public Barrier(int parties) {
        this(parties, null);
    }

    /**
     * A barrier for {@code parties} parties whose last arriver runs {@code action} once per round,
     * before the others are released.
     *
     * @param parties how many parties each round waits for, at least 1
     * @param action run once per round, or {@code null} for none
     * @throws IllegalArgumentException if {@code parties < 1}
     */
    public Barrier(int parties, Runnable action) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties = " + parties
                    + ": a barrier needs at least 1 party (a barrier of 0 parties could never trip)");
        }
        this.parties = parties;
        this.action = action;
    }

    /**
     * Arrives and waits until all parties of this round have arrived.
     *
     * @return the arrival index: {@code parties() - 1} for the first arrival, {@code 0} for the last
     *     (the serial party)
     * @throws BrokenBarrierException if the barrier is broken, or the round breaks while waiting
     * @throws TaskLifeException ({@code DESTROYED}) if the barrier was destroyed
     * @throws TaskKilledError if the calling task is killed before arriving or while waiting (the round
     *     then breaks for the others)
     */
    public int await() {
        int index = awaitWithin(false, 0L, "await()");
        assert index != TIMED_OUT;
        return index;
    }

    /**
     * {@link #await()} for at most {@code timeout}. On timeout the round breaks for the others and this
     * call returns {@link #TIMED_OUT}. An arrival that completes the round succeeds even with a zero or
     * negative timeout (docs/contract.md, T1).
     *
     * @param timeout how long to wait at most, in {@code unit}s
     * @param unit the unit of {@code timeout}
     * @return the arrival index as for {@link #await()}, or {@link #TIMED_OUT}
     * @throws NullPointerException if {@code unit} is null
     * @throws BrokenBarrierException if the barrier is broken, or the round breaks while waiting
     * @throws TaskLifeException ({@code DESTROYED}) if the barrier was destroyed
     * @throws TaskKilledError if the calling task is killed before arriving or while waiting
     */
    public int await(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return awaitWithin(true, unit.toNanos(timeout), "await(timeout)");
    }

    /**
     * Breaks the current round, if any party waits in it (they throw {@link BrokenBarrierException}),
     * and starts a fresh round; also repairs a broken barrier. A round whose parties have all arrived
     * (its action running) is not affected. Never blocks.
     *
     * @throws TaskLifeException ({@code DESTROYED}) if the barrier was destroyed
     */
    public void reset() {
        Object me = Callers.identity(TaskControlBlock.current());
        List<WaitNode> won = new ArrayList<>();
        queue.lock();
        try {
            checkNotDestroyedLocked("reset()");
            if (current.state == OPEN) {
                breakLocked(current, "reset() by " + Callers.describe(me), null, won);
            }
            current = new Round();
        } finally {
            queue.unlock();
        }
        won.forEach(WaitQueue::wake); // B7
    }

    /**
     * Destroys the barrier (POSIX {@code pthread_barrier_destroy}): later calls of {@code await},
     * {@link #reset()} and {@code destroy} throw {@link TaskLifeException} ({@code DESTROYED}). Destroying a barrier
     * that a party is inside (waiting, running the action, or released but not yet returned) is an error (POSIX
     * EBUSY). Never blocks.
     *
     * @throws TaskLifeException ({@code BUSY}) if some party is inside {@code await} (state unchanged)
     * @throws TaskLifeException ({@code DESTROYED}) if it was already destroyed
     */
    public void destroy() {
        queue.lock();
        try {
            checkNotDestroyedLocked("destroy()");
            if (inside > 0) {
                throw new TaskLifeException(Reason.BUSY,
                        "destroy() on " + channelName() + " (" + parties + " parties): a barrier"
                        + " with parties inside await (" + inside + ") cannot be destroyed");
            }
            destroyed = true; // B8
        } finally {
            queue.unlock();
        }
    }

    /** {@return whether {@link #destroy()} was called} */
    public boolean isDestroyed() {
        queue.lock();
        try {
            return destroyed;
        } finally {
            queue.unlock();
        }
    }

    /** {@return whether the barrier is broken (a moment's reading)} */
    public boolean isBroken() {
        queue.lock();
        try {
            return current.state == BROKEN;
        } finally {
            queue.unlock();
        }
    }

    /** {@return the number of parties per round, fixed at construction} */
    public int parties() {
        return parties;
    }

    /** {@return how many parties have arrived in the current round and wait; 0 while broken (a moment's reading)} */
    public int numberWaiting() {
        queue.lock();
        try {
            return current.state == OPEN ? current.arrivedAcquire() : 0;
        } finally {
            queue.unlock();
        }
    }

    @Override
    public String toString() {
        return channelName() + "[parties=" + parties + ", waiting=" + numberWaiting()
                + (isBroken() ? ", broken" : "") + (isDestroyed() ? ", destroyed" : "") + "]";
    }

    // ---- mechanics ----

    private int awaitWithin(boolean timed, long nanos, String op) {
        WaitContext w = WaitContext.current();
        w.checkpoint(); // K5: a killed task does not arrive
        long deadline = timed ? w.deadlineAfter(nanos) : Blocker.NO_DEADLINE;
        Object me = Callers.identity(w);
        Round r;
        int index;
        WaitNode node = null;
        List<WaitNode> won = new ArrayList<>();
        queue.lock();
        try {
            checkNotDestroyedLocked(op);
            r = current;
            if (r.state == BROKEN) {
                throw broken(r, op);
            }
            assert r.state == OPEN : r.state; // B1
            int arrived = r.arrivedAcquire() + 1;
            r.setArrivedRelease(arrived);
            index = parties - arrived;
            assert index >= 0 : "B1: " + arrived + " arrivals of " + parties;
            if (index == 0) {
                r.state = TRIPPING; // B2: this arrival is the serial party
                r.successor = current = new Round();
                inside++; // B8: until trip's release
            } else if (timed && w.hasPassed(deadline)) {
                breakLocked(r, Callers.describe(me) + " timed out in " + op, null, won); // B8: never inside
            } else {
                inside++; // B8: until its verdict
                node = new WaitNode(queue, new Arrival(this, r, me));
                r.nodes.add(node); // B3
                queue.enqueueLocked(node);
            }
        } finally {
            queue.unlock();
        }
        if (index == 0) {
            return trip(r, op);
        }
        if (node == null) {
            won.forEach(WaitQueue::wake);
            return TIMED_OUT; // T1 does not apply: the round was not complete
        }
        int outcome = w.await(node, deadline); // K3: the Blocker re-checks the kill after publishing
        queue.lock();
        try {
            inside--; // B8: this is our last pass through the lock
            if (outcome == WaitNode.SIGNALLED) {
                if (r.state == BROKEN) { // B4: the verdict is final once we can take the lock
                    throw broken(r, op);
                }
                assert r.state == TRIPPED : r.state;
                return index;
            }
            // TIMED_OUT or KILLED: the round cannot complete without us (B5)
            if (r.state == OPEN || r.state == TRIPPING) {
                breakLocked(r, Callers.describe(me) + (outcome == WaitNode.KILLED ? " was killed" : " timed out")
                        + " while waiting in " + op, null, won);
            }
            assert r.state == BROKEN : r.state;
        } finally {
            queue.unlock();
        }
        won.forEach(WaitQueue::wake); // B7
        if (outcome == WaitNode.KILLED) {
            throw w.killed();
        }
        assert outcome == WaitNode.TIMED_OUT : outcome;
        return TIMED_OUT;
    }

    /** The last arriver: runs the action with no lock held, then releases or breaks the round. */
    private int trip(Round r, String op) {
        Throwable failure = null;
        if (action != null) {
            try {
                action.run();
            } catch (RuntimeException | Error e) {
                failure = e;
            }
        }
        List<WaitNode> won = new ArrayList<>();
        BrokenBarrierException broken = null;
        queue.lock();
        try {
            inside--; // B8
            if (r.state == TRIPPING) { // else a waiter already broke it (B5)
                if (failure != null) {
                    breakLocked(r, "the barrier action threw " + failure, failure, won);
                } else {
                    releaseLocked(r, won);
                }
            }
            if (r.state == BROKEN) {
                broken = broken(r, op);
            }
        } finally {
            queue.unlock();
        }
        won.forEach(WaitQueue::wake); // B7
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (broken != null) {
            throw broken;
        }
        return 0;
    }

    /** Signals every node of a full round, then writes the verdict (B4, B5). */
    private void releaseLocked(Round r, List<WaitNode> won) {
        assert queue.isHeldByCurrentThread() && r.state == TRIPPING;
        WaitNode lost = null;
        for (WaitNode n : r.nodes) {
            queue.unlinkLocked(n);
            if (n.trySignal()) {
                won.add(n);
            } else if (lost == null) {
                lost = n; // killed or timed out before the release reached it
            }
        }
        if (lost == null) {
            r.state = TRIPPED;
            return;
        }
        Arrival a = (Arrival) lost.channel();
        breakLocked(r, Callers.describe(a.who) + (lost.outcomeVolatile() == WaitNode.KILLED ? " was killed" : " timed out")
                + " while waiting", null, won);
    }

    /** Marks {@code r} broken, signals its remaining nodes and, per B6, breaks its successor. */
    private void breakLocked(Round r, String why, Throwable cause, List<WaitNode> won) {
        assert queue.isHeldByCurrentThread();
        assert r.state == OPEN || r.state == TRIPPING : r.state;
        r.state = BROKEN;
        r.brokenBy = why;
        r.cause = cause;
        for (WaitNode n : r.nodes) {
            if (queue.unlinkLocked(n) && n.trySignal()) {
                won.add(n); // a loser was killed or timed out and handles itself (B3)
            }
        }
        Round next = r.successor;
        if (next != null && next == current && next.state == OPEN) {
            breakLocked(next, "an earlier round broke: " + why, cause, won); // B6
        }
    }

    private void checkNotDestroyedLocked(String op) {
        assert queue.isHeldByCurrentThread();
        if (destroyed) {
            throw new TaskLifeException(Reason.DESTROYED,
                    op + " on " + channelName() + " (" + parties + " parties): the barrier was destroyed");
        }
    }

    private BrokenBarrierException broken(Round r, String op) {
        assert queue.isHeldByCurrentThread() && r.state == BROKEN;
        return new BrokenBarrierException(op + " on " + channelName() + " (" + parties
                + " parties): the round is broken: " + r.brokenBy, r.cause);
    }

    private String channelName() {
        return "barrier@" + Integer.toHexString(System.identityHashCode(this));
    }
}
