package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.mainOf;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.tasklife.internal.wait.WaitQueue;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.BlockingOp;
import org.tasklife.testkit.BlockingOp.Scenario;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;

/** Scheduler mode (issue 7): CPU tokens, priorities, affinity, kills of preempted tasks. */
class SchedulerModeTest {

    private static Kernel cpus(int n) {
        return Kernel.builder().name("sched").cpus(n).timeSlice(Duration.ofMillis(1)).boot();
    }

    private static void closeAudited(Kernel k) {
        try {
            KernelExtension.audit(k);
        } finally {
            k.close(Await.LONG);
        }
    }

    /** S1: with N CPUs, at most N tasks run task code at once, however many are runnable. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void atMostNTasksRunAtOnce(int n) throws Exception {
        Kernel k = cpus(n);
        try {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            TaskGroup g = k.spawnGroup("spinners", () -> {
                List<Task<Object>> spinners = new java.util.ArrayList<>();
                for (int i = 0; i < 7; i++) {
                    spinners.add(Tasks.spawnTask("spin" + i, () -> {
                        for (int r = 0; r < 200; r++) {
                            int now = running.incrementAndGet();
                            most.accumulateAndGet(now, Math::max);
                            Thread.onSpinWait();
                            running.decrementAndGet();
                            Tasks.yieldNow(); // a safe point: the CPU may go to another task
                        }
                        return null;
                    }));
                }
                for (Task<Object> t : spinners) {
                    t.join();
                }
                return 0;
            });
            assertThat(ended(g)).isEqualTo(ExitStatus.exited(0));
            g.reap();
            assertThat(most.get()).isBetween(1, n);
        } finally {
            closeAudited(k);
        }
    }

    /** Real-time classes run before normal ones; within a class, the lower number first. */
    @Test
    void priorities_decideWhoRunsNext() throws Exception {
        Kernel k = Kernel.builder().name("sched").cpus(1).timeSlice(Duration.ofHours(1)).boot(); // no preemption
        try {
            List<String> order = new CopyOnWriteArrayList<>();
            CountDownLatch queued = new CountDownLatch(1);
            AtomicBoolean release = new AtomicBoolean();
            TaskGroup g = k.spawnGroup(SpawnOptions.named("g").priority(0), () -> {
                // holds the only CPU while the others are spawned, so they all wait in the run queue (at
                // priority 0 none of them is more urgent: no wake-up preemption)
                List<Task<Boolean>> ts = List.of(
                        Tasks.spawnTask(SpawnOptions.named("user").priority(60), () -> order.add("user")),
                        Tasks.spawnTask(SpawnOptions.named("idle").priority(99), () -> order.add("idle")),
                        Tasks.spawnTask(SpawnOptions.named("rt").priority(5), () -> order.add("rt")),
                        Tasks.spawnTask(SpawnOptions.named("system").priority(35), () -> order.add("system")));
                queued.countDown();
                while (!release.get()) {
                    Thread.onSpinWait(); // no safe point: keeps the CPU
                }
                for (Task<Boolean> t : ts) {
                    t.join(); // gives up the CPU: the queued four run, by priority
                }
                return 0;
            });
            Fixtures.await(queued);
            release.set(true);

            assertThat(ended(g)).isEqualTo(ExitStatus.exited(0));
            Await.until("all four ran", () -> order.size() == 4);
            assertThat(order).containsExactly("rt", "system", "user", "idle");
            g.reap();
        } finally {
            closeAudited(k);
        }
    }

