package org.tasklife.internal.reap;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.tasklife.StuckTaskReport;
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

    /** The kernel's name. */
    String kernelName() {
        return kernelName;
    }

    /** The kill grace period, in nanoseconds. */
    long graceNanos() {
        return graceNanos;
    }

    /** Queues the stuck check of {@code batch} on the reaper thread (the timer thread's callbacks stay short). */
    void checkStuckLater(List<TaskControlBlock> batch) {
        jobs.add(() -> batch.forEach(this::checkStuck));
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
