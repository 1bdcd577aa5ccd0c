package org.tasklife.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.acceptance.H2Harness.settle;
import static org.tasklife.acceptance.H2Harness.spin;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.DomainEvent;
import org.tasklife.DomainState;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.SpawnOptions;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.sync.Barrier;
import org.tasklife.sync.Condition;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.ReadWriteLock;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * The H2 pthread suite's teardown rows (seed-systems §4.7): the 4 {@code exit()} rows, the 2
 * {@code pthread_exit} rows, the 10 {@code stuck_in_*} rows and the {@code exit_vs_futex_block} race
 * reproducer, plus the domain-stop scenarios of §4.4 HB3 and §4.3 HA4. Each scenario runs in a fresh
 * domain under the H2 harness rule (§4.6, {@link H2Harness}).
 *
 * <p>Where H2 is a stub, the real thing is tested: H2's rwlock is ENOSYS, so {@code stuck_in_rwlock_rd}
 * and {@code _wr} park a reader behind a writer and a writer behind a reader; H2's timed waits busy-loop
 * in user space, so {@code stuck_in_cond_timedwait} and {@code stuck_in_sem_timedwait} park with a
 * long deadline and check that the stop cancels the timers.
 *
 * <p>"Settle" (H2: a 1M-nop busy loop) is {@link H2Harness#settle}: the test thread polls until the
 * tasks are BLOCKED, and only then lets the exiting task go (through a semaphore), so nothing here
 * depends on a sleep. The two race rows instead loop with random spin delays ({@link Thread#onSpinWait()},
 * no safe point) on both sides, {@value #BASE_ITERATIONS} iterations times
 * {@code -Dtasklife.stressMultiplier}, alternating platform and virtual threads for the racing tasks;
 * the spin sequence is fixed by the test JVM's {@code tasklife.seed} property (the build does not forward
 * it; a failure message names the seed, iteration, spins and thread kind). Measured on 2 cores, both outcomes of each
 * race are common with platform threads (the killed task reaches its wait before, or only after, the
 * exit), so the window where it commits to blocking during the teardown is swept.
 */
@ExtendWith(KernelExtension.class)
class H2TeardownAcceptanceTest {
    private static final int BASE_ITERATIONS = 1_000;
    private static final int ITERATIONS = BASE_ITERATIONS * Integer.getInteger("tasklife.stressMultiplier", 1);
    private static final long SEED = Long.getLong("tasklife.seed", 0x48325f5241434cL);
    private static final ExitStatus KILLED = ExitStatus.KILLED;

    // ---------------------------------------------------------------------------------------------
    // exit() teardown: expected status 1

    /** exit1_main_mutex: exit(1) from main reaps a mutex holder parked on a semaphore and a task blocked on the mutex; status Exited(1). */
    @Test
    void exit1MainMutex_holderAndBlockerParked_bothReapedStatusOne(Kernel kernel) {
        Mutex m = new Mutex();
        Semaphore never = new Semaphore(0);
        Semaphore go = new Semaphore(0);
        H2Harness h = H2Harness.create(kernel, "exit1_main_mutex");
        h.start(() -> {
            go.acquire();
            Tasks.exitGroup(1);
            return 1;
        });
        Task<?> holder = spawnHolder(h, "holder", m, never);
        settle(holder); // parked on the semaphore, so it holds M
        Task<?> blocker = spawnLocker(h, "blocker", m);
        settle(blocker);
        go.release();
        h.expectStop(ExitStatus.exited(1));
        assertThat(List.of(holder, blocker)).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
        assertThat(m.queueLength()).isZero();
        assertThat(never.queueLength()).isZero();
    }

    /** exit1_main_cond_wait: exit(1) from main reaps 4 tasks waiting on a condition; status Exited(1). */
    @Test
    void exit1MainCondWait_fourWaiters_allReapedStatusOne(Kernel kernel) {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        Semaphore go = new Semaphore(0);
        H2Harness h = H2Harness.create(kernel, "exit1_main_cond_wait");
        h.start(() -> {
            go.acquire();
            Tasks.exitGroup(1);
            return 1;
        });
        List<Task<?>> waiters = spawnCondWaiters(h, 4, c);
        settle(waiters.toArray(Task<?>[]::new));
        assertThat(c.queueLength()).isEqualTo(4);
        go.release();
        h.expectStop(ExitStatus.exited(1));
        assertThat(waiters).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
        assertThat(c.queueLength()).isZero();
        assertThat(m.isLocked()).as("every killed waiter re-acquired and unlocked").isFalse();
    }

    /** exit1_worker_cond_wait: exit(1) from a worker tears down everything, including a main blocked on a semaphore; status Exited(1). */
    @Test
    void exit1WorkerCondWait_exitFromWorker_reapsBlockedMainStatusOne(Kernel kernel) {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        Semaphore never = new Semaphore(0);
        Semaphore go = new Semaphore(0);
        H2Harness h = H2Harness.create(kernel, "exit1_worker_cond_wait");
        h.start(() -> {
            never.acquire();
            h.fail("main woke from a semaphore nobody posts");
            return 0;
        });
        List<Task<?>> waiters = spawnCondWaiters(h, 3, c);
        Task<?> exiter = h.spawn("exiter", () -> {
            go.acquire();
            Tasks.exitGroup(1);
            return null;
        });
        settle(waiters.toArray(Task<?>[]::new));
        settle(h.mainTask(), exiter);
        go.release();
        h.expectStop(ExitStatus.exited(1));
        assertThat(h.mainTask().exitStatus()).hasValue(KILLED);
        assertThat(waiters).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
        assertThat(exiter.exitStatus()).get().isNotEqualTo(KILLED);
        assertThat(c.queueLength()).isZero();
        assertThat(never.queueLength()).isZero();
        assertThat(m.isLocked()).isFalse();
    }

    /** exit1_detached_worker_with_stuck: exit(1) from a detached task reaps a mutex holder, a task blocked on the mutex and a parked main; status Exited(1). */
    @Test
    void exit1DetachedWorkerWithStuck_settled_allReapedStatusOne(Kernel kernel) {
        Mutex m = new Mutex();
        Semaphore never = new Semaphore(0);
        Semaphore go = new Semaphore(0);
        H2Harness h = H2Harness.create(kernel, "exit1_detached_worker_with_stuck");
        h.start(() -> {
            never.acquire();
            h.fail("main woke from a semaphore nobody posts");
            return 0;
        });
        Task<?> holder = spawnHolder(h, "holder", m, never);
        settle(holder);
        Task<?> blocker = spawnLocker(h, "blocker", m);
        Task<?> exiter = h.spawn(SpawnOptions.named("exiter").detached(true), () -> {
            go.acquire();
            Tasks.exitGroup(1);
            return null;
        });
        settle(blocker, exiter, h.mainTask());
        go.release();
        h.expectStop(ExitStatus.exited(1));
        assertThat(List.of(holder, blocker, h.mainTask())).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
        assertThat(exiter.exitStatus()).get().isNotEqualTo(KILLED);
        assertThat(m.queueLength()).isZero();
    }

    /**
     * exit1_detached_worker_with_stuck (race): with random delays on the exiter's and the blocker's
     * side, the detached exiter's exit(1) reaps every task, including a blocker that reaches the mutex
     * during the teardown; status Exited(1), no hang.
     */
    @Test
    @Tag("stress")
    void exit1DetachedWorkerWithStuck_randomDelaysBothSides_alwaysStopsWithStatusOne(Kernel kernel) {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < ITERATIONS; i++) {
            int exiterSpin = randomSpin(random);
            int blockerSpin = randomSpin(random);
            boolean platform = i % 2 == 1;
            try {
                exit1DetachedWorkerRace(kernel, i, exiterSpin, blockerSpin, platform);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("exit1_detached_worker_with_stuck iteration " + i + " (seed " + SEED
                        + ", exiter spin " + exiterSpin + ", blocker spin " + blockerSpin
                        + (platform ? ", platform" : ", virtual") + " threads)", e);
            }
        }
    }

    /**
     * One run of the race. Unlike H2, the blocker and the exiter start together from a gate, so that
     * their spin counts, not the order in which they were spawned, decide who gets ahead.
     */
    private static void exit1DetachedWorkerRace(Kernel kernel, int iteration, int exiterSpin, int blockerSpin,
            boolean platform) {
        Mutex m = new Mutex();
        Semaphore held = new Semaphore(0);
        Semaphore start = new Semaphore(0);
        Semaphore never = new Semaphore(0);
        AtomicReference<Task<?>> holder = new AtomicReference<>();
        AtomicReference<Task<?>> blocker = new AtomicReference<>();
        H2Harness h = H2Harness.create(kernel, "exit1_detached_worker_with_stuck#" + iteration);
        h.start(() -> {
            holder.set(h.spawn("holder", () -> {
                m.lock();
                held.release();
                never.acquire();
                h.fail("holder woke from a semaphore nobody posts");
                return null;
            }));
            held.acquire(); // the holder owns M before the blocker exists
            blocker.set(h.spawn(racer("blocker", platform), () -> {
                start.acquire();
                spin(blockerSpin);
                m.lock();
                h.fail("blocker acquired M");
                return null;
            }));
            h.spawn(racer("exiter", platform).detached(true), () -> {
                start.acquire();
                spin(exiterSpin);
                Tasks.exitGroup(1);
                return null;
            });
            start.release(2);
            never.acquire();
            h.fail("main woke from a semaphore nobody posts");
            return 0;
        });
        h.expectStop(ExitStatus.exited(1));
        assertThat(holder.get().exitStatus()).hasValue(KILLED);
        assertThat(blocker.get().exitStatus()).hasValue(KILLED);
        assertThat(m.queueLength()).isZero();
        assertThat(start.queueLength()).isZero();
        assertThat(never.queueLength()).isZero();
    }

    // ---------------------------------------------------------------------------------------------
    // pthread_exit from main: expected status 0

    /** pthread_exit_main: main's Tasks.exit() ends only main; the 6 workers (3 joinable, 3 detached) run on and the last one's exit(0) ends the domain with Exited(0). */
    @Test
    void pthreadExitMain_mainExitsFirst_workersRunAndLastExitsZero(Kernel kernel) {
        Semaphore go = new Semaphore(0);
        Semaphore mainGone = new Semaphore(0);
        AtomicInteger ran = new AtomicInteger();
        H2Harness h = H2Harness.create(kernel, "pthread_exit_main");
        h.start(() -> {
            for (int i = 0; i < 6; i++) {
                SpawnOptions o = SpawnOptions.named("worker" + i);
                h.spawn(i < 3 ? o : o.detached(true), () -> {
                    go.acquire();
                    mainGone.acquire(); // "settle": released once main has ended
                    if (ran.incrementAndGet() == 6) {
                        Tasks.exitGroup(0);
                    }
                    return null;
                });
            }
            go.release(6);
            Tasks.exit();
            h.fail("Tasks.exit() returned");
            return 1;
        });
        Task<?> main = h.mainTask();
        Await.state(main, TaskState.TERMINATED);
        assertThat(main.exitStatus()).hasValue(ExitStatus.exited(0));
        assertThat(h.process().exitStatus()).as("main's exit() did not end the group").isEmpty();
        assertThat(h.domain().state()).isEqualTo(DomainState.RUNNING);
        // main's slot is given back just after it is TERMINATED
        Await.until("6 live workers", () -> h.domain().liveTaskCount() == 6, () -> h.domain().liveTaskCount() + " live");
        mainGone.release(6);
        h.expectStop(ExitStatus.exited(0));
        assertThat(ran.get()).isEqualTo(6);
    }

    /** pthread_workers_return: after main's Tasks.exit(), the 6 workers just return and the domain ends with Exited(0) though nobody called exit and nobody joined. */
    @Test
    void pthreadWorkersReturn_mainExitsWorkersReturn_domainStopsZero(Kernel kernel) {
        Semaphore go = new Semaphore(0);
        Semaphore mainGone = new Semaphore(0);
        AtomicInteger ran = new AtomicInteger();
        List<Task<?>> workers = new CopyOnWriteArrayList<>();
        H2Harness h = H2Harness.create(kernel, "pthread_workers_return");
        h.start(() -> {
            for (int i = 0; i < 6; i++) {
                SpawnOptions o = SpawnOptions.named("worker" + i);
                workers.add(h.spawn(i < 3 ? o : o.detached(true), () -> {
                    go.acquire();
                    mainGone.acquire();
                    ran.incrementAndGet();
                    return null;
                }));
            }
            go.release(6);
            Tasks.exit();
            h.fail("Tasks.exit() returned");
            return 1;
        });
        Await.state(h.mainTask(), TaskState.TERMINATED);
        assertThat(h.process().exitStatus()).isEmpty();
        mainGone.release(6);
        h.expectStop(ExitStatus.exited(0));
        assertThat(ran.get()).isEqualTo(6);
        assertThat(workers).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(ExitStatus.exited(0)));
        assertThat(h.process().exitStatus()).hasValue(ExitStatus.exited(0));
    }

    // ---------------------------------------------------------------------------------------------
    // stuck_in_*: main returns 0 while tasks are blocked; every blocked task is reaped, status 0

    /** stuck_in_join: main returning 0 reaps a task parked on a semaphore and a task blocked joining it. */
    @Test
    void stuckInJoin_joinerAndTarget_bothReaped(Kernel kernel) {
        Semaphore never = new Semaphore(0);
        H2Harness h = H2Harness.idle(kernel, "stuck_in_join");
        Task<Object> b = h.spawn("B", () -> {
            never.acquire();
            h.fail("B woke from a semaphore nobody posts");
            return null;
        });
        Task<?> a = h.spawn("A", () -> {
            b.join();
            h.fail("join(B) returned");
            return null;
        });
        settle(b, a);
        h.finish();
        assertThat(List.of(a, b)).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
    }

    /** stuck_in_mutex: main returning 0 reaps a mutex holder parked on a semaphore and a task blocked on the mutex. */
    @Test
    void stuckInMutex_holderAndBlocker_bothReaped(Kernel kernel) {
        Mutex m = new Mutex();
        Semaphore never = new Semaphore(0);
        H2Harness h = H2Harness.idle(kernel, "stuck_in_mutex");
        Task<?> holder = spawnHolder(h, "holder", m, never);
        settle(holder);
        Task<?> blocker = spawnLocker(h, "blocker", m);
        settle(blocker);
        h.finish();
        assertThat(List.of(holder, blocker)).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
        assertThat(m.queueLength()).isZero();
    }

    /** stuck_in_cond_wait: main returning 0 reaps 4 tasks waiting on a condition. */
    @Test
    void stuckInCondWait_fourWaiters_allReaped(Kernel kernel) {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        H2Harness h = H2Harness.idle(kernel, "stuck_in_cond_wait");
        List<Task<?>> waiters = spawnCondWaiters(h, 4, c);
        settle(waiters.toArray(Task<?>[]::new));
        h.finish();
        assertThat(waiters).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
        assertThat(c.queueLength()).isZero();
        assertThat(m.isLocked()).isFalse();
    }

    /** stuck_in_cond_timedwait (as in H2): a 1 ms timed condition wait times out, holding the mutex again; main waits for it and returns 0. */
    @Test
    void stuckInCondTimedwait_shortDeadline_timesOutHoldingMutex(Kernel kernel) throws Exception {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        H2Harness h = H2Harness.idle(kernel, "stuck_in_cond_timedwait");
        Object out = h.run("timed-waiter", () -> {
            m.lock();
            try {
                return List.of(c.await(1, TimeUnit.MILLISECONDS), m.isHeldByCurrentTask());
            } finally {
                m.unlock();
            }
        });
        assertThat(out).as("ETIMEDOUT, mutex owned again").isEqualTo(List.of(false, true));
        h.finish();
    }

    /** stuck_in_cond_timedwait (real block): main returning 0 reaps a task in a 600 s timed condition wait and cancels its timer. */
    @Test
    void stuckInCondTimedwait_longDeadline_reapedAndTimerCancelled(Kernel kernel) {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        H2Harness h = H2Harness.idle(kernel, "stuck_in_cond_timedwait");
        Task<?> waiter = h.spawn("timed-waiter", () -> {
            m.lock();
            try {
                c.await(600, TimeUnit.SECONDS);
                h.fail("timed condition wait returned");
            } finally {
                m.unlock();
            }
            return null;
        });
        settle(waiter);
        assertThat(kernel.pendingTimerCount()).as("the wait's timer is armed").isEqualTo(1);
        h.finish(); // the harness checks pendingTimerCount() is back to 0
        assertThat(waiter.exitStatus()).hasValue(KILLED);
        assertThat(c.queueLength()).isZero();
        assertThat(m.isLocked()).isFalse();
    }

    /** stuck_in_sem_wait: main returning 0 reaps 4 tasks waiting on a zero semaphore. */
    @Test
    void stuckInSemWait_fourWaiters_allReaped(Kernel kernel) {
        Semaphore s = new Semaphore(0);
        H2Harness h = H2Harness.idle(kernel, "stuck_in_sem_wait");
        List<Task<?>> waiters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiters.add(h.spawn("waiter" + i, () -> {
                s.acquire();
                h.fail("semaphore wait returned");
                return null;
            }));
        }
        settle(waiters.toArray(Task<?>[]::new));
        assertThat(s.queueLength()).isEqualTo(4);
        h.finish();
        assertThat(waiters).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
        assertThat(s.queueLength()).isZero();
        assertThat(s.availablePermits()).isZero();
    }

    /** stuck_in_sem_timedwait: main returning 0 reaps 3 tasks in 600 s timed semaphore waits and cancels their timers. */
    @Test
    void stuckInSemTimedwait_threeWaiters_reapedAndTimersCancelled(Kernel kernel) {
        Semaphore s = new Semaphore(0);
        H2Harness h = H2Harness.idle(kernel, "stuck_in_sem_timedwait");
        List<Task<?>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(h.spawn("waiter" + i, () -> {
                boolean got = s.tryAcquire(600, TimeUnit.SECONDS);
                h.fail("timed semaphore wait returned " + got);
                return null;
            }));
        }
        settle(waiters.toArray(Task<?>[]::new));
        assertThat(kernel.pendingTimerCount()).as("one armed timer per waiter").isEqualTo(3);
        h.finish();
        assertThat(waiters).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
        assertThat(s.queueLength()).isZero();
    }

    /** stuck_in_rwlock_rd (real lock; H2: ENOSYS): main returning 0 reaps a writer parked holding the write lock and a reader blocked behind it. */
    @Test
    void stuckInRwlockRd_readerBehindWriter_bothReaped(Kernel kernel) {
        ReadWriteLock rw = new ReadWriteLock();
        Semaphore never = new Semaphore(0);
        H2Harness h = H2Harness.idle(kernel, "stuck_in_rwlock_rd");
        Task<?> writer = h.spawn("writer", () -> {
            rw.writeLock();
            never.acquire();
            h.fail("writer woke from a semaphore nobody posts");
            return null;
        });
        settle(writer);
        assertThat(rw.isWriteLocked()).isTrue();
        Task<?> reader = h.spawn("reader", () -> {
            rw.readLock();
            h.fail("reader acquired the read lock while a writer held it");
            return null;
        });
        settle(reader);
        assertThat(rw.queueLength()).isEqualTo(1);
        h.finish();
        assertThat(List.of(writer, reader)).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
        assertThat(rw.queueLength()).isZero();
    }

    /** stuck_in_rwlock_wr (real lock; H2: ENOSYS): main returning 0 reaps a reader parked holding the read lock and a writer blocked behind it. */
    @Test
    void stuckInRwlockWr_writerBehindReader_bothReaped(Kernel kernel) {
        ReadWriteLock rw = new ReadWriteLock();
        Semaphore never = new Semaphore(0);
        H2Harness h = H2Harness.idle(kernel, "stuck_in_rwlock_wr");
        Task<?> reader = h.spawn("reader", () -> {
            rw.readLock();
            never.acquire();
            h.fail("reader woke from a semaphore nobody posts");
            return null;
        });
        settle(reader);
        Task<?> writer = h.spawn("writer", () -> {
            rw.writeLock();
            // granted only after the killed reader's death released its read hold (SPEC §9), which happens in
            // the teardown that has already flagged this writer killed: a grant won before the kill's wake-up
            // returns normally (K5), and the next blocking call unwinds it
            try {
                Tasks.checkpoint();
                h.fail("writer ran on after its kill");
            } finally {
                rw.writeUnlock();
            }
            return null;
        });
        settle(writer);
        assertThat(rw.queueLength()).isEqualTo(1);
        assertThat(rw.isWriteLocked()).isFalse();
        h.finish();
        assertThat(List.of(writer, reader)).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
        assertThat(rw.queueLength()).isZero();
        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.readHoldCount()).isZero();
    }

    /** stuck_in_barrier: main returning 0 reaps 3 tasks waiting at a 4-party barrier. */
    @Test
    void stuckInBarrier_threeOfFourParties_allReaped(Kernel kernel) {
        Barrier barrier = new Barrier(4);
        H2Harness h = H2Harness.idle(kernel, "stuck_in_barrier");
        List<Task<?>> parties = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parties.add(h.spawn("party" + i, () -> {
                barrier.await();
                h.fail("barrier tripped with 3 of 4 parties");
                return null;
            }));
        }
        settle(parties.toArray(Task<?>[]::new));
        assertThat(barrier.numberWaiting()).isEqualTo(3);
        h.finish();
        assertThat(parties).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
        assertThat(barrier.numberWaiting()).isZero();
    }

    /** stuck_in_pthread_exit_joined: a joinable task that returned and was never joined does not keep the domain alive; status 0. */
    @Test
    void stuckInPthreadExitJoined_returnedNeverJoined_domainStopsZero(Kernel kernel) {
        H2Harness h = H2Harness.idle(kernel, "stuck_in_pthread_exit_joined");
        Task<String> worker = h.spawn("worker", () -> "returned");
        Await.state(worker, TaskState.TERMINATED);
        assertThat(kernel.findTask(worker.id())).as("not joined: its record is kept").isPresent();
        h.finish();
        assertThat(worker.exitStatus()).hasValue(ExitStatus.exited(0));
    }

    // ---------------------------------------------------------------------------------------------
    // Race reproducer

    /**
     * exit_vs_futex_block: A releases B and calls exit(0) while B, after a random delay, goes to block
     * on a semaphore nobody posts; whether B is still running, entering the wait or parked when A
     * exits, the domain stops cleanly with Exited(0) and B is reaped (SPEC K3, H2 HA3/HB2).
     */
    @Test
    @Tag("stress")
    void exitVsFutexBlock_randomDelaysBothSides_alwaysStopsCleanly(Kernel kernel) {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < ITERATIONS; i++) {
            int aSpin = randomSpin(random);
            int bSpin = randomSpin(random);
            boolean platform = i % 2 == 1;
            try {
                exitVsFutexBlock(kernel, i, aSpin, bSpin, platform);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("exit_vs_futex_block iteration " + i + " (seed " + SEED + ", A spin " + aSpin
                        + ", B spin " + bSpin + (platform ? ", platform" : ", virtual") + " threads)", e);
            }
        }
    }

    private static void exitVsFutexBlock(Kernel kernel, int iteration, int aSpin, int bSpin, boolean platform) {
        Semaphore go = new Semaphore(0);
        Semaphore futex = new Semaphore(0);
        Semaphore never = new Semaphore(0);
        AtomicReference<Task<?>> b = new AtomicReference<>();
        H2Harness h = H2Harness.create(kernel, "exit_vs_futex_block#" + iteration);
        h.start(() -> {
            b.set(h.spawn(racer("B", platform), () -> {
                go.acquire();
                spin(bSpin);
                futex.acquire();
                h.fail("B woke from a futex nobody wakes");
                return null;
            }));
            h.spawn(racer("A", platform), () -> {
                go.release();
                spin(aSpin);
                Tasks.exitGroup(0);
                return null;
            });
            never.acquire();
            h.fail("main woke from a semaphore nobody posts");
            return 1;
        });
        h.expectStop(ExitStatus.exited(0));
        assertThat(b.get().exitStatus()).hasValue(KILLED);
        assertThat(futex.queueLength()).isZero();
        assertThat(go.queueLength()).isZero();
    }

    // ---------------------------------------------------------------------------------------------
    // §4.4 HB3 and §4.3 HA4: domain stop and notification

    /**
     * HB3 (VMOP_KILL_VM of self): a task that stops its own domain and then, wrongly, locks a mutex
     * another task holds throws the kill instead of deadlocking; the domain stops with the status it
     * recorded, Exited(3).
     */
    @Test
    void domainStopFromInside_thenLockHeldMutex_callerKilledStatusThree(Kernel kernel) {
        Mutex m = new Mutex();
        Semaphore never = new Semaphore(0);
        AtomicBoolean recorded = new AtomicBoolean();
        AtomicReference<Throwable> thrownByLock = new AtomicReference<>();
        H2Harness h = H2Harness.create(kernel, "hb3_stop_then_lock");
        h.start(() -> {
            never.acquire();
            h.fail("main woke from a semaphore nobody posts");
            return 0;
        });
        Task<?> a = spawnHolder(h, "A", m, never);
        settle(a);
        Task<?> b = h.spawn("B", () -> {
            recorded.set(Tasks.currentDomain().stop(3));
            try {
                m.lock();
            } catch (TaskKilledError expected) {
                thrownByLock.set(expected);
                throw expected;
            }
            h.fail("B acquired M after stopping its own domain");
            return null;
        });
        h.expectStop(ExitStatus.exited(3));
        assertThat(recorded).as("B's stop(3) recorded the status").isTrue();
        assertThat(thrownByLock.get()).isInstanceOf(TaskKilledError.class);
        assertThat(List.of(a, b, h.mainTask())).allSatisfy(t -> assertThat(t.exitStatus()).hasValue(KILLED));
        assertThat(m.queueLength()).isZero();
    }

    /** HA4: a domain whose 3 tasks (each a group) exit 0 one after another reports exactly one Stopped event, with Exited(0), after the third. */
    @Test
    void domainEvents_threeTasksExitZero_oneStoppedEventAfterThird(Kernel kernel) throws Exception {
        H2Harness h = H2Harness.create(kernel, "ha4_three_exit_zero");
        List<Semaphore> gates = new ArrayList<>();
        List<TaskGroup> groups = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Semaphore gate = new Semaphore(0);
            gates.add(gate);
            groups.add(h.spawnGroup("task" + i, () -> {
                gate.acquire();
                return 0;
            }));
        }
        for (int i = 0; i < 2; i++) {
            gates.get(i).release();
            assertThat(Fixtures.ended(groups.get(i))).isEqualTo(ExitStatus.exited(0));
            assertThat(h.domain().state()).as("after task %d", i).isEqualTo(DomainState.RUNNING);
            assertThat(h.events()).as("events after task %d", i).isEmpty();
        }
        Await.until("1 live task", () -> h.domain().liveTaskCount() == 1, () -> h.domain().liveTaskCount() + " live");
        gates.get(2).release();
        h.expectStop(ExitStatus.exited(0)); // exactly one Stopped event, with Exited(0)
        assertThat(h.events()).as("no AbnormalExit for Exited(0) groups").hasSize(1);
    }

    /** HA4: a group ending with Exited(2) while others live is reported at once (AbnormalExit, live tasks > 0); the Stopped event follows when the last task ends. */
    @Test
    void domainEvents_groupEndsTwoWhileOthersLive_earlyAbnormalExitThenStopped(Kernel kernel) throws Exception {
        Semaphore gateA = new Semaphore(0);
        Semaphore gateB = new Semaphore(0);
        H2Harness h = H2Harness.create(kernel, "ha4_abnormal_then_stopped");
        TaskGroup a = h.spawnGroup("A", () -> {
            gateA.acquire();
            return 2;
        });
        TaskGroup b = h.spawnGroup("B", () -> {
            gateB.acquire();
            return 0;
        });
        gateA.release();
        assertThat(Fixtures.ended(a)).isEqualTo(ExitStatus.exited(2));
        Await.until("AbnormalExit event", () -> !h.events().isEmpty(), () -> "events: " + h.events());
        assertThat(h.events()).hasSize(1);
        assertThat(h.events().get(0)).isInstanceOfSatisfying(DomainEvent.AbnormalExit.class, e -> {
            assertThat(e.domain().id()).isEqualTo(h.domain().id());
            assertThat(e.groupId()).isEqualTo(a.id());
            assertThat(e.status()).isEqualTo(ExitStatus.exited(2));
            assertThat(e.liveTasks()).as("B's main is still live").isEqualTo(1);
        });
        assertThat(h.domain().state()).isEqualTo(DomainState.RUNNING);
        gateB.release();
        // the domain's status is that of the last group that ended: B's Exited(0)
        h.expectStop(ExitStatus.exited(0));
        assertThat(Fixtures.ended(b)).isEqualTo(ExitStatus.exited(0));
        assertThat(h.events()).hasSize(2);
        assertThat(h.events().get(1)).isInstanceOf(DomainEvent.Stopped.class);
    }

    // ---------------------------------------------------------------------------------------------

    /** A task that locks {@code m} and parks on {@code never} for good (it ends holding {@code m}). */
    private static Task<?> spawnHolder(H2Harness h, String name, Mutex m, Semaphore never) {
        return h.spawn(name, () -> {
            m.lock();
            never.acquire();
            h.fail(name + " woke from a semaphore nobody posts");
            return null;
        });
    }

    /** A task that blocks locking {@code m}, which another task holds for good. */
    private static Task<?> spawnLocker(H2Harness h, String name, Mutex m) {
        return h.spawn(name, () -> {
            m.lock();
            h.fail(name + " acquired a mutex held for good");
            return null;
        });
    }

    /** {@code n} tasks waiting on {@code c} with its mutex, the JDK way (unlock in finally). */
    private static List<Task<?>> spawnCondWaiters(H2Harness h, int n, Condition c) {
        List<Task<?>> waiters = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "waiter" + i;
            waiters.add(h.spawn(name, () -> {
                c.mutex().lock();
                try {
                    c.await();
                    h.fail(name + " woken from a condition nobody signals");
                } finally {
                    c.mutex().unlock();
                }
                return null;
            }));
        }
        return waiters;
    }

    /**
     * A spin count spread over 0..131071 (up to about 3 ms) on a log scale, so that short and long
     * delays are both common and the point where the two sides cross is swept at every scale.
     */
    private static int randomSpin(SplittableRandom random) {
        return random.nextInt(1 << random.nextInt(18));
    }

    /**
     * Options for a racing task. Platform threads race for real on 2 cores. Virtual threads mostly do
     * not: a virtual thread unparked by another one is queued on the waker's carrier and runs only when
     * the waker parks or ends, unless an idle carrier steals it; they test the default configuration.
     */
    private static SpawnOptions racer(String name, boolean platform) {
        SpawnOptions o = SpawnOptions.named(name);
        return platform ? o.platformThread(true) : o;
    }
}
