package org.tasklife.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.tasklife.Domain;
import org.tasklife.DomainOptions;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskBody;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledException;
import org.tasklife.Tasks;
import org.tasklife.testkit.InjectedBug;

/** The schedule explorer: seeded and exhaustive search, replay of what they find. */
class ScheduleExplorerTest {

    /** Two tasks each read, reach a safe point, then write: the classic lost update. */
    private static int lostUpdate() throws Exception {
        AtomicInteger shared = new AtomicInteger();
        Task<?> a = Tasks.spawnTask("a", () -> increment(shared));
        Task<?> b = Tasks.spawnTask("b", () -> increment(shared));
        a.join();
        b.join();
        if (shared.get() != 2) {
            throw new AssertionError("lost update: " + shared.get());
        }
        return 0;
    }

    private static Object increment(AtomicInteger shared) {
        int v = shared.get();
        Tasks.checkpoint(); // a preemption here loses the other task's write
        shared.set(v + 1);
        return null;
    }

    @Test
    void exhaustive_withoutPreemptions_provesNothingFails_withOne_findsTheLostUpdate() {
        ScheduleExplorer.Result none = ScheduleExplorer.exhaustive(0).explore(ScheduleExplorerTest::lostUpdate);
        assertThat(none.failed()).isFalse();
        assertThat(none.exhausted()).isTrue();
        assertThat(none.runs()).isGreaterThan(1); // the order in which a and b first run is still a choice

        ScheduleExplorer.Result one = ScheduleExplorer.exhaustive(1).explore(ScheduleExplorerTest::lostUpdate);
        assertThat(one.failed()).isTrue();
        ScheduleExplorer.Failure f = one.firstFailure().orElseThrow();
        assertThat(f.reason()).contains("lost update: 1");
        assertThat(f.cause()).get().isInstanceOf(AssertionError.class);
        assertThat(f.schedule().decisions()).contains(1);
        assertThat(f.trace()).anyMatch(line -> line.contains("preempt"));
    }

    @Test
    void aFailingSchedule_replaysTheSameRun_asOftenAsAsked() {
        ScheduleExplorer explorer = ScheduleExplorer.exhaustive(1);
        ScheduleExplorer.Failure f = explorer.explore(ScheduleExplorerTest::lostUpdate).firstFailure().orElseThrow();
        Schedule parsed = Schedule.parse(f.schedule().toString());
        assertThat(parsed).isEqualTo(f.schedule());
        for (int i = 0; i < 3; i++) {
            ScheduleExplorer.Failure again = explorer.replay(parsed, ScheduleExplorerTest::lostUpdate).orElseThrow();
            assertThat(again.reason()).isEqualTo(f.reason());
            assertThat(again.trace()).isEqualTo(f.trace());
        }
        assertThat(explorer.replay(Schedule.choices(), ScheduleExplorerTest::lostUpdate)).as("no preemption").isEmpty();
    }

    @Test
    void seeds_findTheLostUpdate_shrinkItToOnePreemption_andBothSchedulesReplayIt() throws Exception {
        ScheduleExplorer explorer = ScheduleExplorer.seeds(0, 500);
        ScheduleExplorer.Result r = explorer.explore(ScheduleExplorerTest::lostUpdate);
        ScheduleExplorer.Failure f = r.firstFailure().orElseThrow();
        long seed = f.found().seedValue().orElseThrow();
        System.out.println("lost update: first failing seed " + seed + ", shrunk to " + f.schedule());
        assertThat(r.runs()).isEqualTo(seed + 1); // every seed before it passed
        // shrunk: the only non-zero decision left is the one preemption the lost update needs
        assertThat(f.schedule().seedValue()).isEmpty();
        assertThat(java.util.Arrays.stream(f.schedule().decisions()).filter(d -> d != 0)).containsExactly(1);
        assertThat(f.reason()).contains("lost update: 1");
        assertThat(explorer.replay(f.found(), ScheduleExplorerTest::lostUpdate)).get()
                .extracting(ScheduleExplorer.Failure::reason).isEqualTo(f.reason());
        // a kernel booted on the shrunk schedule, set up as the explorer does, runs the same interleaving
        try (Kernel k = f.schedule().applyTo(Kernel.builder()).jmx(false).boot()) {
            Domain d = k.createDomain(DomainOptions.named("scenario").stopWhenEmpty(true));
            TaskGroup g = d.spawnGroup("scenario", ScheduleExplorerTest::lostUpdate);
            assertThat(d.awaitStopped(Duration.ofHours(1))).isTrue();
            assertThat(g.onExit().getNow(null)).isInstanceOf(ExitStatus.Failed.class);
            assertThat(k.schedulerTrace()).isEqualTo(f.trace());
        }
    }

