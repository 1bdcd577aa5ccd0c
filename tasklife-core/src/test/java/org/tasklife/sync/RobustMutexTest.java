package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.NOT_PERMITTED;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.await;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Reasons.reason;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.SpawnOptions;
import org.tasklife.StuckTaskReport;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;

/** SPEC §9 robust mutex: an owner that ends holding a mutex hands it on, owner-died, never stranding waiters. */
@ExtendWith(KernelExtension.class)
class RobustMutexTest {

    /** A task that returns still holding the mutex: the next locker acquires it and is told the owner died. */
    @Test
    void lock_ownerReturnedHolding_nextLockerOwnsItAndIsTold(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Task<Object> owner = g.spawnTask("owner", () -> {
            m.lock(); // no unlock: a bug in user code
            return null;
        });
        assertThat(ended(owner)).isEqualTo(ExitStatus.exited(0));
        assertThat(m.isLocked()).isTrue();

        assertThatThrownBy(m::lock).isInstanceOf(OwnerDiedException.class).hasMessageContaining("markConsistent")
                .satisfies(e -> assertThat(((OwnerDiedException) e).mutex()).isSameAs(m));
        assertThat(m.isHeldByCurrentTask()).isTrue();
        assertThat(m.isOwnerDied()).isTrue();
        m.markConsistent();
        assertThat(m.isOwnerDied()).isFalse();
        m.unlock();
        m.lock(); // consistent again: no exception
        m.unlock();
        killAndReap(g);
    }

    /** A waiter queued behind an owner that is killed without unlocking gets the mutex, owner-died, instead of waiting for ever. */
    @Test
    void lock_ownerKilledWithoutFinally_queuedWaiterGetsItOwnerDied(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        CountDownLatch locked = new CountDownLatch(1);
        Task<Object> owner = g.spawnTask("owner", () -> {
            m.lock();
            locked.countDown();
            Tasks.sleep(Duration.ofHours(1)); // killed here; no finally unlocks
            return null;
        });
        await(locked);
        Attempt waiter = attempt(g, "waiter", () -> {
            try {
                m.lock();
                m.unlock();
                return "not told";
            } catch (OwnerDiedException e) {
                boolean held = m.isHeldByCurrentTask();
                m.markConsistent();
                m.unlock();
                return held ? "told, holding" : "told, not holding";
            }
        });
        Await.until("the waiter to queue", () -> m.queueLength() == 1);
        Await.state(waiter.task(), TaskState.BLOCKED);

        owner.kill();

        assertThat(waiter.get()).isEqualTo("told, holding");
        assertThat(ended(owner)).isEqualTo(ExitStatus.KILLED);
        assertThat(m.isLocked()).isFalse();
        assertThat(m.isOwnerDied()).isFalse();
        killAndReap(g);
    }

    /** An owner that unlocks before it ends hands on a consistent mutex: nobody is told anything. */
    @Test
    void lock_ownerUnlockedBeforeEnding_noOwnerDied(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Task<Object> owner = g.spawnTask("owner", () -> {
            m.lock();
            m.unlock();
            return null;
        });
        ended(owner);
        m.lock();
        assertThat(m.isOwnerDied()).isFalse();
        m.unlock();
        killAndReap(g);
    }

    /** Unlocking in the owner-died state without markConsistent makes the mutex not recoverable: waiters and later lockers throw. */
    @Test
    void unlock_withoutMarkConsistent_notRecoverableForWaitersAndLaterLockers(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        Task<Object> owner = g.spawnTask("owner", () -> {
            m.lock();
            return null;
        });
        ended(owner);
        assertThatThrownBy(m::lock).isInstanceOf(OwnerDiedException.class);
        Attempt waiter = attempt(g, "waiter", () -> {
            m.lock();
            return "locked";
        });
        Await.until("the waiter to queue", () -> m.queueLength() == 1);

        m.unlock(); // gives up: never marked consistent

        assertThat(waiter.get()).isInstanceOf(MutexNotRecoverableException.class);
        assertThat(m.isNotRecoverable()).isTrue();
        assertThat(m.isLocked()).isFalse();
        assertThat(m.queueLength()).isZero();
        assertThatThrownBy(m::lock).isInstanceOf(MutexNotRecoverableException.class).hasMessageContaining("never");
        assertThatThrownBy(m::tryLock).isInstanceOf(MutexNotRecoverableException.class);
        assertThatThrownBy(() -> m.tryLock(0, java.util.concurrent.TimeUnit.SECONDS))
                .isInstanceOf(MutexNotRecoverableException.class);
        assertThat(m.isLocked()).isFalse();
        killAndReap(g);
    }

    /** markConsistent on a consistent mutex, or by a non-owner, is an error and changes nothing. */
    @Test
    void markConsistent_misuse_refusedStateUnchanged() {
        Mutex m = new Mutex();
        assertThatThrownBy(m::markConsistent).is(reason(NOT_PERMITTED));
        m.lock();
        assertThatThrownBy(m::markConsistent).isInstanceOf(IllegalStateException.class).hasMessageContaining("consistent");
        assertThat(m.isHeldByCurrentTask()).isTrue();
        assertThat(m.isOwnerDied()).isFalse();
        m.unlock();
    }

    /** tryLock also takes a dead owner's mutex and tells the caller. */
    @Test
    void tryLock_deadOwner_acquiresAndTells(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Mutex m = new Mutex(MutexKind.RECURSIVE);
        Task<Object> owner = g.spawnTask("owner", () -> {
            m.lock();
            m.lock(); // depth 2, both levels abandoned
            return null;
        });
        ended(owner);
        assertThatThrownBy(m::tryLock).isInstanceOf(OwnerDiedException.class);
        m.markConsistent();
        m.unlock(); // depth 1 after a take-over: one unlock frees it
        assertThat(m.isLocked()).isFalse();
        killAndReap(g);
    }

    /** SPEC K8: an owner stuck in code that ignores kills is disposed by the reaper; its waiter gets the mutex, owner-died. */
    @Test
    void lock_ownerStuckAndDisposed_waiterGetsItOwnerDied() throws Exception {
        CompletableFuture<StuckTaskReport> reported = new CompletableFuture<>();
        AtomicBoolean stop = new AtomicBoolean();
        Kernel kernel = Kernel.builder().name("k8-robust").killGracePeriod(Duration.ofMillis(100))
                .onStuckTask(reported::complete).boot();
        try {
            Mutex m = new Mutex();
            CountDownLatch locked = new CountDownLatch(1);
            TaskGroup stuck = kernel.spawnGroup(SpawnOptions.named("stuck").platformThread(true), () -> {
                m.lock();
                locked.countDown();
                while (!stop.get()) {
                    Thread.onSpinWait(); // never reaches a safe point
                }
                return 0;
            });
            await(locked);
            TaskGroup home = idleGroup(kernel, "home");
            Attempt waiter = attempt(home, "waiter", () -> {
                try {
                    m.lock();
                    return "not told";
                } catch (OwnerDiedException e) {
                    m.markConsistent();
                    m.unlock();
                    return "told";
                }
            });
            Await.until("the waiter to queue", () -> m.queueLength() == 1);

            stuck.kill();

            get(reported);
            assertThat(waiter.get()).isEqualTo("told");
            stop.set(true);
            get(stuck.onExit());
            stuck.reap();
            killAndReap(home);
            KernelExtension.audit(kernel);
        } finally {
            stop.set(true);
            kernel.close();
        }
    }
}
