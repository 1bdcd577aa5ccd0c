package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.BUSY;
import static org.tasklife.TaskLifeException.Reason.DEADLOCK;
import static org.tasklife.TaskLifeException.Reason.DESTROYED;
import static org.tasklife.TaskLifeException.Reason.NOT_PERMITTED;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Reasons.reason;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskState;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;

@ExtendWith(KernelExtension.class)
class MutexTest {

    // ---- basic API ----

    /** SPEC §9: lock on a free mutex makes the caller the owner; unlock frees it. */
    @ParameterizedTest
    @EnumSource(MutexKind.class)
    void lock_free_ownsUntilUnlock(MutexKind kind) {
        Mutex m = new Mutex(kind);
        assertThat(m.kind()).isEqualTo(kind);
        assertThat(m.isLocked()).isFalse();
        m.lock();
        assertThat(m.isLocked()).isTrue();
        assertThat(m.isHeldByCurrentTask()).isTrue();
        m.unlock();
        assertThat(m.isLocked()).isFalse();
        assertThat(m.isHeldByCurrentTask()).isFalse();
        assertThat(m.queueLength()).isZero();
    }

    /** SPEC §9: the default kind is NORMAL. */
    @Test
    void constructor_noKind_isNormal() {
        assertThat(new Mutex().kind()).isEqualTo(MutexKind.NORMAL);
    }

    /** SPEC §9, §12: relocking a NORMAL mutex by its owner is an error rather than a hang; the mutex is unchanged. */
    @Test
    void lock_normalRelockByOwner_throwsDeadlock() {
        Mutex m = new Mutex();
        m.lock();
        assertThatThrownBy(m::lock).is(reason(DEADLOCK)).hasMessageContaining("already owns")
                .hasMessageContaining("rather than a hang");
        assertThatThrownBy(() -> m.tryLock(1, TimeUnit.SECONDS)).is(reason(DEADLOCK));
        assertThat(m.tryLock()).isFalse();
        m.unlock();
        assertThat(m.isLocked()).isFalse();
    }

    /** SPEC §12 EDEADLK: relocking an ERROR_CHECKING mutex by its owner throws; the mutex is unchanged. */
    @Test
    void lock_errorCheckingRelockByOwner_throwsDeadlock() {
        Mutex m = new Mutex(MutexKind.ERROR_CHECKING);
        m.lock();
        assertThatThrownBy(m::lock).is(reason(DEADLOCK)).hasMessageContaining("ERROR_CHECKING");
        assertThat(m.isHeldByCurrentTask()).isTrue();
        m.unlock();
        assertThat(m.isLocked()).isFalse();
    }

