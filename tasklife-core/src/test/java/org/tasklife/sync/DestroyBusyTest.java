package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.BUSY;
import static org.tasklife.TaskLifeException.Reason.DESTROYED;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.await;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Reasons.reason;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;

/**
 * SPEC §9: a condition, a reader-writer lock and a barrier refuse destruction while in use (TaskLifeException(BUSY),
 * state unchanged), like the mutex; after a successful destroy every use is a TaskLifeException(DESTROYED).
 */
@ExtendWith(KernelExtension.class)
class DestroyBusyTest {

    private static void assertAllDestroyed(List<ThrowingCallable> ops) {
        for (ThrowingCallable op : ops) {
            assertThatThrownBy(op).is(reason(DESTROYED)).hasMessageContaining("destroyed");
        }
    }

    // ---- Condition ----

    /** A condition with a waiter cannot be destroyed; the refused destroy changes nothing and the waiter is still signalled. */
    @Test
    void conditionDestroy_waiterInside_busyAndStillWorks(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        Attempt waiter = attempt(g, "waiter", () -> {
            m.lock();
            try {
                c.await();
                return "signalled";
            } finally {
                m.unlock();
            }
        });
        Await.until("the waiter in the condition", () -> c.queueLength() == 1);

        assertThatThrownBy(c::destroy).is(reason(BUSY)).hasMessageContaining("condition")
                .hasMessageContaining("(1)");
        assertThat(c.isDestroyed()).isFalse();
        assertThat(c.queueLength()).isEqualTo(1);

        c.signal();
        assertThat(waiter.get()).isEqualTo("signalled");
        c.destroy(); // nobody inside any more
        assertThat(c.isDestroyed()).isTrue();
        killAndReap(g);
    }

    /** A waiter signalled but still re-acquiring the mutex is inside await: the condition cannot be destroyed yet. */
    @Test
    void conditionDestroy_signalledWaiterStillReacquiring_busy(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        Attempt waiter = attempt(g, "waiter", () -> {
            m.lock();
            try {
                c.await();
                return "signalled";
            } finally {
                m.unlock();
            }
        });
        Await.until("the waiter in the condition", () -> c.queueLength() == 1);
        m.lock();
        c.signal();
        Await.until("the waiter queued for the mutex", () -> m.queueLength() == 1 && c.queueLength() == 0);

        assertThatThrownBy(c::destroy).is(reason(BUSY));
        assertThat(c.isDestroyed()).isFalse();

        m.unlock();
        assertThat(waiter.get()).isEqualTo("signalled");
        c.destroy();
        killAndReap(g);
    }

    /** After destroy every use of the condition is a TaskLifeException(DESTROYED), destroying again too; its mutex is unaffected. */
    @Test
    void conditionDestroy_thenUse_destroyedException() {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        c.destroy();
        assertThat(c.isDestroyed()).isTrue();
        m.lock();
        try {
            assertAllDestroyed(List.of(c::await, () -> c.await(1, TimeUnit.SECONDS), c::signal, c::signalAll, c::destroy));
            assertThat(m.isHeldByCurrentTask()).as("a refused await keeps the mutex").isTrue();
        } finally {
            m.unlock();
        }
        assertThat(c.queueLength()).isZero();
        assertThat(c.toString()).contains("destroyed");
        m.destroy(); // the mutex itself was never in use by the condition
    }

    /** A mutex whose condition has a waiter (which will re-acquire it) cannot be destroyed, though nobody holds or queues for it. */
    @Test
    void mutexDestroy_conditionWaiterWillReacquire_busyAndStillWorks(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        Attempt waiter = attempt(g, "waiter", () -> {
            m.lock();
            try {
                c.await();
                return "signalled";
            } finally {
                m.unlock();
            }
        });
        Await.until("the waiter in the condition", () -> c.queueLength() == 1);
        assertThat(m.isLocked()).isFalse();
        assertThat(m.queueLength()).isZero();

        assertThatThrownBy(m::destroy).is(reason(BUSY)).hasMessageContaining("condition");
        assertThat(m.isDestroyed()).isFalse();
        assertThat(m.isLocked()).isFalse();

        c.signal();
        assertThat(waiter.get()).isEqualTo("signalled");
        m.destroy();
        killAndReap(g);
    }

    // ---- ReadWriteLock ----

