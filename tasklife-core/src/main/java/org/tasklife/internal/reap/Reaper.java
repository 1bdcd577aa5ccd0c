package org.tasklife.internal.reap;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.tasklife.StuckTaskReport;
import org.tasklife.TaskState;
import org.tasklife.internal.task.ResourceList;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.time.Timeout;
import org.tasklife.internal.time.TimerService;

/**
 * The kernel's reaper: runs the grace timer of every kill and deals with tasks that did not unwind in
 * time (contract K8). It runs on its own daemon platform thread, never on the killer's thread and never on
 * the timer thread (whose callbacks must stay short, contract K10).
 */
public final class Reaper implements AutoCloseable {
    /*
     * Implementation notes
     *
     * Overview: every kill is a KillBatch (one task, a group, a domain stop) with one grace timer, cancelled
     * when its last member has published. A task that was not killed gets one of its own when its exit
     * sequence is about to run user code (destructors, close(): TaskRunner), so that a task stuck in its own
     * exit is reported too. If it fires, the timer thread only queues the batch here; this thread then takes a stuck report (state,
     * wait channel, stack), force-closes what the task still owns (closing a socket or channel unblocks
     * most JDK I/O) and fires its death watches (its mutexes go to their next lockers, owner-died). Each
     * resource still closes exactly once: the owner's own exit sequence and this force-close race on each
     * entry's CAS, and a force-close during the owner's blocked close() closes the entries that close has
     * not reached (ResourceList).
     *
     * When a batch's grace period is over (KB4 in KillBatch): a batch that made progress during it re-arms
     * (a crowd stop drains through the carriers, its members are queued, not stuck); else each member left
     * that had the chance to run since the kill (it left the wait the kill ended, or was running, or is in
     * its exit sequence) is reported, once. A member still in the wait the kill ended, or not started, has
     * not had a carrier since the kill: blaming it would name a bystander. The reaper then looks for what
     * holds the carriers: tasks of this kernel that have held theirs, without a safe point, since the grace
     * period began (carrierHolders, default mode only). It reports each such task once (its real state and
     * stack; nothing of it is force-closed: it was not killed) and re-arms; only when it finds none does it
     * report the waiting members themselves, so that no stuck kill is left silent.
     *
     * Known limits: group-owned resources of a group whose stuck member never ends are not closed
     * by the grace timer (the group has not ended); Kernel.close force-closes them too. A group-owned
     * resource whose close() blocks when the group ends holds up a task that has already published
     * (TERMINATED): it is not reported. The force-closes run one after another on this thread, so a
     * close() that blocks here delays every later report.
     */

    private static final Runnable STOP = () -> {};

    private final Clock clock;
    private final TimerService timers;
    private final long graceNanos;
    private final Function<TaskControlBlock, StuckTaskReport> describer;
    private final Consumer<StuckTaskReport> listener;
    private final LinkedBlockingQueue<Runnable> jobs = new LinkedBlockingQueue<>();
    private final List<StuckTaskReport> reports = new ArrayList<>(); // guarded by itself
    private final Thread thread;
    private final String kernelName;
    private volatile Function<Long, List<TaskControlBlock>> carrierHolders = since -> List.of(); // set once by the kernel
    private final RunningTotals totals = new RunningTotals();
    private final Set<TaskControlBlock> reportedHolders = Collections.newSetFromMap(new WeakHashMap<>()); // reaper thread
    private final WeakHashMap<KillBatch, Grace> graces = new WeakHashMap<>(); // reaper thread: batches whose grace ran out

    /** What the reaper keeps of a batch whose grace period ran out (KillBatch KB4); reaper thread only. */
    private static final class Grace {
        final BitSet reported = new BitSet(); // members reported stuck
        long armedAtNanos = Long.MIN_VALUE;   // when its current grace period began; MIN_VALUE: the kill's
    }