    /**
     * Wake-up preemption (S7): a real-time task made runnable while a normal task holds the only CPU runs
     * at that task's next safe point, although its slice (an hour) is far from over; a normal task made
     * runnable does not preempt a normal holder before its slice ends.
     */
    @Test
    void aMoreUrgentTask_preemptsAtTheNextSafePoint_anEqualClassWaitsForTheSlice() throws Exception {
        Kernel k = Kernel.builder().name("sched").cpus(1).timeSlice(Duration.ofHours(1)).boot();
        try {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger spins = new AtomicInteger();
            CountDownLatch spinning = new CountDownLatch(1);
            TaskGroup normal = k.spawnGroup(SpawnOptions.named("normal").priority(60), () -> {
                spinning.countDown();
                while (!stop.get()) {
                    spins.incrementAndGet();
                    Tasks.checkpoint(); // safe points, but its slice lasts an hour
                }
                return 0;
            });
            Fixtures.await(spinning);

            // same class: queued behind the spinner for its whole slice
            AtomicBoolean peerRan = new AtomicBoolean();
            TaskGroup peer = k.spawnGroup(SpawnOptions.named("peer").priority(60), () -> {
                peerRan.set(true);
                return 0;
            });
            int before = spins.get();
            Await.until("the spinner keeps its CPU through 10,000 more safe points", () -> spins.get() > before + 10_000);
            assertThat(peerRan).isFalse();

            // real-time: runs at once, while the spinner has not been told to stop
            TaskGroup urgent = k.spawnGroup(SpawnOptions.named("urgent").priority(5), () -> {
                int seen = spins.get();
                stop.set(true);
                return seen > 0 ? 0 : 1;
            });
            assertThat(ended(urgent)).isEqualTo(ExitStatus.exited(0));
            assertThat(ended(normal)).isEqualTo(ExitStatus.exited(0));
            assertThat(ended(peer)).isEqualTo(ExitStatus.exited(0));
            normal.reap();
            peer.reap();
            urgent.reap();
        } finally {
            closeAudited(k);
        }
    }

    /** VeridianOS V6 without silent loss: an affinity naming no CPU of the kernel fails the spawn, nothing created. */
    @Test
    void affinityMatchingNoCpu_failsTheSpawn_andCreatesNothing() throws Exception {
        Kernel k = cpus(2);
        try {
            Domain d = k.createDomain("d");
            assertThatThrownBy(() -> d.spawnGroup(SpawnOptions.named("far").affinity(5), () -> 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("affinity {5}")
                    .hasMessageContaining("online: {0, 1}");
            assertThat(d.liveTaskCount()).isZero();
            assertThat(d.groupCount()).isZero();
            assertThat(k.liveTaskCount()).isZero();
            TaskGroup g = d.spawnGroup(SpawnOptions.named("near").affinity(1), () -> 7);
            assertThat(ended(g)).isEqualTo(ExitStatus.exited(7));
            g.reap();
            assertThatThrownBy(() -> SpawnOptions.named("x").affinity(new int[0]))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> SpawnOptions.named("x").priority(-1)).isInstanceOf(IllegalArgumentException.class);
        } finally {
            closeAudited(k);
        }
    }

    /** awkernel K6/K8: a task killed while preempted (waiting for its CPU) never runs task code again. */
    @Test
    void killOfAPreemptedTask_isNeverLost_andItRunsNoMoreCode() throws Exception {
        Kernel k = cpus(1);
        try {
            AtomicBoolean hog = new AtomicBoolean(true);
            AtomicInteger stepsAfterKill = new AtomicInteger();
            AtomicBoolean killed = new AtomicBoolean();
            CountDownLatch victimRan = new CountDownLatch(1);
            TaskGroup g = k.spawnGroup("g", Fixtures::sleepForever);
            Task<Object> victim = g.spawnTask("victim", () -> {
                victimRan.countDown();
                for (;;) {
                    if (killed.get()) {
                        stepsAfterKill.incrementAndGet();
                    }
                    Tasks.yieldNow(); // queues behind the hog each time
                }
            });
            Fixtures.await(victimRan);
            Task<Object> hogTask = g.spawnTask("hog", () -> {
                while (hog.get()) {
                    Tasks.checkpoint();
                }
                return null;
            });
            Await.until("hog running", () -> hogTask.state() == TaskState.RUNNING);

            killed.set(true);
            assertThat(victim.kill()).isTrue();
            hog.set(false);

            assertThat(ended(victim)).isEqualTo(ExitStatus.KILLED);
            assertThat(stepsAfterKill.get()).isLessThanOrEqualTo(1); // at most the step it was in
            g.kill();
            ended(g);
            g.reap();
        } finally {
            closeAudited(k);
        }
    }

    /** Every way of blocking still ends by kill in scheduler mode (STYLE G15). */
    @ParameterizedTest
    @EnumSource(BlockingOp.class)
    void killWhileBlocked_inSchedulerMode(BlockingOp op) throws Exception {
        Kernel k = cpus(2);
        try {
            TaskGroup home = Fixtures.idleGroup(k, "home");
            Await.state(mainOf(k, home), TaskState.BLOCKED);
            Scenario s = op.prepare(k, home);
            Attempt a = attempt(home, op.name(), () -> {
                s.block();
                return "returned";
            });
            Await.state(a.task(), TaskState.BLOCKED);

            a.task().kill();

            assertThat(a.get()).isInstanceOf(TaskKilledError.class);
            s.release();
            Fixtures.killAndReap(home);
        } finally {
            closeAudited(k);
        }
    }

    /** A mutex and a semaphore under contention in scheduler mode: everything still completes, nothing lost. */
    @Test
    void contendedPrimitives_completeUnderTokens() throws Exception {
        Kernel k = cpus(2);
        try {
            Mutex m = new Mutex();
            Semaphore sem = new Semaphore(2);
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger counter = new AtomicInteger();
            TaskGroup g = k.spawnGroup("g", () -> {
                List<Task<Object>> ts = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    ts.add(Tasks.spawnTask("w" + i, () -> {
                        for (int r = 0; r < 100; r++) {
                            m.lock();
                            try {
                                assertThat(inside.incrementAndGet()).isEqualTo(1);
                                counter.incrementAndGet();
                                inside.decrementAndGet();
                            } finally {
                                m.unlock();
                            }
                            sem.acquire();
                            sem.release();
                        }
                        return null;
                    }));
                }
                for (Task<Object> t : ts) {
                    t.join();
                }
                return 0;
            });
            assertThat(get(g.onExit())).isEqualTo(ExitStatus.exited(0));
            assertThat(counter.get()).isEqualTo(800);
            g.reap();
            assertThat(WaitQueue.linkedNodesInJvm()).isZero();
        } finally {
            closeAudited(k);
        }
    }

