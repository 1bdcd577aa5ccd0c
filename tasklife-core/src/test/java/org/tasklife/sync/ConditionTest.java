package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.NOT_PERMITTED;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Reasons.reason;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskState;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;

@ExtendWith(KernelExtension.class)
class ConditionTest {

    /** A body that waits on {@code c} once and reports whether it held the mutex on the way out. */
    private static Attempt waiter(TaskGroup g, String name, Mutex m, Condition c, boolean timed) {
        return attempt(g, name, () -> {
            m.lock();
            try {
                if (timed) {
                    return c.await(1, TimeUnit.HOURS) ? "signalled" : "timed out";
                }
                c.await();
                return "signalled";
            } catch (TaskKilledError e) {
                if (!m.isHeldByCurrentTask()) {
                    throw new AssertionError("await threw without re-acquiring the mutex", e);
                }
                throw e;
            } finally {
                m.unlock();
            }
        });
    }

    /** SPEC §9, §12: awaiting without owning the mutex throws TaskLifeException(NOT_PERMITTED) and changes nothing. */
    @Test
    void await_withoutMutex_throwsNotPermitted(Kernel kernel) throws Exception {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        assertThat(c.mutex()).isSameAs(m);
        assertThatThrownBy(c::await).is(reason(NOT_PERMITTED))
                .hasMessageContaining("only by the owner of its mutex");
        assertThatThrownBy(() -> c.await(1, TimeUnit.SECONDS)).is(reason(NOT_PERMITTED));
        TaskGroup g = idleGroup(kernel, "home");
        m.lock();
        Attempt other = attempt(g, "other", () -> {
            c.await();
            return null;
        });
        assertThat(other.get()).is(reason(NOT_PERMITTED));
        assertThat(c.queueLength()).isZero();
        assertThat(m.isHeldByCurrentTask()).isTrue();
        m.unlock();
        killAndReap(g);
    }

    /** SPEC §9: signal and signalAll without waiters are no-ops; a later waiter does not see them. */
    @Test
    void signal_noWaiters_isNoOp() {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        c.signal();
        c.signalAll();
        m.lock();
        try {
            assertThat(c.await(0, TimeUnit.SECONDS)).isFalse();
            assertThat(m.isHeldByCurrentTask()).isTrue();
        } finally {
            m.unlock();
        }
    }

    /** SPEC §9: await releases the mutex, and returns holding it after a signal. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void await_signalled_returnsHoldingMutex(boolean timed, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        Attempt a = waiter(g, "waiter", m, c, timed);
        Await.state(a.task(), TaskState.BLOCKED);
        Await.until("waiter queued", () -> c.queueLength() == 1);
        m.lock(); // await released it
        c.signal();
        assertThat(a.task().state()).isNotEqualTo(TaskState.TERMINATED);
        m.unlock();
        assertThat(a.get()).isEqualTo("signalled");
        assertThat(m.isLocked()).isFalse();
        assertThat(c.queueLength()).isZero();
        killAndReap(g);
    }

    /** SPEC §9, T1: a timed await that times out returns false holding the mutex. */
    @Test
    void awaitTimed_timeout_returnsFalseHoldingMutex() {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        m.lock();
        try {
            assertThat(c.await(20, TimeUnit.MILLISECONDS)).isFalse();
            assertThat(m.isHeldByCurrentTask()).isTrue();
            assertThat(c.queueLength()).isZero();
        } finally {
            m.unlock();
        }
        assertThatThrownBy(() -> c.await(1, null)).isInstanceOf(NullPointerException.class);
    }

    /** SPEC §9: await releases a RECURSIVE mutex completely and restores its depth. */
    @Test
    void await_recursiveMutex_releasesFullyRestoresDepth(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex(MutexKind.RECURSIVE);
        Condition c = m.newCondition();
        Attempt a = attempt(g, "waiter", () -> {
            m.lock();
            m.lock();
            m.lock();
            c.await();
            m.unlock();
            m.unlock();
            boolean stillHeld = m.isHeldByCurrentTask();
            m.unlock();
            return stillHeld && !m.isLocked();
        });
        Await.state(a.task(), TaskState.BLOCKED);
        Await.until("waiter queued", () -> c.queueLength() == 1);
        assertThat(m.tryLock()).as("depth 3 released fully").isTrue();
        c.signal();
        m.unlock();
        assertThat(a.get()).isEqualTo(true);
        killAndReap(g);
    }

