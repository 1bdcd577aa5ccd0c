package org.tasklife.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;

/**
 * Work stealing between CPUs (CpuScheduler implementation notes, S5), driven on the scheduler itself with
 * real threads. Placement is decided synchronously by {@code started()} on the test thread, and a release
 * decides its grant or steal inside the releasing task's {@code exit()}; so once a task's thread has
 * ended, every scheduler decision it caused is observable, whatever the thread timing.
 *
 * <p>Every scenario builds the same imbalance on 2 CPUs and no preemption: A holds CPU 0, B holds CPU 1,
 * then P (pinned to CPU 0), D and F are queued in that order; least-loaded placement puts P on CPU 0
 * (loads 1/1), D on CPU 1 (2/1) and F on CPU 0 (2/2). B exits: CPU 1 runs D from its own queue. D exits:
 * CPU 1's queue is now empty while CPU 0 still queues P and F behind A.
 */
class CpuSchedulerStealTest {
    private static final long NO_PREEMPTION = Duration.ofHours(1).toNanos();

    private final List<Worker> workers = new ArrayList<>();
    private CpuScheduler sched;

    /** One task: waits for its CPU, records it, holds it until released, then exits. */
    private final class Worker {
        final Thread thread;
        final CpuScheduler.Entity entity;
        final CountDownLatch running = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger ranOn = new AtomicInteger(-1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Worker(String name, CpuSet affinity) {
            thread = Thread.ofPlatform().daemon().name(name).unstarted(this::body);
            entity = sched.admit(thread, workers.size() + 1, PriorityClass.DEFAULT_PRIORITY, affinity);
            workers.add(this);
            thread.start();
            sched.started(thread); // placement and, on a free CPU, the grant: now, on this thread
        }

        private void body() {
            CpuScheduler.Entity me = sched.current();
            sched.start(me);
            try {
                ranOn.set(me.cpu()); // stable while it holds the token
                running.countDown();
                Fixtures.await(release); // blocks outside tasklife on purpose: keeps its CPU
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                sched.exit(me);
            }
        }

        /** Lets it exit and waits until its thread ended: its release (grant or steal) is done. */
        void finish() throws InterruptedException {
            release.countDown();
            thread.join(Await.LONG.toMillis());
            assertThat(thread.isAlive()).as(thread.getName() + " ended").isFalse();
            assertThat(failure.get()).as(thread.getName() + " failed").isNull();
        }

        boolean holdsCpu() {
            return entity.hasToken;
        }

        CpuScheduler.Placed placed() {
            return sched.placement(entity.id);
        }
    }

    @AfterEach
    void releaseEveryone() throws InterruptedException {
        try {
            for (Worker w : workers) {
                w.release.countDown(); // each exit hands its CPU on, so every queued worker runs and ends
            }
            for (Worker w : workers) {
                w.finish();
            }
            assertThat(sched.invariantViolations()).as("S1/S4 breaches").isZero();
        } finally {
            sched.close();
        }
    }

    /** A CPU released with an empty queue takes the first task of another CPU's queue that may run on it. */
    @Test
    void release_ownQueueEmpty_stealsATaskWhoseAffinityAllowsIt() throws Exception {
        sched = CpuScheduler.ofCpus(2, NO_PREEMPTION, true);
        Worker a = new Worker("A", null);
        Worker b = new Worker("B", null);
        Worker p = new Worker("P", CpuSet.of(0));
        Worker d = new Worker("D", null);
        Worker f = new Worker("F", null);
        assertThat(List.of(a.placed().cpu(), b.placed().cpu(), p.placed().cpu(), d.placed().cpu(), f.placed().cpu()))
                .as("placement of A, B, P, D, F").containsExactly(0, 1, 0, 1, 0);

        b.finish();
        assertThat(d.holdsCpu()).as("D granted CPU 1 from its own queue").isTrue();
        assertThat(sched.steals()).isZero();

        d.finish(); // CPU 1's queue is empty: it steals F (P, first on CPU 0, may not run on CPU 1)

        assertThat(sched.steals()).isEqualTo(1);
        assertThat(f.holdsCpu()).as("F granted on the thief").isTrue();
        Fixtures.await(f.running);
        assertThat(f.ranOn.get()).isEqualTo(1);
        assertThat(f.placed().cpu()).isEqualTo(1);
        assertThat(f.placed().runQueuePosition()).as("F holds its CPU").isZero();
        assertThat(a.holdsCpu()).as("A still holds CPU 0: F ran in parallel, not after it").isTrue();
        assertThat(p.placed().cpu()).as("P stays on CPU 0").isZero();
        assertThat(p.placed().runQueuePosition()).as("P still queued on CPU 0").isEqualTo(1);
    }

    /** A task pinned away from the free CPU is never stolen: that CPU idles instead. */
    @Test
    void release_onlyPinnedTasksQueuedElsewhere_stealsNothing() throws Exception {
        sched = CpuScheduler.ofCpus(2, NO_PREEMPTION, true);
        Worker a = new Worker("A", null);
        Worker b = new Worker("B", null);
        Worker p = new Worker("P", CpuSet.of(0));
        Worker d = new Worker("D", null);
        Worker f = new Worker("F", null);
        b.finish();
        d.finish(); // steals F, as above
        f.finish(); // CPU 1 again has an empty queue; CPU 0 queues only P, pinned to CPU 0

        assertThat(sched.steals()).as("only F was stolen").isEqualTo(1);
        assertThat(p.holdsCpu()).isFalse();
        assertThat(p.placed().cpu()).isZero();
        assertThat(p.placed().runQueuePosition()).isEqualTo(1);

        a.finish(); // CPU 0 frees: P runs there, where its affinity allows
        Await.until("P holds CPU 0", p::holdsCpu, () -> String.valueOf(p.placed()));
        Fixtures.await(p.running);
        assertThat(p.ranOn.get()).isZero();
        assertThat(sched.steals()).isEqualTo(1);
    }

    /** With work stealing off, a CPU released with an empty queue idles though another CPU queues work for it. */
    @Test
    void release_workStealingOff_leavesTheCpuIdle() throws Exception {
        sched = CpuScheduler.ofCpus(2, NO_PREEMPTION, false);
        assertThat(sched.workStealing()).isFalse();
        Worker a = new Worker("A", null);
        Worker b = new Worker("B", null);
        Worker p = new Worker("P", CpuSet.of(0));
        Worker d = new Worker("D", null);
        Worker f = new Worker("F", null);
        b.finish();
        d.finish();

        assertThat(sched.steals()).isZero();
        assertThat(f.holdsCpu()).isFalse();
        assertThat(f.placed().cpu()).as("F stays where it was placed").isZero();
        assertThat(f.placed().runQueuePosition()).as("F still queued on CPU 0").isPositive();

        a.finish(); // only now does F run, on CPU 0, after P
        p.finish();
        Await.until("F holds CPU 0", f::holdsCpu, () -> String.valueOf(f.placed()));
        Fixtures.await(f.running);
        assertThat(f.ranOn.get()).isZero();
        assertThat(sched.steals()).isZero();
    }

    /** The two-argument factory keeps its meaning, with work stealing on (the kernel's default). */
    @Test
    void ofCpus_withoutTheFlag_stealsByDefault() {
        sched = CpuScheduler.ofCpus(2, NO_PREEMPTION);
        assertThat(sched.workStealing()).isTrue();
    }
}