    @Test
    void shrinkRuns0_reportsTheScheduleAsFound() {
        ScheduleExplorer.Result r = ScheduleExplorer.seeds(0, 500).shrinkRuns(0).explore(ScheduleExplorerTest::lostUpdate);
        ScheduleExplorer.Failure f = r.firstFailure().orElseThrow();
        // the recorded decisions of the seed's run: the same run, so the same trace
        assertThat(ScheduleExplorer.seeds(0, 1).replay(f.schedule(), ScheduleExplorerTest::lostUpdate)).get()
                .extracting(ScheduleExplorer.Failure::trace).isEqualTo(f.trace());
        assertThatThrownBy(() -> ScheduleExplorer.seeds(0, 1).shrinkRuns(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shrinkRuns");
    }

    @Test
    void aDeadlock_isReportedWithWhereEachTaskIsBlocked_inVirtualTime() {
        long start = System.nanoTime();
        ScheduleExplorer.Result r = ScheduleExplorer.exhaustive(1).explore(() -> {
            org.tasklife.sync.Mutex m1 = new org.tasklife.sync.Mutex();
            org.tasklife.sync.Mutex m2 = new org.tasklife.sync.Mutex();
            Task<?> a = Tasks.spawnTask("a", () -> lockBoth(m1, m2));
            Task<?> b = Tasks.spawnTask("b", () -> lockBoth(m2, m1));
            a.join();
            b.join();
            return 0;
        });
        ScheduleExplorer.Failure f = r.firstFailure().orElseThrow();
        assertThat(f.reason()).contains("still blocked after PT24H of virtual time").contains("mutex");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    private static Object lockBoth(org.tasklife.sync.Mutex first, org.tasklife.sync.Mutex second) {
        first.lock();
        try {
            second.lock();
            second.unlock();
        } finally {
            first.unlock();
        }
        return null;
    }

    @Test
    void blockingOutsideTasklife_failsTheRun_withTheTaskAndItsStack() throws Exception {
        java.util.concurrent.CountDownLatch jdkLatch = new java.util.concurrent.CountDownLatch(1);
        try {
            ScheduleExplorer.Result r = ScheduleExplorer.exhaustive(0).explore(() -> {
                Tasks.spawnTask("jdk-waiter", () -> {
                    jdkLatch.await(); // invisible to tasklife, and it keeps the only CPU
                    return null;
                }).join();
                return 0;
            });
            ScheduleExplorer.Failure f = r.firstFailure().orElseThrow();
            assertThat(f.reason()).startsWith("a task is blocked outside tasklife: ").contains("jdk-waiter")
                    .contains("CountDownLatch.await");
            assertThat(r.runs()).isEqualTo(1);
        } finally {
            jdkLatch.countDown();
        }
    }

    @Test
    void aScenarioThatIsNotAFunctionOfTheSchedule_isRefused() {
        AtomicInteger runs = new AtomicInteger();
        ScheduleExplorer.Result r = ScheduleExplorer.exhaustive(1).explore(() -> {
            int extra = runs.incrementAndGet() % 2; // state kept across runs: every other run spawns one more task
            for (int i = 0; i < 2 + extra; i++) {
                Tasks.spawnTask("t" + i, () -> {
                    Tasks.checkpoint();
                    return null;
                });
            }
            return 0;
        });
        assertThat(r.firstFailure()).get().extracting(ScheduleExplorer.Failure::reason).asString()
                .contains("not a function of the schedule");
    }

    @Test
    void maxRuns_boundsTheSearch() {
        ScheduleExplorer.Result r = ScheduleExplorer.exhaustive(3).maxRuns(5).explore(() -> {
            for (int i = 0; i < 3; i++) {
                Tasks.spawnTask("t" + i, () -> {
                    Tasks.checkpoint();
                    Tasks.checkpoint();
                    return null;
                });
            }
            return 0;
        });
        assertThat(r.runs()).isEqualTo(5);
        assertThat(r.exhausted()).isFalse();
        assertThat(r.failed()).isFalse();
    }

    /**
     * awkernel's SPIN properties (seed-systems §2, K6/K8), model-checked on the real scheduler: every
     * schedule with at most 3 preemptions (2,093 runs) of a victim that takes a contended mutex, reaches safe points
     * inside it and then blocks on a semaphore, a contender for the mutex, and a kill from the main task.
     * In every schedule: the kill is delivered and never lost (the victim ends Killed, however it was
     * preempted or queued), the victim runs no code of its own after the kill returned, nothing
     * deadlocks, and the scheduler never granted a CPU to a dead task nor to two holders (its invariant
     * breach counter stays 0).
     */
    @Test
    void awkernelProperties_holdInEverySchedule_upToThreePreemptions() {
        ScheduleExplorer.Result r = ScheduleExplorer.exhaustive(3).maxRuns(20_000)
                .explore(ScheduleExplorerTest::killRacingRescheduling);
        assertThat(r.firstFailure()).as("first failing schedule").isEmpty();
        assertThat(r.exhausted()).as("every schedule within the bound tried, in %d runs", r.runs()).isTrue();
        assertThat(r.distinctTraces()).isGreaterThan(100);
    }

    /**
     * The read-write lock's fast paths under every schedule with at most 2 preemptions: two readers (one
     * re-entering), a writer killed wherever the schedule has it (queued, holding, or not yet there). In
     * every schedule: writer and readers never overlap, the kill is honoured or arrives after the writer
     * ended, nothing deadlocks, and the lock is free at the end.
     */
    @Test
    void readWriteLock_exclusionAndKills_holdInEverySchedule_upToTwoPreemptions() {
        ScheduleExplorer.Result r = ScheduleExplorer.exhaustive(2).maxRuns(20_000)
                .explore(ScheduleExplorerTest::readersAndAKilledWriter);
        System.out.println("rwlock: " + r.runs() + " schedules, " + r.distinctTraces() + " distinct traces");
        assertThat(r.firstFailure()).as("first failing schedule").isEmpty();
        assertThat(r.exhausted()).as("every schedule within the bound tried, in %d runs", r.runs()).isTrue();
        assertThat(r.distinctTraces()).isGreaterThan(10);
    }

    private static int readersAndAKilledWriter() throws Exception {
        org.tasklife.sync.ReadWriteLock rw = new org.tasklife.sync.ReadWriteLock();
        AtomicInteger readers = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean();
        TaskBody<Object> reader = () -> {
            rw.readLock();
            try {
                readers.incrementAndGet();
                if (writing.get()) {
                    throw new AssertionError("a reader inside while the writer is");
                }
                Tasks.checkpoint();
            } finally {
                readers.decrementAndGet();
                rw.readUnlock();
            }
            return null;
        };
        Task<Object> r1 = Tasks.spawnTask("r1", reader);
        Task<Object> w = Tasks.spawnTask("w", () -> {
            rw.writeLock();
            try {
                writing.set(true);
                if (readers.get() != 0) {
                    throw new AssertionError("the writer inside with " + readers.get() + " readers");
                }
                Tasks.checkpoint();
            } finally {
                writing.set(false);
                rw.writeUnlock();
            }
            return null;
        });
        Task<Object> r2 = Tasks.spawnTask("r2", () -> {
            rw.readLock();
            try {
                return reader.run(); // re-entry
            } finally {
                rw.readUnlock();
            }
        });
        Tasks.checkpoint();
        boolean killed = w.kill();
        try {
            w.join();
        } catch (TaskKilledException e) {
            if (!killed) {
                throw new AssertionError("the writer ended Killed though kill() said false");
            }
        }
        r1.join();
        r2.join();
        if (!rw.tryWriteLock()) {
            throw new AssertionError("the lock is not free at the end: " + rw);
        }
        rw.writeUnlock();
        return 0;
    }

    private static int killRacingRescheduling() throws Exception {
        org.tasklife.sync.Mutex m = new org.tasklife.sync.Mutex();
        org.tasklife.sync.Semaphore never = new org.tasklife.sync.Semaphore(0);
        AtomicInteger victimSteps = new AtomicInteger();
        Task<Object> victim = Tasks.spawnTask("victim", () -> {
            for (int i = 0; i < 2; i++) {
                m.lock();
                try {
                    victimSteps.incrementAndGet();
                    Tasks.checkpoint();
                } finally {
                    m.unlock();
                }
            }
            never.acquire(); // only a kill ends this
            return null;
        });
        Task<Object> contender = Tasks.spawnTask("contender", () -> {
            m.lock();
            try {
                Tasks.checkpoint();
            } finally {
                m.unlock();
            }
            return null;
        });
        Tasks.checkpoint();
        if (!victim.kill()) {
            throw new AssertionError("the kill found the victim ended: it cannot end by itself");
        }
        int stepsAtKill = victimSteps.get();
        contender.join();
        try {
            victim.join();
            throw new AssertionError("the victim ended without its kill");
        } catch (TaskKilledException expected) {
            // the kill was not lost
        }
        if (victimSteps.get() != stepsAtKill) {
            throw new AssertionError("the victim ran after its kill: " + stepsAtKill + " -> " + victimSteps.get());
        }
        long breaches = org.tasklife.internal.group.KernelCore.groupOf(org.tasklife.internal.task.TaskControlBlock.current())
                .core().scheduler().invariantViolations();
        if (breaches != 0) {
            throw new AssertionError(breaches + " scheduler invariant breaches (dead task granted, or two holders)");
        }
        return 0;
    }

    /** Wait queues the injected bug strands a task on: signalled after the search, so that nothing leaks. */
    private static final java.util.List<org.tasklife.internal.wait.WaitQueue> STRANDED =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A victim in a wait that forgets to publish itself to kill (DESIGN I3 broken), and its killer. */
    private static int injectedBug() throws Exception {
        org.tasklife.internal.wait.WaitQueue event = new org.tasklife.internal.wait.WaitQueue();
        STRANDED.add(event);
        Task<Object> victim = Tasks.spawnTask("victim", () -> {
            InjectedBug.buggyAwait(event);
            return null;
        });
        Task<Object> killer = Tasks.spawnTask("killer", () -> {
            Tasks.checkpoint();
            victim.kill();
            return null;
        });
        killer.join();
        try {
            victim.join();
        } catch (TaskKilledException expected) {
            // the kill landed before the bug could bite
        }
        return 0;
    }

    @Test
    void exhaustiveSearch_findsTheInjectedKillBug_andItsScheduleReplaysIt() throws Exception {
        try {
            ScheduleExplorer explorer = ScheduleExplorer.exhaustive(0);
            ScheduleExplorer.Result r = explorer.explore(ScheduleExplorerTest::injectedBug);
            ScheduleExplorer.Failure f = r.firstFailure().orElseThrow();
            assertThat(f.reason()).contains("still blocked").contains("victim");
            assertThat(r.runs()).isLessThanOrEqualTo(3);
            ScheduleExplorer.Failure again = explorer.replay(f.schedule(), ScheduleExplorerTest::injectedBug).orElseThrow();
            assertThat(again.trace()).isEqualTo(f.trace());
        } finally {
            STRANDED.forEach(org.tasklife.internal.wait.WaitQueue::signalAll); // frees what no kill could find
            org.tasklife.testkit.Await.until("stranded victims gone",
                    () -> org.tasklife.internal.wait.WaitQueue.linkedNodesInJvm() == 0);
        }
    }

    @Test
    void seedSearch_findsTheInjectedKillBug_andReportsTheFirstFailingSeed_whichReplaysIt() throws Exception {
        try {
            ScheduleExplorer explorer = ScheduleExplorer.seeds(0, 200);
            ScheduleExplorer.Result r = explorer.explore(ScheduleExplorerTest::injectedBug);
            ScheduleExplorer.Failure f = r.firstFailure().orElseThrow();
            long seed = f.found().seedValue().orElseThrow();
            System.out.println("injected kill bug: first failing seed " + seed + " after " + r.runs() + " runs,"
                    + " shrunk to " + f.schedule());
            assertThat(r.runs()).isEqualTo(seed + 1); // every seed before it passed
            assertThat(explorer.replay(Schedule.seed(seed), ScheduleExplorerTest::injectedBug)).get()
                    .extracting(ScheduleExplorer.Failure::reason).asString().startsWith("tasks still blocked");
            assertThat(explorer.replay(f.schedule(), ScheduleExplorerTest::injectedBug)).get()
                    .extracting(ScheduleExplorer.Failure::trace).isEqualTo(f.trace());
        } finally {
            STRANDED.forEach(org.tasklife.internal.wait.WaitQueue::signalAll);
            org.tasklife.testkit.Await.until("stranded victims gone",
                    () -> org.tasklife.internal.wait.WaitQueue.linkedNodesInJvm() == 0);
        }
    }

    @Test
    void schedule_textFormRoundTrips_andBadInputIsNamed() {
        Schedule s = Schedule.choices(0, 0, 0, 1, 2, 2, 0, 0);
        assertThat(s).hasToString("choices 0*3 1 2*2");
        assertThat(Schedule.parse("choices 0*3 1 2*2")).isEqualTo(s);
        assertThat(s.decisions()).containsExactly(0, 0, 0, 1, 2, 2);
        assertThat(Schedule.parse(" seed  -7 ")).isEqualTo(Schedule.seed(-7));
        assertThat(Schedule.choices()).hasToString("choices");
        assertThatThrownBy(() -> Schedule.choices(0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("decisions[1]");
        assertThatThrownBy(() -> Schedule.parse("seed x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seed x");
        assertThatThrownBy(() -> Schedule.parse("choices 1*0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeat count 0");
        assertThatThrownBy(() -> Schedule.parse("order 1 2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"order 1 2\"");
    }

    @Test
    void badSettings_areRefusedByName() {
        assertThatThrownBy(() -> ScheduleExplorer.seeds(0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count");
        assertThatThrownBy(() -> ScheduleExplorer.exhaustive(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPreemptions");
        assertThatThrownBy(() -> ScheduleExplorer.exhaustive(1).maxRuns(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRuns");
        assertThatThrownBy(() -> ScheduleExplorer.exhaustive(1).virtualTimeLimit(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("virtualTimeLimit");
        assertThatThrownBy(() -> ScheduleExplorer.exhaustive(1).realTimeLimit(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("realTimeLimit");
    }
}