    /** SPEC §9, K2: a task killed in (timed) await throws TaskKilledError only after re-acquiring the mutex. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void await_killedWhileBlocked_reacquiresMutexThenThrows(boolean timed, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        Attempt a = waiter(g, "victim", m, c, timed);
        Await.state(a.task(), TaskState.BLOCKED);
        Await.until("waiter queued", () -> c.queueLength() == 1);
        m.lock();
        assertThat(a.task().kill()).isTrue();
        // the killed task left the condition at once and now waits, unkillably, for the mutex
        Await.until("victim waits for the mutex", () -> m.queueLength() == 1 && c.queueLength() == 0);
        assertThat(a.task().state()).isNotEqualTo(TaskState.TERMINATED);
        m.unlock();
        assertThat(a.get()).isInstanceOf(TaskKilledError.class);
        assertThat(get(a.task().onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(m.isLocked()).isFalse();
        assertThat(m.queueLength()).isZero();
        killAndReap(g);
    }

    /** SPEC K2: a task killed in await while nobody holds the mutex throws at once, having re-owned and released it. */
    @Test
    void await_killedMutexFree_throwsWithinBoundedTime(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        Attempt a = waiter(g, "victim", m, c, false);
        Await.state(a.task(), TaskState.BLOCKED);
        a.task().kill();
        assertThat(a.get()).isInstanceOf(TaskKilledError.class);
        assertThat(m.isLocked()).isFalse();
        assertThat(m.queueLength()).isZero();
        assertThat(c.queueLength()).isZero();
        killAndReap(g);
    }

    /** SPEC §9: signalAll wakes every waiter; each returns holding the mutex in turn. */
    @Test
    void signalAll_severalWaiters_wakesAll(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        List<Attempt> as = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Attempt a = waiter(g, "w" + i, m, c, i % 2 == 0);
            Await.state(a.task(), TaskState.BLOCKED);
            as.add(a);
        }
        Await.until("all queued", () -> c.queueLength() == 5);
        c.signalAll();
        for (Attempt a : as) {
            assertThat(a.get()).isEqualTo("signalled");
        }
        assertThat(m.isLocked()).isFalse();
        killAndReap(g);
    }

    /**
     * SPEC K9: with 8 waiters, 4 signals sent while 4 random waiters are killed wake exactly the 4 survivors;
     * a signal that lands on a dying waiter passes on (200 rounds).
     */
    @Test
    void signal_whileKillingOthers_everySurvivorProceeds(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            Mutex m = new Mutex();
            Condition c = m.newCondition();
            List<Attempt> as = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Attempt a = waiter(g, "r" + round + "w" + i, m, c, i % 2 == 1);
                Await.state(a.task(), TaskState.BLOCKED);
                as.add(a);
            }
            Await.until("all queued", () -> c.queueLength() == 8);
            List<Attempt> victims = new ArrayList<>(as);
            Collections.shuffle(victims, random);
            victims = victims.subList(0, 4);
            List<Attempt> victimsFinal = victims;
            // Holding the mutex keeps every woken waiter inside await (re-acquiring) until all kills are
            // delivered, so no victim can return normally before its kill: the outcome is deterministic.
            m.lock();
            Thread killer = Thread.ofPlatform().start(() -> victimsFinal.forEach(v -> v.task().kill()));
            for (int s = 0; s < 4; s++) {
                c.signal();
            }
            killer.join(Await.LONG.toMillis());
            assertThat(killer.isAlive()).isFalse();
            m.unlock();
            for (Attempt a : as) {
                Object r = a.get();
                if (victims.contains(a)) {
                    assertThat(r).as("round %d victim %s", round, a.task()).isInstanceOf(TaskKilledError.class);
                } else {
                    assertThat(r).as("round %d survivor %s", round, a.task()).isEqualTo("signalled");
                }
            }
            assertThat(c.queueLength()).isZero();
            assertThat(m.isLocked()).isFalse();
            assertThat(m.queueLength()).isZero();
        }
        killAndReap(g);
    }
}