    /** A reader-writer lock with a read holder, a write holder or a queued waiter cannot be destroyed; each refusal changes nothing. */
    @Test
    void rwLockDestroy_heldOrWaitedFor_busyAndStillWorks(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();

        rw.readLock();
        assertThatThrownBy(rw::destroy).is(reason(BUSY)).hasMessageContaining("read holds");
        assertThat(rw.isDestroyed()).isFalse();
        assertThat(rw.readHoldCount()).isEqualTo(1);
        rw.readLock(); // still usable: re-entry
        rw.readUnlock();

        Attempt writer = attempt(g, "writer", () -> {
            rw.writeLock();
            rw.writeUnlock();
            return "wrote";
        });
        Await.state(writer.task(), TaskState.BLOCKED);
        Await.until("the writer queued", () -> rw.queueLength() == 1);
        rw.readUnlock(); // the last read hold: the writer gets the lock... once it is not destroyed
        assertThat(writer.get()).isEqualTo("wrote");

        CountDownLatch writing = new CountDownLatch(1);
        Semaphore release = new Semaphore(0);
        Attempt holder = attempt(g, "holder", () -> {
            rw.writeLock();
            try {
                writing.countDown();
                release.acquire();
            } finally {
                rw.writeUnlock();
            }
            return "done";
        });
        await(writing);
        assertThatThrownBy(rw::destroy).is(reason(BUSY)).hasMessageContaining("write");
        Attempt reader = attempt(g, "reader", () -> {
            rw.readLock();
            rw.readUnlock();
            return "read";
        });
        Await.until("the reader queued", () -> rw.queueLength() == 1);
        assertThatThrownBy(rw::destroy).is(reason(BUSY)).hasMessageContaining("waiting");
        assertThat(rw.isDestroyed()).isFalse();
        assertThat(rw.isWriteLocked()).isTrue();

        release.release();
        assertThat(holder.get()).isEqualTo("done");
        assertThat(reader.get()).isEqualTo("read");
        ReadWriteLockTest.assertFree(rw);
        rw.destroy();
        assertThat(rw.isDestroyed()).isTrue();
        killAndReap(g);
    }

    /** After destroy every use of the reader-writer lock is a TaskLifeException(DESTROYED), destroying again too; introspection still answers. */
    @Test
    void rwLockDestroy_thenUse_destroyedException() {
        ReadWriteLock rw = new ReadWriteLock();
        rw.readLock(); // this thread has a hold counter from before the destroy
        rw.readUnlock();
        rw.destroy();
        assertAllDestroyed(List.of(rw::readLock, rw::tryReadLock, () -> rw.tryReadLock(1, TimeUnit.SECONDS),
                rw::readUnlock, rw::writeLock, rw::tryWriteLock, () -> rw.tryWriteLock(1, TimeUnit.SECONDS),
                rw::writeUnlock, rw::destroy));
        assertThat(rw.isDestroyed()).isTrue();
        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.readHoldCount()).isZero();
        assertThat(rw.queueLength()).isZero();
        assertThat(rw.toString()).contains("destroyed");
    }

    // ---- Barrier ----

    /** A barrier with a party waiting cannot be destroyed; the refused destroy changes nothing and the round still completes. */
    @Test
    void barrierDestroy_partyWaiting_busyAndRoundStillCompletes(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Barrier b = new Barrier(2);
        Attempt party = attempt(g, "party", b::await);
        Await.until("the party arrived", () -> b.numberWaiting() == 1);

        assertThatThrownBy(b::destroy).is(reason(BUSY)).hasMessageContaining("(1)");
        assertThat(b.isDestroyed()).isFalse();
        assertThat(b.isBroken()).isFalse();
        assertThat(b.numberWaiting()).isEqualTo(1);

        assertThat(b.await()).isZero(); // completes the round
        assertThat(party.get()).isEqualTo(1);
        b.destroy();
        assertThat(b.isDestroyed()).isTrue();
        killAndReap(g);
    }

    /** A round whose last party runs the barrier action is still in use: destroy is refused until every party has left. */
    @Test
    void barrierDestroy_actionRunning_busy(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        CountDownLatch inAction = new CountDownLatch(1);
        Semaphore finishAction = new Semaphore(0);
        Barrier b = new Barrier(2, () -> {
            inAction.countDown();
            finishAction.acquire();
        });
        Attempt first = attempt(g, "first", b::await);
        Await.until("the first party arrived", () -> b.numberWaiting() == 1);
        Attempt last = attempt(g, "last", b::await);
        await(inAction);

        assertThatThrownBy(b::destroy).is(reason(BUSY)).hasMessageContaining("(2)");
        assertThat(b.isDestroyed()).isFalse();

        finishAction.release();
        assertThat(first.get()).isEqualTo(1);
        assertThat(last.get()).isEqualTo(0);
        b.destroy();
        killAndReap(g);
    }

    /** After destroy every use of the barrier is a TaskLifeException(DESTROYED), destroying again too; introspection still answers. */
    @Test
    void barrierDestroy_thenUse_destroyedException() {
        Barrier b = new Barrier(1);
        assertThat(b.await()).isZero();
        b.destroy();
        assertAllDestroyed(List.of(b::await, () -> b.await(1, TimeUnit.SECONDS), b::reset, b::destroy));
        assertThat(b.isDestroyed()).isTrue();
        assertThat(b.parties()).isEqualTo(1);
        assertThat(b.numberWaiting()).isZero();
        assertThat(b.toString()).contains("destroyed");
    }
}
