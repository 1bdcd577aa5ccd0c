package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.BUSY;
import static org.tasklife.TaskLifeException.Reason.DESTROYED;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Reasons.reason;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;

/**
 * Issues 3 and 5: the CAS fast path and the two fairness policies of {@link Mutex} (barging by default,
 * strict FIFO hand-off on request), and the kill races they add: a waiter woken to compete that loses
 * keeps its place, a woken waiter killed before it competes passes the wake-up on, and owner death and
 * condition waits work under both policies. Loops are bounded; every wait is event-driven (STYLE G16).
 */
@ExtendWith(KernelExtension.class)
class MutexFairnessTest {
    private static final int ROUNDS = 50 * Integer.getInteger("tasklife.stressMultiplier", 1);

    /** SPEC §9: the default mutex is non-fair; a fair one is asked for explicitly. */
    @Test
    void constructor_default_nonFair() {
        assertThat(new Mutex().isFair()).isFalse();
        assertThat(new Mutex(MutexKind.RECURSIVE).isFair()).isFalse();
        assertThat(new Mutex(MutexKind.ERROR_CHECKING, true).isFair()).isTrue();
        assertThat(new Mutex(MutexKind.NORMAL, true).toString()).contains("fair");
    }

    /** SPEC K5: a killed task's lock() throws even on a free mutex and takes nothing; tryLock and unlock keep working. */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void lock_callerAlreadyKilled_throwsWithoutTaking(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex(MutexKind.NORMAL, fair);
        Attempt a = attempt(g, "unwinding", () -> {
            try {
                Tasks.sleep(Duration.ofHours(1));
                return "not killed";
            } catch (TaskKilledError killed) {
                StringBuilder b = new StringBuilder();
                try {
                    m.lock();
                    b.append("locked");
                } catch (TaskKilledError again) {
                    b.append("lock threw, locked=").append(m.isLocked());
                }
                b.append(", try ").append(m.tryLock());
                m.unlock();
                b.append(", unlocked=").append(!m.isLocked());
                return b.toString();
            }
        });
        Await.state(a.task(), TaskState.BLOCKED);
        a.task().kill();
        assertThat(a.get()).isEqualTo("lock threw, locked=false, try true, unlocked=true");
        assertThat(m.isLocked()).isFalse();
        killAndReap(g);
    }

    /** Fair policy: unlock hands the mutex to the queued waiter at once, so the releaser cannot take it back. */
    @Test
    void unlock_fairWithWaiter_handsOffBeforeReturning(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex(MutexKind.NORMAL, true);
        m.lock();
        CountDownLatch release = new CountDownLatch(1);
        Attempt w = attempt(g, "waiter", () -> {
            m.lock();
            try {
                Fixtures.await(release);
                return m.isHeldByCurrentTask();
            } finally {
                m.unlock();
            }
        });
        Await.state(w.task(), TaskState.BLOCKED);
        m.unlock();
        assertThat(m.isLocked()).as("owned by the waiter as unlock returns").isTrue();
        assertThat(m.isHeldByCurrentTask()).isFalse();
        assertThat(m.tryLock()).as("a fair mutex never lets a newcomer overtake").isFalse();
        release.countDown();
        assertThat(w.get()).isEqualTo(true);
        assertThat(m.isLocked()).isFalse();
        assertThat(m.tryLock()).isTrue();
        m.unlock();
        killAndReap(g);
    }

