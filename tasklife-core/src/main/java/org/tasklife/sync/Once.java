package org.tasklife.sync;

import java.util.Objects;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.internal.task.WaitContext;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitChannel;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;

/**
 * One-time initialisation (POSIX {@code pthread_once}, docs/contract.md, §9) whose wait ends on kill.
 *
 * <p>{@link #run(Runnable)} runs the initialiser exactly once over all callers that pass this
 * {@code Once}: the first caller runs it; callers arriving while it runs wait until it finishes; callers
 * after it finished return at once. An initialiser that does not complete normally — it throws, or the
 * task running it is killed while it unwinds through it — leaves the {@code Once} <em>undone</em>
 * (like a cancelled {@code pthread_once} routine): its throwable propagates from that caller's
 * {@code run}, and the next caller, waiting or new, runs the initialiser again.
 *
 * <p><b>Kill.</b> A task killed while waiting for another caller's initialiser throws
 * {@link TaskKilledError} at once (K2); a killed task calling {@code run} throws before it runs or
 * waits, even if the {@code Once} is done (K5). Host threads may call {@code run}; they are never
 * killed.
 *
 * <p><b>Misuse.</b> Calling {@code run} on the same {@code Once} from inside its initialiser would wait
 * for itself: it throws {@link TaskLifeException} ({@code DEADLOCK}) (the outer run then fails too, unless the
 * initialiser catches it).
 *
 * <p><b>Memory effects.</b> Everything the initialiser did happens-before every {@code run} that
 * returns after it completed.
 *
 * <p><b>Introspection.</b> A waiting task shows the wait channel
 * {@code once@<hex> (initialiser running in task <id>)}.
 *
 * <p>Known limit: if the runner is stuck in code that ignores kills and never returns (docs/contract.md, K8), the
 * {@code Once} stays in progress; waiters can still be killed.
 */
public final class Once {
    /*
     * Implementation notes
     *
     * States, guarded by queue.lock(): UNDONE (runner == null, !done) -> RUNNING (runner != null) ->
     * DONE (done) or back to UNDONE when the initialiser fails.
     *
     * Invariants:
     *  O1 at most one runner; runner != null only while the initialiser runs, outside every lock.
     *  O2 every waiter is woken when the state leaves RUNNING (signalAll), and re-reads the state: on
     *     UNDONE the first to get the lock becomes the runner; the others wait again. So a failed or
     *     killed runner never strands a waiter.
     *  O3 done is written under the lock (volatile) after the initialiser returned; the fast path reads it
     *     without the lock.
     */

    private final WaitQueue queue = new WaitQueue();
    private final WaitChannel channel;
    private volatile boolean done;  // written under queue.lock() only (O3)
    private volatile Object runner; // written under queue.lock() only; read without it by snapshots

    /** A {@code Once} not yet done. */
    public Once() {
        this.channel = WaitChannel.lazy(() -> "once@" + Integer.toHexString(System.identityHashCode(this))
                + " (initialiser running in " + describeRunner() + ")");
    }

    /**
     * Runs {@code initialiser} if no call has completed it yet, else returns; waits while another caller
     * runs it.
     *
     * @param initialiser the initialisation, run at most once to completion
     * @throws NullPointerException if {@code initialiser} is null
     * @throws TaskLifeException ({@code DEADLOCK}) if called from inside this {@code Once}'s own initialiser
     * @throws TaskKilledError if the calling task is killed before or while waiting
     * @throws RuntimeException or Error thrown by the initialiser when this caller ran it (the
     *     {@code Once} stays undone)
     */
    public void run(Runnable initialiser) {
        Objects.requireNonNull(initialiser, "initialiser");
        WaitContext w = WaitContext.current();
        w.checkpoint();
        if (done) {
            return;
        }
        Object me = Callers.identity(w.task());
        for (;;) {
            WaitNode n;
            queue.lock();
            try {
                if (done) {
                    return;
                }
                if (runner == null) {
                    runner = me;
                    break;
                }
                if (runner == me) {
                    throw new TaskLifeException(Reason.DEADLOCK, "run() on " + this + " by " + Callers.describe(me)
                            + ": called from inside its own initialiser, which would wait for itself");
                }
                n = new WaitNode(queue, channel);
                queue.enqueueLocked(n);
            } finally {
                queue.unlock();
            }
            int outcome = w.await(n, Blocker.NO_DEADLINE);
            if (outcome == WaitNode.KILLED) {
                throw w.killed();
            }
            // SIGNALLED: the state left RUNNING; re-read it (O2)
        }
        boolean completed = false;
        try {
            initialiser.run();
            completed = true;
        } finally {
            queue.lock();
            try {
                runner = null;
                done = completed;
            } finally {
                queue.unlock();
            }
            queue.signalAll(); // O2
        }
    }

    /** {@return whether an initialiser has completed (a moment's reading)} */
    public boolean isDone() {
        return done;
    }

    /** {@return the number of callers waiting for a running initialiser (a moment's reading)} */
    public int queueLength() {
        return queue.size();
    }

    @Override
    public String toString() {
        return "Once@" + Integer.toHexString(System.identityHashCode(this)) + "[" + (done ? "done" : "not done") + "]";
    }

    private String describeRunner() {
        return Callers.describe(runner); // no lock: a snapshot may render this while holding other locks
    }
}