    /**
     * @param graceNanos how long a killed task may take to unwind
     * @param describer makes a stuck report of a task
     * @param listener told about every stuck report, on the reaper thread
     * @param kernelName the kernel's name, for the kill events (KillTrace)
     */
    public Reaper(Clock clock, TimerService timers, long graceNanos, Function<TaskControlBlock, StuckTaskReport> describer,
            Consumer<StuckTaskReport> listener, String threadName, String kernelName) {
        this.kernelName = kernelName;
        this.clock = clock;
        this.timers = timers;
        this.graceNanos = graceNanos;
        this.describer = describer;
        this.listener = listener;
        this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this::loop);
        thread.start();
    }

    /**
     * Schedules {@code onGraceOver} one grace period from now (a kill batch's timer, see KillBatch).
     *
     * @return the timer, or {@code null} if the timer service is closed (the kernel is shutting down and
     *     reports stuck tasks itself)
     */
    Timeout scheduleGrace(Runnable onGraceOver) {
        long deadline = Clock.deadlineAfter(clock.nanoTime(), graceNanos);
        try {
            return timers.schedule(deadline, onGraceOver);
        } catch (IllegalStateException closed) {
            return null;
        }
    }

    /**
     * Sets what finds the tasks that have held a carrier without reaching a safe point since a clock time (see
     * the notes); the kernel sets it once, after construction.
     */
    public void setCarrierHolders(Function<Long, List<TaskControlBlock>> finder) {
        this.carrierHolders = finder;
    }

    /** The kernel's running totals (spawns, exits, kills, refusals, kill latency). */
    public RunningTotals totals() {
        return totals;
    }

    /** The kernel clock's time. */
    long nowNanos() {
        return clock.nanoTime();
    }

    /** The kernel's name. */
    String kernelName() {
        return kernelName;
    }

    /** The kill grace period, in nanoseconds. */
    long graceNanos() {
        return graceNanos;
    }

    /** Queues the check of {@code batch}, whose grace period is over, on the reaper thread (K10: the timer stays short). */
    void graceOverLater(KillBatch batch) {
        jobs.add(() -> graceOver(batch));
    }

    /** A grace period of {@code b} is over (see the notes and KillBatch KB4). */
    private void graceOver(KillBatch b) {
        int left = b.pendingNow();
        if (left == 0) {
            graces.remove(b);
            return; // KB3
        }
        Grace g = graces.computeIfAbsent(b, x -> new Grace());
        if (g.armedAtNanos == Long.MIN_VALUE) {
            g.armedAtNanos = b.killedAtNanos(); // the first grace began with the kill
        }
        if (left < b.pendingAtArm()) {
            rearm(b, g); // still draining: queued, not stuck
            return;
        }
        List<TaskControlBlock> members = b.members();
        TaskControlBlock firstWaiting = null;
        for (int i = 0; i < members.size(); i++) {
            TaskControlBlock t = members.get(i);
            if (t.isTerminated() || g.reported.get(i)) {
                continue;
            }
            if (awaitsCarrier(t)) {
                firstWaiting = firstWaiting == null ? t : firstWaiting;
                continue;
            }
            g.reported.set(i);
            checkStuck(t);
        }
        if (firstWaiting == null) {
            graces.remove(b);
            return; // every member left is reported: no more grace periods
        }
        List<TaskControlBlock> holders = carrierHolders.apply(g.armedAtNanos);
        if (holders.isEmpty()) { // nothing found that holds the carriers: report the waiting members, never silent
            for (int i = 0; i < members.size(); i++) {
                TaskControlBlock t = members.get(i);
                if (!t.isTerminated() && !g.reported.get(i)) {
                    g.reported.set(i);
                    checkStuck(t);
                }
            }
            graces.remove(b);
            return;
        }
        long now = clock.nanoTime();
        for (TaskControlBlock h : holders) {
            if (!h.isKilled() && reportedHolders.add(h)) { // a killed one is its own kill's to report
                reportHolder(h, firstWaiting, now);
            }
        }
        rearm(b, g);
    }

    private void rearm(KillBatch b, Grace g) {
        g.armedAtNanos = clock.nanoTime();
        b.rearm();
    }

    /**
     * Whether killed task {@code t} has not had a carrier since its kill: still in the wait the kill ended (a
     * killed task enters no new wait, contract K2) or not started.
     */
    private static boolean awaitsCarrier(TaskControlBlock t) {
        if (!t.isKilled()) {
            return false;
        }
        TaskState s = t.taskState();
        return s == TaskState.BLOCKED || s == TaskState.NEW;
    }

    /** Reports {@code h}, which holds a carrier that killed task {@code waiting} waits for; nothing is force-closed. */
    private void reportHolder(TaskControlBlock h, TaskControlBlock waiting, long now) {
        StuckTaskReport full = describer.apply(h);
        long heldMillis = Math.max(0, now - h.runSinceNanos()) / 1_000_000;
        String what = "code without a safe point for " + heldMillis + " ms (killed task " + waiting.id() + " ("
                + waiting.name() + ") waits for a carrier)";
        publish(new StuckTaskReport(full.taskId(), full.groupId(), full.name(), full.state(), what, full.stack()));
    }

    private void checkStuck(TaskControlBlock t) {
        if (t.isTerminated()) {
            return;
        }
        StuckTaskReport r = describer.apply(t);
        synchronized (reports) {
            reports.add(r);
        }
        closeOwned(t);
        t.fireDeathWatches(); // its mutexes go to their next lockers, owner-died (contract §9)
        tell(r);
    }

    private void publish(StuckTaskReport r) {
        synchronized (reports) {
            reports.add(r);
        }
        tell(r);
    }

    private void tell(StuckTaskReport r) {
        try {
            listener.accept(r);
        } catch (Throwable ignored) {
            // a listener's failure must not stop the reaper
        }
    }

    /** Runs {@code job} on the reaper thread (deferred disposal, off every kernel lock). */
    public void execute(Runnable job) {
        jobs.add(job);
    }

    /** Queues a force-close of {@code t}'s owned resources on the reaper thread (contract K8). */
    public void forceClose(TaskControlBlock t) {
        jobs.add(() -> {
            closeOwned(t);
            t.fireDeathWatches();
        });
    }

    /**
     * Queues a force-close of {@code resources} on the reaper thread, with the authority of their owner
     * ({@code ownerAuthority}, see TaskOwner), handing failures to {@code failures}.
     */
    public void forceClose(ResourceList resources, Object ownerAuthority, Consumer<List<Throwable>> failures) {
        jobs.add(() -> TaskControlBlock.runAs(ownerAuthority, () -> failures.accept(resources.closeAll())));
    }

    /** Closes what {@code t} still owns, as its owner's work: close() is the tenant's code, not the host's. */
    private static void closeOwned(TaskControlBlock t) {
        TaskControlBlock.runAsOwnerOf(t, () -> t.recordCloseFailures(t.resources().closeAll()));
    }

    /** Stuck reports made so far. */
    public List<StuckTaskReport> reports() {
        synchronized (reports) {
            return List.copyOf(reports);
        }
    }

    private void loop() {
        for (;;) {
            Runnable job;
            try {
                job = jobs.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job == STOP) {
                return;
            }
            try {
                job.run();
            } catch (Throwable t) {
                t.printStackTrace(); // a reaper bug; the loop must survive it
            }
        }
    }

    /** Stops the reaper thread after the jobs already queued; waits at most one second. */
    @Override
    public void close() {
        jobs.add(STOP);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