    /**
     * Non-fair policy: a releaser relocking at once may overtake the waiter it woke; the waiter then goes
     * back to the head of the queue, so queued waiters still get the mutex in arrival order.
     */
    @Test
    void unlock_nonFairReleaserBarges_wokenWaiterKeepsItsPlace(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        int barged = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Mutex m = new Mutex();
            List<Integer> order = new CopyOnWriteArrayList<>();
            m.lock();
            List<Attempt> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int id = i;
                Attempt a = attempt(g, "r" + round + "w" + i, () -> {
                    m.lock();
                    try {
                        order.add(id);
                    } finally {
                        m.unlock();
                    }
                    return null;
                });
                Await.state(a.task(), TaskState.BLOCKED);
                waiters.add(a);
            }
            m.unlock();      // wakes w0 to compete
            if (m.tryLock()) { // took it before the woken waiter could: it must re-queue at the head
                barged++;
                int done = order.size(); // stable: we own the mutex
                Await.until("the woken waiter to re-queue", () -> m.queueLength() == 3 - done, m::toString);
                m.unlock();
            }
            for (Attempt a : waiters) {
                assertThat(a.get()).isNull();
            }
            assertThat(order).as("round %d", round).containsExactly(0, 1, 2);
            assertThat(m.isLocked()).isFalse();
            assertThat(m.queueLength()).isZero();
        }
        System.out.println("unlock_nonFairReleaserBarges: the releaser barged in " + barged + " of " + ROUNDS + " rounds");
        killAndReap(g);
    }

    /**
     * SPEC K9 with barging: the first waiter, woken by an unlock and killed at about the same time (before
     * or after it competed, re-queued behind a barger or not), never strands the second waiter.
     */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void unlock_wokenWaiterKilledWhileReleaserBarges_nextWaiterGetsMutex(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        for (int round = 0; round < ROUNDS; round++) {
            Mutex m = new Mutex(MutexKind.NORMAL, fair);
            m.lock();
            Attempt first = attempt(g, "r" + round + "first", () -> {
                m.lock();
                m.unlock();
                return "first";
            });
            Await.state(first.task(), TaskState.BLOCKED);
            Attempt second = attempt(g, "r" + round + "second", () -> {
                m.lock();
                m.unlock();
                return "second";
            });
            Await.state(second.task(), TaskState.BLOCKED);
            m.unlock();
            boolean barged = m.tryLock();
            first.task().kill(); // lands while it is woken, competing, re-queued, or already done
            if (barged) {
                m.unlock();
            }
            Object r = first.get();
            assertThat(r).as("round %d: first", round).satisfiesAnyOf(
                    x -> assertThat(x).isEqualTo("first"), x -> assertThat(x).isInstanceOf(TaskKilledError.class));
            assertThat(second.get()).as("round %d: second", round).isEqualTo("second");
            assertThat(m.isLocked()).isFalse();
            assertThat(m.queueLength()).isZero();
        }
        killAndReap(g);
    }

    /** Both policies: tasks hammering one mutex (fast and slow paths mixed) never overlap and all finish. */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void lock_manyTasksContending_mutualExclusionAndProgress(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex(MutexKind.NORMAL, fair);
        int tasks = 8;
        int each = 2_000;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        long[] counter = {0}; // guarded by m
        List<Attempt> all = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            int id = i;
            all.add(attempt(g, "hammer" + i, () -> {
                for (int j = 0; j < each; j++) {
                    if ((j + id) % 3 == 0) {
                        if (!m.tryLock(1, TimeUnit.HOURS)) {
                            return "timed out";
                        }
                    } else {
                        m.lock();
                    }
                    try {
                        if (inside.incrementAndGet() != 1) {
                            violations.incrementAndGet();
                        }
                        counter[0]++;
                        if (j % 64 == 0) {
                            Thread.yield(); // let others queue behind the owner
                        }
                        inside.decrementAndGet();
                    } finally {
                        m.unlock();
                    }
                }
                return "done";
            }));
        }
        for (Attempt a : all) {
            assertThat(a.get()).isEqualTo("done");
        }
        assertThat(violations.get()).isZero();
        m.lock();
        try {
            assertThat(counter[0]).isEqualTo((long) tasks * each);
        } finally {
            m.unlock();
        }
        assertThat(m.queueLength()).isZero();
        killAndReap(g);
    }

    /** SPEC §9 robust mutex, both policies: a waiter queued behind an owner killed holding the mutex gets it, told. */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void lock_ownerKilledHoldingWithWaitersQueued_firstWaiterToldOthersFollow(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex(MutexKind.NORMAL, fair);
        CountDownLatch locked = new CountDownLatch(1);
        Task<Object> owner = g.spawnTask("owner", () -> {
            m.lock();
            locked.countDown();
            Tasks.sleep(Duration.ofHours(1)); // killed here; no finally unlocks
            return null;
        });
        Fixtures.await(locked);
        List<Attempt> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(attempt(g, "waiter" + i, () -> {
                try {
                    m.lock();
                    m.unlock();
                    return "not told";
                } catch (OwnerDiedException e) {
                    m.markConsistent();
                    m.unlock();
                    return "told";
                }
            }));
            Await.state(waiters.get(i).task(), TaskState.BLOCKED);
        }
        owner.kill();
        assertThat(get(owner.onExit())).isEqualTo(ExitStatus.KILLED);
        List<Object> results = new ArrayList<>();
        for (Attempt a : waiters) {
            results.add(a.get());
        }
        assertThat(results).containsExactly("told", "not told", "not told");
        assertThat(m.isLocked()).isFalse();
        assertThat(m.isOwnerDied()).isFalse();
        assertThat(m.queueLength()).isZero();
        killAndReap(g);
    }

    /**
     * SPEC §9 robust mutex, both policies: an acquirer told of a dead owner that waits on a condition
     * without marking the mutex consistent passes the owner-died state to the next acquirer.
     */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void await_ownerDiedNotMarked_nextAcquirerIsTold(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex(MutexKind.NORMAL, fair);
        Condition c = m.newCondition();
        Task<Object> dead = g.spawnTask("dead", () -> {
            m.lock(); // ends holding it
            return null;
        });
        Fixtures.ended(dead);
        boolean[] go = {false}; // guarded by m
        Attempt told = attempt(g, "told", () -> {
            try {
                m.lock();
                return "not told";
            } catch (OwnerDiedException e) {
                try {
                    while (!go[0]) {
                        c.await(); // releases the mutex still owner-died
                    }
                    return "told, then re-acquired, owner-died " + m.isOwnerDied();
                } finally {
                    m.unlock();
                }
            }
        });
        Await.until("the told task to wait on the condition", () -> c.queueLength() == 1, c::toString);
        Attempt next = attempt(g, "next", () -> {
            try {
                m.lock();
                go[0] = true;
                c.signal();
                m.unlock();
                return "not told";
            } catch (OwnerDiedException e) {
                m.markConsistent();
                go[0] = true;
                c.signal();
                m.unlock();
                return "told";
            }
        });
        assertThat(next.get()).isEqualTo("told");
        assertThat(told.get()).isEqualTo("told, then re-acquired, owner-died false");
        assertThat(m.isLocked()).isFalse();
        killAndReap(g);
    }

    /** Both policies: two tasks handing a turn back and forth through a condition finish every round. */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void await_pingPong_everyRoundCompletes(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex(MutexKind.NORMAL, fair);
        Condition c = m.newCondition();
        int rounds = 2_000;
        int[] turn = {0}; // guarded by m
        List<Attempt> parties = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            int me = p;
            parties.add(attempt(g, "party" + p, () -> {
                for (int i = 0; i < rounds; i++) {
                    m.lock();
                    try {
                        while (turn[0] != me) {
                            c.await();
                        }
                        turn[0] = 1 - me;
                        c.signal();
                    } finally {
                        m.unlock();
                    }
                }
                return "done";
            }));
        }
        for (Attempt a : parties) {
            assertThat(a.get()).isEqualTo("done");
        }
        assertThat(m.isLocked()).isFalse();
        assertThat(c.queueLength()).isZero();
        killAndReap(g);
    }

    /** SPEC §9: a mutex with a queued waiter cannot be destroyed, under both policies; once free and unwaited it can. */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void destroy_waiterQueued_busyThenDestroyable(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex(MutexKind.NORMAL, fair);
        m.lock();
        Attempt w = attempt(g, "waiter", () -> {
            m.lock();
            m.unlock();
            return "done";
        });
        Await.state(w.task(), TaskState.BLOCKED);
        assertThatThrownBy(m::destroy).is(reason(BUSY)).hasMessageContaining("(1)");
        m.unlock();
        assertThat(w.get()).isEqualTo("done");
        m.destroy();
        assertThat(m.isDestroyed()).isTrue();
        assertThat(m.isLocked()).isFalse();
        assertThatThrownBy(m::lock).is(reason(DESTROYED));
        assertThatThrownBy(m::tryLock).is(reason(DESTROYED));
        assertThatThrownBy(m::unlock).is(reason(DESTROYED));
        killAndReap(g);
    }
}