    /** SPEC §9: a RECURSIVE mutex counts depth; it is free only after as many unlocks as locks. */
    @Test
    void lock_recursiveRelock_countsDepth() throws Exception {
        Mutex m = new Mutex(MutexKind.RECURSIVE);
        m.lock();
        m.lock();
        assertThat(m.tryLock()).isTrue();
        assertThat(m.tryLock(0, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 3; i++) {
            m.unlock();
            assertThat(m.isHeldByCurrentTask()).isTrue();
        }
        m.unlock();
        assertThat(m.isLocked()).isFalse();
        assertThatThrownBy(m::unlock).is(reason(NOT_PERMITTED));
    }

    /** SPEC §12 EPERM: unlocking a mutex that is not locked throws TaskLifeException(NOT_PERMITTED), for every kind. */
    @ParameterizedTest
    @EnumSource(MutexKind.class)
    void unlock_notLocked_throwsNotPermitted(MutexKind kind) {
        Mutex m = new Mutex(kind);
        assertThatThrownBy(m::unlock).is(reason(NOT_PERMITTED))
                .hasMessageContaining("only the owner may unlock").hasMessageContaining("not locked");
        assertThat(m.isLocked()).isFalse();
    }

    /** SPEC §12 EPERM: unlocking a mutex owned by another task throws TaskLifeException(NOT_PERMITTED) and leaves it owned. */
    @ParameterizedTest
    @EnumSource(MutexKind.class)
    void unlock_byNonOwner_throwsNotPermittedStateUnchanged(MutexKind kind, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex(kind);
        m.lock();
        Attempt a = attempt(g, "intruder", () -> {
            m.unlock();
            return null;
        });
        assertThat(a.get()).is(reason(NOT_PERMITTED));
        assertThat(((Throwable) a.get()).getMessage()).contains("only the owner may unlock").contains("owned by host thread");
        assertThat(m.isHeldByCurrentTask()).isTrue();
        m.unlock();
        killAndReap(g);
    }

    /** SPEC §9: tryLock on a mutex another owns returns false at once; the timed one returns false on timeout. */
    @Test
    void tryLock_heldByOther_returnsFalse(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        m.lock();
        Attempt a = attempt(g, "trier", () -> List.of(m.tryLock(), m.tryLock(0, TimeUnit.SECONDS),
                m.tryLock(20, TimeUnit.MILLISECONDS)));
        assertThat(a.get()).isEqualTo(List.of(false, false, false));
        assertThat(m.queueLength()).isZero();
        m.unlock();
        killAndReap(g);
    }

    /** SPEC T1: a free mutex is taken by a timed tryLock even with a timeout already passed. */
    @Test
    void tryLockTimed_freeAndNonPositiveTimeout_acquires() {
        Mutex m = new Mutex();
        assertThat(m.tryLock(-1, TimeUnit.SECONDS)).isTrue();
        m.unlock();
        assertThatThrownBy(() -> m.tryLock(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Mutex(null)).isInstanceOf(NullPointerException.class);
    }

    /** SPEC §11: a task blocked in lock() shows the mutex and its owner as its wait channel. */
    @Test
    void lock_blocked_waitChannelNamesMutexAndOwner(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        m.lock();
        Attempt a = attempt(g, "locker", () -> {
            m.lock();
            m.unlock();
            return "ok";
        });
        Await.state(a.task(), TaskState.BLOCKED);
        String table = kernel.snapshot().renderTable();
        assertThat(table).contains("mutex@" + Integer.toHexString(System.identityHashCode(m)));
        m.unlock();
        assertThat(a.get()).isEqualTo("ok");
        killAndReap(g);
    }

    /** SPEC §9: waiters get the mutex in FIFO order, each handed over on unlock. */
    @Test
    void unlock_severalWaiters_handsOffFifo(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        List<Integer> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        m.lock();
        List<Attempt> as = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int id = i;
            Attempt a = attempt(g, "w" + i, () -> {
                m.lock();
                try {
                    order.add(id);
                } finally {
                    m.unlock();
                }
                return null;
            });
            Await.state(a.task(), TaskState.BLOCKED);
            as.add(a);
        }
        assertThat(m.queueLength()).isEqualTo(4);
        m.unlock();
        for (Attempt a : as) {
            assertThat(a.get()).isNull();
        }
        assertThat(order).containsExactly(0, 1, 2, 3);
        assertThat(m.isLocked()).isFalse();
        killAndReap(g);
    }

    // ---- kill ----

    /** SPEC K2: a task killed while blocked in lock() throws TaskKilledError, does not own it, leaves no waiter. */
    @Test
    void lock_killedWhileBlocked_throwsKilledOwnsNothing(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        m.lock();
        Attempt a = attempt(g, "victim", () -> {
            m.lock();
            return "acquired";
        });
        Await.state(a.task(), TaskState.BLOCKED);
        assertThat(a.task().kill()).isTrue();
        assertThat(a.get()).isInstanceOf(TaskKilledError.class);
        assertThat(get(a.task().onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(m.queueLength()).isZero();
        assertThat(m.isHeldByCurrentTask()).isTrue();
        m.unlock();
        assertThat(m.isLocked()).isFalse();
        killAndReap(g);
    }

    /** SPEC K2: a task killed while blocked in a timed tryLock throws TaskKilledError and leaves no waiter or timer. */
    @Test
    void tryLockTimed_killedWhileBlocked_throwsKilledOwnsNothing(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        m.lock();
        Attempt a = attempt(g, "victim", () -> m.tryLock(1, TimeUnit.HOURS));
        Await.state(a.task(), TaskState.BLOCKED);
        assertThat(a.task().kill()).isTrue();
        assertThat(a.get()).isInstanceOf(TaskKilledError.class);
        assertThat(m.queueLength()).isZero();
        m.unlock();
        assertThat(m.isLocked()).isFalse();
        killAndReap(g);
    }

    /** SPEC K9: when the first waiter is killed, the hand-off on unlock goes to the next waiter. */
    @Test
    void unlock_firstWaiterKilled_nextWaiterGetsMutex(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        m.lock();
        Attempt first = attempt(g, "first", () -> {
            m.lock();
            return "first";
        });
        Await.state(first.task(), TaskState.BLOCKED);
        Attempt second = attempt(g, "second", () -> {
            m.lock();
            m.unlock();
            return "second";
        });
        Await.state(second.task(), TaskState.BLOCKED);
        first.task().kill();
        m.unlock();
        assertThat(first.get()).isInstanceOf(TaskKilledError.class);
        assertThat(second.get()).isEqualTo("second");
        assertThat(m.isLocked()).isFalse();
        assertThat(m.queueLength()).isZero();
        killAndReap(g);
    }

    /** SPEC K3: a kill racing the entry into lock() is never lost: the task never stays parked (500 rounds). */
    @Test
    void lock_killRacingEntry_neverStaysParked(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        m.lock();
        for (int i = 0; i < 500; i++) {
            CountDownLatch started = new CountDownLatch(1);
            Attempt a = attempt(g, "racer" + i, () -> {
                started.countDown();
                m.lock(); // the kill lands before, during or after the enqueue
                return "acquired";
            });
            Fixtures.await(started);
            a.task().kill();
            assertThat(get(a.task().onExit())).as("round %d", i).isEqualTo(ExitStatus.KILLED);
            assertThat(a.get()).as("round %d", i).isInstanceOf(TaskKilledError.class);
            assertThat(m.queueLength()).as("round %d", i).isZero();
        }
        assertThat(m.isHeldByCurrentTask()).isTrue();
        m.unlock();
        killAndReap(g);
    }

    /** SPEC §9: a killed owner releases the mutex in its finally as it unwinds, and the next locker gets it. */
    @Test
    void unlock_killedOwnerReleasesInFinally_nextLockerGetsIn(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Mutex parkHere = new Mutex();
        parkHere.lock();
        CountDownLatch owns = new CountDownLatch(1);
        Attempt owner = attempt(g, "owner", () -> {
            m.lock();
            try {
                owns.countDown();
                parkHere.lock(); // blocks until killed
                return "never";
            } finally {
                m.unlock();
            }
        });
        Fixtures.await(owns);
        Await.state(owner.task(), TaskState.BLOCKED);
        Attempt next = attempt(g, "next", () -> {
            m.lock();
            m.unlock();
            return "next";
        });
        Await.state(next.task(), TaskState.BLOCKED);
        owner.task().kill();
        assertThat(owner.get()).isInstanceOf(TaskKilledError.class);
        assertThat(next.get()).isEqualTo("next");
        assertThat(m.isLocked()).isFalse();
        assertThat(m.queueLength()).isZero();
        assertThat(parkHere.queueLength()).isZero();
        parkHere.unlock();
        killAndReap(g);
    }

    // ---- destroy ----

    /** SPEC §9 (H2 neg_mutex_destroy_held): destroying a held mutex is a TaskLifeException(BUSY) and the mutex stays usable. */
    @Test
    void destroy_held_busyAndStillUsable() {
        Mutex m = new Mutex();
        m.lock();
        assertThatThrownBy(m::destroy).is(reason(BUSY))
                .hasMessageContaining("locked");
        assertThat(m.isDestroyed()).isFalse();
        assertThat(m.isHeldByCurrentTask()).isTrue();
        m.unlock();
        m.lock();
        m.unlock();
    }

    /** SPEC §9: every use of a destroyed mutex is a TaskLifeException(DESTROYED); destroying twice too. */
    @Test
    void destroy_thenUse_destroyedException() {
        Mutex m = new Mutex();
        m.destroy();
        assertThat(m.isDestroyed()).isTrue();
        for (ThrowingCallable op : List.<ThrowingCallable>of(
                m::lock, m::tryLock, () -> m.tryLock(1, TimeUnit.SECONDS), m::unlock, m::markConsistent, m::destroy)) {
            assertThatThrownBy(op).is(reason(DESTROYED))
                    .hasMessageContaining("destroyed");
        }
        assertThat(m.isLocked()).isFalse();
    }
}
