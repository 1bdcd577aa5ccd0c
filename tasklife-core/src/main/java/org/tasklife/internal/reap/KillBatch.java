package org.tasklife.internal.reap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.tasklife.internal.task.ExitWatch;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Timeout;

/**
 * One kill of one or many tasks, and its one grace period (contract K8): a task kill, a group kill or
 * exitGroup, a domain stop, and the watch of a task whose own exit sequence runs user code. It sets every
 * member's KILLED flag, then wakes each, then arms one grace timer for all of them; the timer is cancelled
 * when the last member has published its status, and if it fires first the reaper checks each member that
 * has not (stuck report, force-close, death watches). Each member's kill hooks (contract K15) start after
 * its wake (KillHookRunner). While a recording enables it, each member gets a TaskKill event (KillTrace).
 */
public final class KillBatch implements ExitWatch {
    /*
     * Implementation notes
     *
     * Overview: the killer's side of DESIGN "Kill, step by step", for any number of victims. Flags first,
     * all of them, before any wake (KB1); then the wakes, O(1) each (DESIGN I4); then the timer. One timer per
     * batch, not per member: a mass kill of 10,000 tasks arms one.
     *
     * Invariants:
     *  KB1 every member's KILLED flag is set before any member is woken: a member woken early by another's
     *      death (a joiner of a killed task) is already killed, so it cannot end with a status of its own.
     *  KB2 the batch is told once per member that it ended (TaskControlBlock T5). `pending` starts at BIAS
     *      (the arming hold, more than any batch's size) and each end takes one off; arm() stores the timer,
     *      then takes off BIAS - members. So it reaches 0 exactly once, only after the timer is stored, and
     *      whoever brings it there cancels the timer (no "armed after it already finished" race). Members
     *      are put under the watch as they are flagged, with plain bookkeeping on the killer's side.
     *  KB3 the timer's firing is harmless after every member ended: the reaper skips terminated tasks.
     *  KB4 a grace period is over only for a batch that made no progress during it (contract K8): when it fires,
     *      the reaper compares `pending` with its value when that grace period was armed (pendingAtArm); a
     *      batch that is still draining (a crowd stop whose members wait for carriers and end one after
     *      another) re-arms instead of reporting (rearm()). Each member is reported at most once (the reaper
     *      keeps what it reported of a batch, and when it re-armed it, beside the batch: few batches ever get
     *      there, so a batch carries only the two fields every kill needs), and the batch stops re-arming once
     *      every member left is reported.
     *
     * Memory ordering: `timer` is written before arm()'s release of the hold, and read after the decrement
     * that reaches 0 (a volatile read-modify-write chain on `pending`): that reader sees it. `members` is
     * the killer's until arm(); the timer thread reads it only after the timer service's lock published it.
     *
     * Known limits: members under another watch (never the case today: a task is killed at most once, and
     * only a task that was not killed gets an exit watch) would be counted as ended at once; the timer then
     * still checks them when it fires.
     */

