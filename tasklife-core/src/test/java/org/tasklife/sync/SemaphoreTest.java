package org.tasklife.sync;


import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.OVERFLOW;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Reasons.reason;

import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;

@ExtendWith(KernelExtension.class)
class SemaphoreTest {

    private static final long LONG_MS = Await.LONG.toMillis();
    private static final Duration HOUR = Duration.ofHours(1);

    /** A group whose main task sleeps until killed: a home for tasks spawned from the test. */
    private static TaskGroup idleGroup(Kernel kernel) {
        return kernel.spawnGroup("home", () -> {
            Tasks.sleep(HOUR);
            return 0;
        });
    }

    /** Spawns a task that runs {@code wait} and records whether it ended with the kill throwable. */
    private static Task<?> blockedIn(TaskGroup g, Runnable wait, AtomicBoolean sawKill) {
        return g.spawnTask("waiter", () -> {
            try {
                wait.run();
            } catch (TaskKilledError e) {
                sawKill.set(true);
                throw e;
            }
            return null;
        });
    }

    // ---- basic API (host thread) ----

    /** SPEC §9: acquire, try and release move permits one by one and n at a time. */
    @Test
    void acquireRelease_freePermits_countsPermits() {
        Semaphore s = new Semaphore(5);
        s.acquire();
        s.acquire(2);
        assertThat(s.availablePermits()).isEqualTo(2);
        assertThat(s.tryAcquire(3)).isFalse();
        assertThat(s.tryAcquire()).isTrue();
        assertThat(s.tryAcquire(1)).isTrue();
        assertThat(s.tryAcquire()).isFalse();
        s.release();
        s.release(4);
        assertThat(s.availablePermits()).isEqualTo(5);
        assertThat(s.queueLength()).isZero();
        assertThat(s.maxPermits()).isEqualTo(Integer.MAX_VALUE);
    }

    /** SPEC T1: a timed acquire takes a free permit even with a zero or negative timeout. */
    @Test
    void tryAcquireTimed_freePermitAndPassedDeadline_succeeds() {
        Semaphore s = new Semaphore(3);
        assertThat(s.tryAcquire(0, TimeUnit.NANOSECONDS)).isTrue();
        assertThat(s.tryAcquire(2, -5, TimeUnit.SECONDS)).isTrue();
        assertThat(s.availablePermits()).isZero();
        assertThat(s.tryAcquire(0, TimeUnit.NANOSECONDS)).isFalse();
        assertThat(s.tryAcquire(Duration.ZERO)).isFalse();
        assertThat(s.queueLength()).isZero();
    }

    // ---- misuse ----

