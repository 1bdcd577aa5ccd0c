package org.tasklife.internal.reap;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.tasklife.ExitStatus;
import org.tasklife.KernelStatistics;

/**
 * One kernel's running totals since boot: spawns, exits by status kind, tasks killed by kind of kill, spawns refused
 * by a domain limit, and the kill latency (kill requested to status published). Read as a {@link KernelStatistics}.
 */
public final class RunningTotals {
    /*
     * Implementation notes
     *
     * Overview: one LongAdder per total. A LongAdder is striped per contending thread (its cells are made only
     * when its base CAS fails), so a spawn or an exit costs one uncontended CAS, or one on the caller's own
     * cell, and allocates nothing per event; the few cells are made once, under contention. A kill batch adds
     * its size once (one add per batch, not per member).
     *
     * Kill latency: one sample per kill (of a task, a group, a domain), from the request to the status of its
     * last victim published (what a caller of onExit or awaitStopped waits for); recorded by whoever ends the
     * kill batch (KillBatch KB2), so a crowd kill costs one sample, not one per victim. Count, sum and max, no
     * histogram. Micrometer's FunctionTimer takes exactly count and total
     * time (it derives the mean and rates), a TimeGauge shows the max; a fixed-bucket histogram would cost an
     * array of adders and a bucket search per killed task for percentiles that a FunctionTimer cannot export
     * anyway. The max is since boot, never reset.
     *
     * Invariants:
     *  R1 every counter only grows; a reading sums each counter at some moment during the read, not one atomic
     *     cut across counters (a task that exits at once may be read as exited before it is read as spawned:
     *     its spawn is counted once its thread started).
     */

    /** Kinds of kill, counted by the tasks each one killed. */
    public static final int KILL_TASK = 0;
    /** A group end (a group kill, exitGroup, a failure, the main's return, a group deadline). */
    public static final int KILL_GROUP = 1;
    /** A domain stop. */
    public static final int KILL_DOMAIN = 2;

    private final LongAdder spawned = new LongAdder();
    private final LongAdder exited = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder[] killedExits = {new LongAdder(), new LongAdder(), new LongAdder()}; // by KillReason
    private final LongAdder[] kills = {new LongAdder(), new LongAdder(), new LongAdder()};      // by KILL_*
    private final LongAdder refusedTasks = new LongAdder();
    private final LongAdder refusedGroups = new LongAdder();
    private final LongAdder latencyCount = new LongAdder();
    private final LongAdder latencySum = new LongAdder();
    private final LongAccumulator latencyMax = new LongAccumulator(Math::max, 0);

    /** A task was spawned (its thread started or handed out). */
    public void spawned() {
        spawned.increment();
    }

    /** A task published {@code status}. */
    public void exited(ExitStatus status) {
        if (status instanceof ExitStatus.Killed k) {
            killedExits[k.reason().ordinal()].increment();
        } else if (status instanceof ExitStatus.Failed) {
            failed.increment();
        } else {
            exited.increment();
        }
    }

    /** A kill of kind {@code kind} (KILL_*) killed {@code tasks} tasks. */
    void killed(int kind, int tasks) {
        kills[kind].add(tasks);
    }

    /** A spawn was refused by a domain's limit on live tasks ({@code groups} false) or on groups. */
    public void refusedByLimit(boolean groups) {
        (groups ? refusedGroups : refusedTasks).increment();
    }

    /** The last task a kill killed published its status {@code nanos} after the kill. */
    void killLatency(long nanos) {
        long n = Math.max(0, nanos);
        latencyCount.increment();
        latencySum.add(n);
        latencyMax.accumulate(n);
    }

    /** The totals now (R1). */
    public KernelStatistics read() {
        return new KernelStatistics(spawned.sum(), exited.sum(), failed.sum(), killedExits[0].sum(), killedExits[1].sum(),
                killedExits[2].sum(), kills[KILL_TASK].sum(), kills[KILL_GROUP].sum(), kills[KILL_DOMAIN].sum(),
                refusedTasks.sum(), refusedGroups.sum(), latencyCount.sum(), latencySum.sum(), latencyMax.get());
    }
}