    /** snapshot() shows each task's CPU, priority and run-queue position, and its exact CPU time. */
    @Test
    void snapshot_showsCpuPriorityAndRunQueuePosition() throws Exception {
        Kernel k = Kernel.builder().name("sched").cpus(1).timeSlice(Duration.ofHours(1)).boot();
        try {
            AtomicBoolean release = new AtomicBoolean();
            CountDownLatch queued = new CountDownLatch(1);
            // the hog is real-time 5: neither task it spawns is more urgent, so both stay queued (no S7)
            TaskGroup g = k.spawnGroup(SpawnOptions.named("hog").priority(5), () -> {
                Task<Object> user = Tasks.spawnTask(SpawnOptions.named("user").priority(70), () -> null);
                Task<Object> rt = Tasks.spawnTask(SpawnOptions.named("rt").priority(10), () -> null);
                queued.countDown();
                while (!release.get()) {
                    Thread.onSpinWait(); // holds the only CPU: no safe point
                }
                user.join();
                rt.join();
                return 0;
            });
            Fixtures.await(queued);
            List<TaskInfo> rows;
            try {
                Await.until("both queued",
                        () -> k.snapshot().tasks().stream().filter(t -> t.runQueuePosition() > 0).count() == 2,
                        () -> k.snapshot().tasks().toString());
                rows = k.snapshot().tasks();
            } finally {
                release.set(true);
            }

            TaskInfo hog = rows.stream().filter(t -> t.name().equals("hog")).findFirst().orElseThrow();
            TaskInfo rt = rows.stream().filter(t -> t.name().equals("rt")).findFirst().orElseThrow();
            TaskInfo user = rows.stream().filter(t -> t.name().equals("user")).findFirst().orElseThrow();
            assertThat(hog.cpu()).isZero();
            assertThat(hog.priority()).isEqualTo(5);
            assertThat(hog.runQueuePosition()).isZero();
            assertThat(hog.cpuNanos()).isPositive();
            assertThat(rt.runQueuePosition()).isEqualTo(1);
            assertThat(user.runQueuePosition()).isEqualTo(2);
            assertThat(user.priority()).isEqualTo(70);
            assertThat(ended(g)).isEqualTo(ExitStatus.exited(0));
            g.reap();
        } finally {
            closeAudited(k);
        }
    }