    /** SPEC §12: bad constructor arguments throw IllegalArgumentException naming the argument. */
    @Test
    void constructor_badArguments_throwsIllegalArgument() {
        assertThatThrownBy(() -> new Semaphore(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initialPermits = -1");
        assertThatThrownBy(() -> new Semaphore(0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPermits = 0");
        assertThatThrownBy(() -> new Semaphore(4, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initialPermits = 4").hasMessageContaining("maxPermits = 3");
        assertThatThrownBy(() -> new Semaphore(-1, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initialPermits = -1");
    }

    /** SPEC §12: a permit count below 1 or above the maximum is refused and changes nothing. */
    @Test
    void acquireAndTry_badCount_throwsIllegalArgumentStateUnchanged() {
        Semaphore s = new Semaphore(2, 3);
        List<Runnable> misuses = List.of(
                () -> s.acquire(0), () -> s.acquire(-1), () -> s.acquire(4),
                () -> s.tryAcquire(0), () -> s.tryAcquire(4),
                () -> s.tryAcquire(0, 1, TimeUnit.SECONDS), () -> s.tryAcquire(4, Duration.ZERO),
                () -> s.release(0), () -> s.release(-2));
        for (Runnable misuse : misuses) {
            assertThatThrownBy(misuse::run).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("number of permits");
            assertThat(s.availablePermits()).isEqualTo(2);
            assertThat(s.queueLength()).isZero();
        }
    }

    /** SPEC §9, §12 (EOVERFLOW): a release past the maximum throws and releases nothing. */
    @Test
    void release_pastMax_throwsOverflowValueUnchanged() {
        Semaphore s = new Semaphore(2, 3);
        assertThatThrownBy(() -> s.release(2)).is(reason(OVERFLOW))
                .hasMessageContaining("2 available + 2").hasMessageContaining("maxPermits = 3");
        assertThat(s.availablePermits()).isEqualTo(2);
        s.release();
        assertThatThrownBy(s::release).is(reason(OVERFLOW));
        assertThat(s.availablePermits()).isEqualTo(3);

        Semaphore big = new Semaphore(Integer.MAX_VALUE - 1);
        big.release();
        assertThatThrownBy(() -> big.release(Integer.MAX_VALUE)).is(reason(OVERFLOW))
                .hasMessageContaining(Integer.MAX_VALUE + " available");
        assertThat(big.availablePermits()).isEqualTo(Integer.MAX_VALUE);
    }

    /** SPEC §12: a null unit or duration is refused. */
    @Test
    void tryAcquireTimed_nullUnit_throwsNullPointer() {
        Semaphore s = new Semaphore(1);
        assertThatThrownBy(() -> s.tryAcquire(1L, (TimeUnit) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> s.tryAcquire((Duration) null)).isInstanceOf(NullPointerException.class);
        assertThat(s.availablePermits()).isEqualTo(1);
    }

    // ---- timeouts ----

    /** SPEC T1: a timeout returns false, consumes nothing and leaves no queued waiter. */
    @Test
    void tryAcquireTimed_noPermit_returnsFalseConsumesNothing(Kernel kernel) throws Exception {
        Semaphore s = new Semaphore(1);
        TaskGroup g = idleGroup(kernel);
        AtomicReference<Boolean> result = new AtomicReference<>();
        Task<?> t = g.spawnTask("timed", () -> {
            result.set(s.tryAcquire(2, 20, TimeUnit.MILLISECONDS));
            return null;
        });
        assertThat(get(t.onExit())).isEqualTo(new ExitStatus.Exited(0));
        assertThat(result.get()).isFalse();
        assertThat(s.availablePermits()).isEqualTo(1);
        assertThat(s.queueLength()).isZero();
        killAndReap(g);
    }

    /** SPEC K9: a killed head waiter of a fair semaphore passes the permits it held back to the smaller request behind it. */
    @Test
    void acquire_headKilled_laterWaiterProceeds(Kernel kernel) throws Exception {
        Semaphore s = new Semaphore(2, true); // fair: the later request queues behind the head (no barging)
        TaskGroup g = idleGroup(kernel);
        Task<?> head = g.spawnTask("head", () -> {
            s.acquire(3); // wants 3 of the 2 free permits
            return null;
        });
        Await.state(head, TaskState.BLOCKED);
        Task<?> later = g.spawnTask("later", () -> {
            s.acquire(1);
            return null;
        });
        Await.state(later, TaskState.BLOCKED);
        assertThat(s.tryAcquire()).as("no barging past queued waiters").isFalse();
        assertThat(s.queueLength()).isEqualTo(2);

        assertThat(head.kill()).isTrue();
        assertThat(get(later.onExit())).isEqualTo(new ExitStatus.Exited(0));
        assertThat(get(head.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(s.availablePermits()).isEqualTo(1);
        assertThat(s.queueLength()).isZero();
        killAndReap(g);
    }

    /** SPEC K9, T1: a timed-out head waiter hands nothing away yet unblocks the smaller request behind it. */
    @Test
    void tryAcquireTimed_headTimesOutWithLaterQueued_laterGetsPermit(Kernel kernel) throws Exception {
        Semaphore s = new Semaphore(2);
        TaskGroup g = idleGroup(kernel);
        AtomicReference<Boolean> result = new AtomicReference<>();
        Task<?> head = g.spawnTask("head", () -> {
            result.set(s.tryAcquire(3, 200, TimeUnit.MILLISECONDS));
            return null;
        });
        Await.state(head, TaskState.BLOCKED);
        Task<?> later = g.spawnTask("later", () -> {
            s.acquire(1);
            return null;
        });
        // later either queues behind the head or arrives after the head timed out; both must end well
        assertThat(get(head.onExit())).isEqualTo(new ExitStatus.Exited(0));
        assertThat(result.get()).isFalse();
        assertThat(get(later.onExit())).isEqualTo(new ExitStatus.Exited(0));
        assertThat(s.availablePermits()).isEqualTo(1);
        assertThat(s.queueLength()).isZero();
        killAndReap(g);
    }

    // ---- kill ----

    /** SPEC K2: a task killed while blocked in acquire throws the kill throwable; nothing is consumed. */
    @Test
    void acquire_killedWhileBlocked_throwsKillErrorStateUnchanged(Kernel kernel) throws Exception {
        Semaphore s = new Semaphore(1);
        TaskGroup g = idleGroup(kernel);
        AtomicBoolean sawKill = new AtomicBoolean();
        Task<?> t = blockedIn(g, () -> s.acquire(2), sawKill);
        Await.state(t, TaskState.BLOCKED);
        assertThat(s.queueLength()).isEqualTo(1);
        assertThat(t.kill()).isTrue();
        assertThat(get(t.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(sawKill).isTrue();
        assertThat(s.queueLength()).isZero();
        assertThat(s.availablePermits()).isEqualTo(1);
        killAndReap(g);
    }

    /** SPEC K2: a task killed while blocked in a timed acquire throws the kill throwable; nothing is consumed. */
    @Test
    void tryAcquireTimed_killedWhileBlocked_throwsKillErrorStateUnchanged(Kernel kernel) throws Exception {
        Semaphore s = new Semaphore(0);
        TaskGroup g = idleGroup(kernel);
        AtomicBoolean sawKill = new AtomicBoolean();
        Task<?> t = blockedIn(g, () -> s.tryAcquire(1, 1, TimeUnit.HOURS), sawKill);
        Await.state(t, TaskState.BLOCKED);
        assertThat(t.kill()).isTrue();
        assertThat(get(t.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(sawKill).isTrue();
        assertThat(s.queueLength()).isZero();
        assertThat(s.availablePermits()).isZero();
        killAndReap(g);
    }

    /** SPEC K5: a killed task's acquire throws even with a free permit; try and release keep working. */
    @Test
    void acquire_callerAlreadyKilled_throwsWithoutTakingPermit(Kernel kernel) throws Exception {
        Semaphore s = new Semaphore(2);
        TaskGroup g = idleGroup(kernel);
        AtomicReference<String> seen = new AtomicReference<>("nothing");
        Task<?> t = g.spawnTask("unwinding", () -> {
            try {
                Tasks.sleep(HOUR);
            } catch (TaskKilledError swallowed) {
                StringBuilder b = new StringBuilder();
                try {
                    s.acquire();
                    b.append("acquired");
                } catch (TaskKilledError again) {
                    b.append("acquire threw");
                }
                try {
                    s.tryAcquire(1, 0, TimeUnit.SECONDS);
                    b.append(", timed acquired");
                } catch (TaskKilledError again) {
                    b.append(", timed threw");
                }
                b.append(", try ").append(s.tryAcquire());
                s.release();
                b.append(", released");
                seen.set(b.toString());
                throw swallowed;
            }
            return null;
        });
        Await.state(t, TaskState.BLOCKED);
        t.kill();
        assertThat(get(t.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(seen.get()).isEqualTo("acquire threw, timed threw, try true, released");
        assertThat(s.availablePermits()).isEqualTo(2);
        killAndReap(g);
    }

    /** SPEC K3: a kill racing entry into acquire is never lost; the queue ends empty every time. */
    @Test
    void acquire_killRacingEntry_neverLost(Kernel kernel) throws Exception {
        Semaphore s = new Semaphore(0);
        TaskGroup g = idleGroup(kernel);
        for (int i = 0; i < 500; i++) {
            Task<?> t = g.spawnTask("racer-" + i, () -> {
                s.acquire();
                return null;
            });
            t.kill();
            assertThat(get(t.onExit())).as("iteration %d", i).isEqualTo(ExitStatus.KILLED);
            assertThat(s.queueLength()).as("iteration %d", i).isZero();
            assertThat(s.availablePermits()).as("iteration %d", i).isZero();
        }
        killAndReap(g);
    }

    /** SPEC K9: with killed waiters among the queued, released permits all reach the survivors. */
    @Test
    void release_someWaitersKilled_allSurvivorsProceed(Kernel kernel) throws Exception {
        Semaphore s = new Semaphore(0);
        TaskGroup g = idleGroup(kernel);
        List<Task<?>> waiters = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Task<?> t = g.spawnTask("waiter-" + i, () -> {
                s.acquire(1);
                return null;
            });
            waiters.add(t);
        }
        for (Task<?> t : waiters) {
            Await.state(t, TaskState.BLOCKED);
        }
        assertThat(s.queueLength()).isEqualTo(10);
        List<Task<?>> victims = new ArrayList<>(waiters);
        Collections.shuffle(victims, new Random(42));
        victims = victims.subList(0, 5);
        List<Task<?>> survivors = new ArrayList<>(waiters);
        survivors.removeAll(victims);
        for (Task<?> v : victims) {
            assertThat(v.kill()).isTrue();
        }
        for (int i = 0; i < 5; i++) {
            s.release();
        }
        for (Task<?> v : victims) {
            assertThat(get(v.onExit())).isEqualTo(ExitStatus.KILLED);
        }
        for (Task<?> t : survivors) {
            assertThat(get(t.onExit())).isEqualTo(new ExitStatus.Exited(0));
        }
        assertThat(s.availablePermits()).isZero();
        assertThat(s.queueLength()).isZero();
        killAndReap(g);
    }

    /**
     * SPEC K9: kills racing releases never lose a permit: every released permit is either taken by an
     * acquire that returned or still available, and no waiter stays queued while permits are idle (fair:
     * once the permits are accounted for; non-fair: once the woken waiters have competed).
     */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void release_racingKills_noPermitLostOrIdle(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel);
        Random random = new Random(7);
        for (int round = 0; round < 100; round++) {
            Semaphore s = new Semaphore(0, fair);
            AtomicInteger acquired = new AtomicInteger();
            List<Task<?>> waiters = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                waiters.add(g.spawnTask("waiter-" + i, () -> {
                    s.acquire();
                    acquired.incrementAndGet();
                    return null;
                }));
            }
            for (Task<?> t : waiters) {
                Await.state(t, TaskState.BLOCKED);
            }
            List<Task<?>> victims = new ArrayList<>(waiters);
            Collections.shuffle(victims, random);
            List<Task<?>> chosen = List.copyOf(victims.subList(0, 2));
            Thread killer = new Thread(() -> chosen.forEach(Task::kill), "killer");
            killer.start();
            s.release();
            s.release();
            killer.join(LONG_MS);
            assertThat(killer.isAlive()).isFalse();
            for (Task<?> v : chosen) {
                get(v.onExit()); // Killed; or Exited if the permit won the race (it still counts)
            }
            Await.until("round settled", () -> acquired.get() + s.availablePermits() == 2,
                    () -> acquired.get() + " acquired, " + s.availablePermits() + " available");
            int r = round;
            if (fair) {
                assertThat(s.queueLength() == 0 || s.availablePermits() == 0)
                        .as("round %d: %d queued while %d permits idle", round, s.queueLength(), s.availablePermits())
                        .isTrue();
            } else { // a woken waiter may still be on its way to the permit it was woken for
                Await.until("no waiter queued while permits are idle", () -> s.queueLength() == 0 || s.availablePermits() == 0,
                        () -> "round " + r + ": " + s.queueLength() + " queued while " + s.availablePermits() + " permits idle");
            }
            waiters.forEach(Task::kill);
            for (Task<?> t : waiters) {
                get(t.onExit());
            }
            assertThat(s.queueLength()).isZero();
            assertThat(acquired.get() + s.availablePermits()).isEqualTo(2);
        }
        killAndReap(g);
    }

    /** SPEC §9: permits are handed out in FIFO order; a large head request blocks smaller later ones. */
    @Test
    void release_queuedWaiters_handsOffInFifoOrder(Kernel kernel) throws Exception {
        Semaphore s = new Semaphore(0);
        TaskGroup g = idleGroup(kernel);
        Task<?> big = g.spawnTask("big", () -> {
            s.acquire(3);
            return null;
        });
        Await.state(big, TaskState.BLOCKED);
        Task<?> small = g.spawnTask("small", () -> {
            s.acquire(1);
            return null;
        });
        Await.state(small, TaskState.BLOCKED);
        s.release(2);
        assertThat(s.availablePermits()).isEqualTo(2);
        assertThat(s.queueLength()).isEqualTo(2);
        assertThat(big.state()).isEqualTo(TaskState.BLOCKED);
        assertThat(small.state()).isEqualTo(TaskState.BLOCKED);
        s.release(2);
        assertThat(get(big.onExit())).isEqualTo(new ExitStatus.Exited(0));
        assertThat(get(small.onExit())).isEqualTo(new ExitStatus.Exited(0));
        assertThat(s.availablePermits()).isZero();
        killAndReap(g);
    }

    /** SPEC §11: a task blocked on a semaphore shows the semaphore and the count it wants. */
    @Test
    void acquire_blocked_showsWaitChannel(Kernel kernel) throws Exception {
        Semaphore s = new Semaphore(0);
        TaskGroup g = idleGroup(kernel);
        Task<?> t = g.spawnTask("waiter", () -> {
            s.acquire(2);
            return null;
        });
        Await.state(t, TaskState.BLOCKED);
        String expected = "semaphore@" + Integer.toHexString(System.identityHashCode(s)) + " (2 permits wanted)";
        assertThat(kernel.snapshot().renderTable()).contains(expected);
        t.kill();
        assertThat(get(t.onExit())).isEqualTo(ExitStatus.KILLED);
        killAndReap(g);
    }

    // ---- differential ----

    /** SPEC §9: with one task and no waiters, results match java.util.concurrent.Semaphore(fair). */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void tryAcquireRelease_randomScript_matchesJdkFairSemaphore(long seed, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel);
        AtomicReference<List<List<String>>> result = new AtomicReference<>();
        Task<?> t = g.spawnTask("script", () -> {
            Random r = new Random(seed);
            int initial = r.nextInt(6);
            Semaphore ours = new Semaphore(initial);
            java.util.concurrent.Semaphore jdk = new java.util.concurrent.Semaphore(initial, true);
            List<String> a = new ArrayList<>();
            List<String> b = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                int n = 1 + r.nextInt(3);
                switch (r.nextInt(3)) {
                    case 0 -> {
                        a.add("try(" + n + ")=" + ours.tryAcquire(n));
                        b.add("try(" + n + ")=" + jdk.tryAcquire(n));
                    }
                    case 1 -> {
                        ours.release(n);
                        jdk.release(n);
                        a.add("release(" + n + ")");
                        b.add("release(" + n + ")");
                    }
                    default -> {
                        a.add("available=" + ours.availablePermits());
                        b.add("available=" + jdk.availablePermits());
                    }
                }
            }
            result.set(List.of(a, b));
            return null;
        });
        assertThat(get(t.onExit())).isEqualTo(new ExitStatus.Exited(0));
        List<List<String>> traces = result.get();
        assertThat(traces.get(0)).hasSize(300).containsExactlyElementsOf(traces.get(1));
        killAndReap(g);
    }
}