    private static final VarHandle PENDING;
    private static final int BIAS = 1 << 30;          // the arming hold (KB2): more than any batch has members

    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(KillBatch.class, "pending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Reaper reaper;                                  // immutable
    private final long killedAtNanos;                             // immutable: clock nanos of the kill; -1: no kill
    private final List<TaskControlBlock> members = new ArrayList<>(); // the killer's until arm(); read by fire()
    @SuppressWarnings("unused")                                   // accessed through PENDING
    private volatile int pending = BIAS;                          // BIAS - members ended, until arm() (KB2)
    private volatile Timeout timer;                               // written by arm(), before its release; by rearm()
    private volatile int pendingAtArm;                            // `pending` when the current grace was armed (KB4)

    private KillBatch(Reaper reaper, boolean kill) {
        this.reaper = reaper;
        this.killedAtNanos = kill ? reaper.nowNanos() : -1; // a kill's latency runs from here (RunningTotals)
    }

    /** The killer's side of a batch being built: flags first (as many calls as it takes), then wake and arm. */
    public static final class Flags {
        private final KillBatch batch;
        private final int reason; // the KillReason ordinal set with each KILLED flag (0: an explicit kill)
        private final KillTrace trace; // null unless a recording enables TaskKill
        private final int kind;        // RunningTotals.KILL_GROUP or KILL_DOMAIN

        private Flags(Reaper reaper, int reason, int kind) {
            this.batch = new KillBatch(reaper, true);
            this.reason = reason;
            this.kind = kind;
            this.trace = KillTrace.begin(reaper, reason);
        }

        /**
         * Sets the KILLED flag of each live task of {@code candidates} but {@code spared} and puts it under the
         * batch's watch (KB1: nobody is woken yet).
         *
         * @param spared a task not to kill (the task calling exitGroup, or failing), or {@code null}
         * @return this
         */
        public Flags flag(Collection<TaskControlBlock> candidates, TaskControlBlock spared) {
            for (TaskControlBlock t : candidates) {
                if (t != spared && t.setKilled(reason)) {
                    if (trace != null) {
                        trace.before(t); // flagged, not woken: its wait channel is still the one the kill ends
                    }
                    batch.add(t); // KB1: every flag first; the watch while the state word's line is ours
                }
            }
            return this;
        }

        /**
         * Wakes every flagged task but {@code running} (the caller itself, which unwinds at its next tasklife
         * call), then arms one grace timer for all of them.
         *
         * @return the tasks this batch killed (empty if it killed none)
         */
        public List<TaskControlBlock> wakeAndArm(TaskControlBlock running) {
            List<TaskControlBlock> killed = batch.members;
            int n = killed.size();
            for (int i = 0; i < n; i++) {
                TaskControlBlock t = killed.get(i);
                if (trace != null) {
                    trace.killed(i, t, n); // KT3: its event waits for it before it can end, so it commits its own
                }
                if (t != running) {
                    t.wakeForKill();
                }
                if (t.killHooks() != null) {
                    KillHookRunner.fire(batch.reaper, t); // contract K15: after its wake; a null check without hooks
                }
            }
            if (n > 0) {
                batch.reaper.totals().killed(kind, n);
                batch.arm();
            }
            return killed;
        }
    }

    /** Starts a batch: {@link Flags#flag} the victims, then {@link Flags#wakeAndArm}. */
    public static Flags begin(Reaper reaper) {
        return new Flags(reaper, 0, RunningTotals.KILL_GROUP);
    }

    /** {@link #begin(Reaper)} of a batch whose kills carry {@code reason} (a KillReason ordinal). */
    public static Flags begin(Reaper reaper, int reason) {
        return new Flags(reaper, reason, RunningTotals.KILL_GROUP);
    }

    /** {@link #begin(Reaper)} of a domain stop's batch (counted as such in the running totals). */
    public static Flags beginDomainStop(Reaper reaper) {
        return new Flags(reaper, 0, RunningTotals.KILL_DOMAIN);
    }

    /**
     * Kills {@code candidates} as one batch: sets the KILLED flag of each live one but {@code spared} (KB1),
     * then wakes each killed one, then arms one grace timer for them.
     *
     * @param spared a member not to kill (the task calling exitGroup or failing), or {@code null}
     * @return the members this call killed (empty if it killed none)
     */
    public static List<TaskControlBlock> kill(Reaper reaper, Collection<TaskControlBlock> candidates,
            TaskControlBlock spared) {
        return kill(reaper, candidates, spared, 0);
    }

    /** {@link #kill(Reaper, Collection, TaskControlBlock)} with a reason (a KillReason ordinal) on each kill. */
    public static List<TaskControlBlock> kill(Reaper reaper, Collection<TaskControlBlock> candidates,
            TaskControlBlock spared, int reason) {
        return begin(reaper, reason).flag(candidates, spared).wakeAndArm(null);
    }

    /**
     * Kills one task (contract K1): sets its flag and ends its wait, then arms its grace timer.
     *
     * @return whether this call killed it
     */
    public static boolean kill(Reaper reaper, TaskControlBlock t) {
        return kill(reaper, t, 0);
    }

    /** {@link #kill(Reaper, TaskControlBlock)} with a reason (a KillReason ordinal). */
    public static boolean kill(Reaper reaper, TaskControlBlock t, int reason) {
        KillTrace trace = KillTrace.begin(reaper, reason);
        if (trace != null) {
            trace.before(t); // before the kill ends its wait
        }
        if (!t.setKilled(reason)) {
            return false;
        }
        if (trace != null) {
            trace.killed(0, t, 1); // KT3: before its wake, as in a batch
        }
        t.wakeForKill();
        if (t.killHooks() != null) {
            KillHookRunner.fire(reaper, t); // contract K15: after its wake
        }
        reaper.totals().killed(RunningTotals.KILL_TASK, 1);
        KillBatch b = new KillBatch(reaper, true);
        b.add(t);
        b.arm();
        return true;
    }

    /**
     * Arms the grace timer of a task that was not killed and whose exit sequence is about to run user code
     * (destructors, close()): if it has not ended within the grace period it is reported stuck (contract K8).
     */
    public static void watchExit(Reaper reaper, TaskControlBlock t) {
        KillBatch b = new KillBatch(reaper, false);
        b.add(t);
        b.arm();
    }

    /** Puts {@code t} under this batch's watch (killer's thread, before arm). */
    private void add(TaskControlBlock t) {
        members.add(t);
        if (!t.watchExit(this)) {
            countDown(); // it published already
        }
    }

    /** Stores the timer, then gives up the arming hold (KB2): a batch whose members all ended cancels it here. */
    private void arm() {
        pendingAtArm = members.size();
        timer = reaper.scheduleGrace(this::fire); // null if the kernel is shutting down: it reports stuck tasks itself
        int release = BIAS - members.size();
        int left = (int) PENDING.getAndAdd(this, -release) - release;
        if (left == 0) {
            allEnded();
        } else if (left < members.size()) {
            pendingAtArm = left; // members that ended while being flagged are no progress of this grace (KB4)
        }
    }

    @Override
    public void watchedTaskEnded() {
        countDown();
    }

    private void countDown() {
        if ((int) PENDING.getAndAdd(this, -1) == 1) {
            allEnded();
        }
    }

    /** Every member has published (KB2: once): the kill's latency is over, and nobody is left to report stuck. */
    private void allEnded() {
        if (killedAtNanos != -1) {
            reaper.totals().killLatency(reaper.nowNanos() - killedAtNanos); // one sample per kill, none per member
        }
        Timeout t = timer;
        if (t != null) {
            t.cancel();
        }
    }

    /** The grace period is over (timer thread): the reaper checks the batch (KB3, KB4) on its own thread. */
    private void fire() {
        reaper.graceOverLater(this);
    }

    /** The members (read by the reaper thread after the timer fired; the killer's list is complete by then). */
    List<TaskControlBlock> members() {
        return members;
    }

    /** Members that have not ended yet (0 once all did); only after arm(). */
    int pendingNow() {
        return (int) PENDING.getVolatile(this);
    }

    /** `pending` when the current grace period was armed (KB4). */
    int pendingAtArm() {
        return pendingAtArm;
    }

    /** Clock nanos of the kill (when its first grace period began); -1 for the watch of a task's own exit. */
    long killedAtNanos() {
        return killedAtNanos;
    }

    /**
     * Arms one more grace period (KB4), on the reaper thread, after the last one was over; remembers how many
     * members were left then. A member ending meanwhile may cancel the old (spent) timer instead of this one:
     * the new one then fires for nothing (KB3), which the re-check below mostly avoids.
     */
    void rearm() {
        pendingAtArm = pendingNow();
        Timeout t = reaper.scheduleGrace(this::fire);
        timer = t;
        if (t != null && pendingNow() == 0) {
            t.cancel(); // the last member ended while this was being armed
        }
    }
}
