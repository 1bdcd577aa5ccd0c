package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.await;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;

/** SPEC §9: a condition wait that re-acquires a dead owner's robust mutex is told, like any other locker. */
@ExtendWith(KernelExtension.class)
class ConditionOwnerDiedTest {

    /**
     * A waiter that locks, awaits and then ends holding the mutex (no unlock); it reports whether its
     * await threw OwnerDiedException holding the mutex.
     */
    private static Attempt abandoningWaiter(TaskGroup g, String name, Mutex m, Condition c, boolean timed) {
        return attempt(g, name, () -> {
            m.lock();
            try {
                if (timed) {
                    c.await(1, TimeUnit.HOURS);
                } else {
                    c.await();
                }
                return "not told";
            } catch (OwnerDiedException e) {
                return e.mutex() == m && m.isHeldByCurrentTask() && m.isOwnerDied() ? "told, holding" : "told, not holding";
            }
            // ends holding the mutex: its next re-acquirer must be told
        });
    }

    /** Five waiters woken by signalAll, each ending while holding the mutex: every next re-acquirer is told, holding it. */
    @Test
    void await_fiveWaitersEachEndHolding_eachReacquirerTold(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        List<Attempt> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiters.add(abandoningWaiter(g, "w" + i, m, c, i % 2 == 1));
            int queued = i + 1;
            Await.until("waiter " + i + " in the condition", () -> c.queueLength() == queued);
        }
        Task<Object> signaller = g.spawnTask("signaller", () -> {
            m.lock();
            c.signalAll();
            return null; // ends holding the mutex: the first re-acquirer is told too
        });
        assertThat(ended(signaller)).isEqualTo(ExitStatus.exited(0));

        for (Attempt w : waiters) {
            assertThat(w.get()).as("%s", w.task()).isEqualTo("told, holding");
            assertThat(ended(w.task())).isEqualTo(ExitStatus.exited(0));
        }
        // the last waiter ended holding too: the next plain locker is told as well
        assertThatThrownBy(m::lock).isInstanceOf(OwnerDiedException.class);
        m.markConsistent();
        m.unlock();
        assertThat(m.isLocked()).isFalse();
        assertThat(m.isOwnerDied()).isFalse();
        assertThat(m.queueLength()).isZero();
        killAndReap(g);
    }

    /** A waiter signalled while its mutex's owner ends holding it: await throws OwnerDiedException holding the mutex; marking it consistent restores it. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void await_ownerEndsHoldingAfterSignal_waiterToldAndCanRepair(boolean timed, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        Attempt waiter = attempt(g, "waiter", () -> {
            m.lock();
            try {
                if (timed) {
                    c.await(1, TimeUnit.HOURS);
                } else {
                    c.await();
                }
                return "not told";
            } catch (OwnerDiedException e) {
                boolean holding = m.isHeldByCurrentTask();
                m.markConsistent();
                return holding ? "told, holding" : "told, not holding";
            } finally {
                m.unlock();
            }
        });
        Await.until("waiter in the condition", () -> c.queueLength() == 1);
        Task<Object> owner = g.spawnTask("owner", () -> {
            m.lock();
            c.signal();
            return null; // ends holding
        });
        assertThat(waiter.get()).isEqualTo("told, holding");
        ended(owner);
        assertThat(m.isLocked()).isFalse();
        assertThat(m.isOwnerDied()).isFalse();
        m.lock(); // consistent again
        m.unlock();
        killAndReap(g);
    }

    /**
     * A waiter killed in await while the mutex's owner is alive, whose owner then ends holding the mutex:
     * the kill still propagates (holding the mutex, owner-died), with the OwnerDiedException attached as
     * suppressed.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void await_killedThenOwnerEndsHolding_killPropagatesWithOwnerDiedSuppressed(boolean timed, Kernel kernel)
            throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        Semaphore ownerGo = new Semaphore(0);
        CountDownLatch ownerLocked = new CountDownLatch(1);
        Attempt victim = attempt(g, "victim", () -> {
            m.lock();
            try {
                if (timed) {
                    c.await(1, TimeUnit.HOURS);
                } else {
                    c.await();
                }
                return "returned";
            } catch (TaskKilledError e) {
                String seen = (m.isHeldByCurrentTask() ? "holding" : "not holding")
                        + (m.isOwnerDied() ? ", owner died" : ", consistent")
                        + ", suppressed " + Arrays.stream(e.getSuppressed())
                                .map(s -> s.getClass().getSimpleName()).toList();
                m.markConsistent(); // repaired while unwinding: the mutex stays usable
                m.unlock();
                throw new TaskKilledError(seen);
            }
        });
        Await.state(victim.task(), TaskState.BLOCKED);
        Await.until("victim in the condition", () -> c.queueLength() == 1);
        Task<Object> owner = g.spawnTask("owner", () -> {
            m.lock();
            ownerLocked.countDown();
            ownerGo.acquire();
            return null; // ends holding
        });
        await(ownerLocked);
        victim.task().kill();
        Await.until("the killed victim waits for the mutex", () -> m.queueLength() == 1 && c.queueLength() == 0);
        ownerGo.release();

        assertThat(victim.get()).isInstanceOf(TaskKilledError.class).satisfies(e -> assertThat(((Throwable) e))
                .hasMessage("holding, owner died, suppressed [OwnerDiedException]"));
        assertThat(ended(victim.task())).isEqualTo(ExitStatus.KILLED);
        ended(owner);
        assertThat(m.isLocked()).isFalse();
        assertThat(m.isOwnerDied()).isFalse();
        assertThat(m.queueLength()).isZero();
        killAndReap(g);
    }

    /** A killed waiter that unwinds without repairing leaves the mutex not recoverable, as for any told locker that unlocks. */
    @Test
    void await_killedReacquiresDeadOwnersMutexAndJustUnlocks_notRecoverable(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        Semaphore ownerGo = new Semaphore(0);
        CountDownLatch ownerLocked = new CountDownLatch(1);
        Attempt victim = attempt(g, "victim", () -> {
            m.lock();
            try {
                c.await();
                return "returned";
            } finally {
                m.unlock(); // the usual finally: not marked consistent
            }
        });
        Await.until("victim in the condition", () -> c.queueLength() == 1);
        Task<Object> owner = g.spawnTask("owner", () -> {
            m.lock();
            ownerLocked.countDown();
            ownerGo.acquire();
            return null;
        });
        await(ownerLocked);
        victim.task().kill();
        Await.until("the killed victim waits for the mutex", () -> m.queueLength() == 1);
        ownerGo.release();

        assertThat(victim.get()).isInstanceOf(TaskKilledError.class);
        ended(owner);
        assertThat(m.isNotRecoverable()).isTrue();
        assertThatThrownBy(m::lock).isInstanceOf(MutexNotRecoverableException.class);
        killAndReap(g);
    }
}