    /**
     * A killed condition waiter must re-acquire its mutex before it unwinds (SPEC §9); while the holder
     * sleeps, that unkillable wait gives the only CPU up, or the holder could never run to unlock.
     */
    @Test
    void killedConditionWaiter_reacquiringAHeldMutex_givesUpItsCpu() throws Exception {
        Kernel k = cpus(1);
        try {
            Mutex m = new Mutex();
            org.tasklife.sync.Condition c = m.newCondition();
            CountDownLatch holding = new CountDownLatch(1);
            TaskGroup g = Fixtures.idleGroup(k, "g");
            Attempt waiter = attempt(g, "waiter", () -> {
                m.lock();
                try {
                    c.await();
                } finally {
                    m.unlock();
                }
                return "signalled";
            });
            Await.state(waiter.task(), TaskState.BLOCKED);
            Task<Object> holder = g.spawnTask("holder", () -> {
                m.lock();
                try {
                    holding.countDown();
                    Tasks.sleep(Duration.ofMillis(50)); // holds m, gives the CPU up
                } finally {
                    m.unlock();
                }
                return null;
            });
            Fixtures.await(holding);

            waiter.task().kill();

            assertThat(waiter.get()).isInstanceOf(TaskKilledError.class);
            assertThat(ended(holder)).isEqualTo(ExitStatus.exited(0));
            assertThat(m.isLocked()).isFalse();
            Fixtures.killAndReap(g);
        } finally {
            closeAudited(k);
        }
    }

    /**
     * awkernel's SPIN properties (seed-systems §2.3) under kills racing re-scheduling, on 2 CPUs with 1 ms
     * slices and in deterministic mode: a killed task eventually terminates; a pending kill is never lost
     * across re-scheduling (every killed task ends Killed); no terminal task is ever dispatched again and no
     * CPU ever has two holders (the scheduler counts breaches).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"cpus", "deterministic"})
    void killsRacingRescheduling_neverLost_noTerminalTaskDispatched(String mode) throws Exception {
        Kernel k = mode.equals("cpus") ? cpus(2) : Kernel.builder().name("det").deterministic(11).boot();
        try {
            int n = 60;
            java.util.List<Task<Object>> victims = new java.util.concurrent.CopyOnWriteArrayList<>();
            TaskGroup g = k.spawnGroup("g", () -> {
                for (int i = 0; i < n; i++) {
                    int me = i;
                    victims.add(Tasks.spawnTask("v" + i, () -> {
                        for (;;) {
                            if (me % 3 == 0) {
                                Tasks.yieldNow();       // re-queued again and again
                            } else if (me % 3 == 1) {
                                Tasks.checkpoint();     // preempted at safe points
                            } else {
                                Tasks.sleep(Duration.ofMillis(1)); // parked and woken by its timer
                            }
                        }
                    }));
                }
                for (int i = 0; i < n; i++) {
                    victims.get((i * 7) % n).kill(); // kills land while victims run, wait for a CPU, or sleep
                    Tasks.yieldNow();
                }
                for (Task<Object> v : victims) {
                    try {
                        v.join();
                    } catch (TaskKilledException expected) {
                        // every victim is killed
                    }
                }
                return 0;
            });

            assertThat(ended(g)).isEqualTo(ExitStatus.exited(0));
            for (Task<Object> v : victims) {
                assertThat(v.exitStatus()).contains(ExitStatus.KILLED);
            }
            g.reap();
            assertThat(k.core().scheduler().invariantViolations()).isZero();
        } finally {
            closeAudited(k);
        }
    }
}
