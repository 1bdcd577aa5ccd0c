package org.tasklife.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.BUSY;
import static org.tasklife.TaskLifeException.Reason.DEADLOCK;
import static org.tasklife.TaskLifeException.Reason.DESTROYED;
import static org.tasklife.TaskLifeException.Reason.INVALID_OPERATION;
import static org.tasklife.TaskLifeException.Reason.NOT_PERMITTED;
import static org.tasklife.TaskLifeException.Reason.OVERFLOW;
import static org.tasklife.testkit.Reasons.reason;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.ExitStatus;
import org.tasklife.FailurePolicy;
import org.tasklife.Kernel;
import org.tasklife.SpawnOptions;
import org.tasklife.Task;
import org.tasklife.TaskBody;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.sync.Barrier;
import org.tasklife.sync.Condition;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.MutexKind;
import org.tasklife.sync.ReadWriteLock;
import org.tasklife.sync.Semaphore;
import org.tasklife.sync.TaskLocal;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * The H2 pthread suite's 11 "Basic API" and 10 "Negative / misuse" rows (seed-systems §4.7),
 * translated to tasklife's public API. Where H2 is lax (a probe that passes whatever happens, or
 * ENOSYS), these tests assert tasklife's strict, documented behaviour instead. The exit(), pthread_exit,
 * stuck_in_* and race rows are in {@link H2TeardownAcceptanceTest}.
 *
 * <p>Every test runs in a fresh domain under the H2 harness rule (seed-systems §4.6, {@link H2Harness}):
 * its tasks live in one process whose main task either parks until the test is done and then returns 0
 * ({@link H2Harness#idle}, {@link H2Harness#finish()}), or runs the row's code itself
 * ({@link H2Harness#runAsMain}); the domain must then stop with {@code Exited(0)}, no task failed, and
 * nothing is left behind. Where a holder's identity does not matter, the test thread itself holds a
 * lock: tasklife's primitives accept host threads as owners.
 *
 * <p>Rows whose H2 subject tasklife does not have: {@code attr_roundtrip} and
 * {@code neg_attr_setstacksize_zero} (tasklife has no thread attributes: no stack size or address,
 * scheduling policy or priority) are translated to the only spawn-time settings, {@link SpawnOptions}:
 * what is set is what the task gets, and invalid values are refused at once.
 */
@ExtendWith(KernelExtension.class)
class PosixConformanceAcceptanceTest {
    /** An id no task of a fresh kernel has (H2's {@code 0xdeadbeef} handle). */
    private static final long UNKNOWN_ID = 0xdeadbeefL;

    // ---------------------------------------------------------------------------------------------
    // attr_roundtrip (H2: pthread attributes; tasklife's spawn-time attributes are SpawnOptions)

    /** attr_roundtrip: every spawn option reads back as set, and the defaults are joinable, virtual, zombie until reaped, FAIL_GROUP. */
    @Test
    void attrRoundtrip_spawnOptions_readBackAsSet(Kernel kernel) {
        H2Harness.runAsMain(kernel, "attr_roundtrip", () -> {
            SpawnOptions defaults = SpawnOptions.named("defaults");
            assertThat(defaults.name()).isEqualTo("defaults");
            assertThat(List.of(defaults.detached(), defaults.platformThread(), defaults.autoReap(),
                    defaults.childSubreaper())).containsOnly(false);
            assertThat(defaults.failurePolicy()).isEqualTo(FailurePolicy.FAIL_GROUP);
            SpawnOptions task = defaults.detached(true).platformThread(true);
            assertThat(List.of(task.detached(), task.platformThread())).containsOnly(true);
            assertThat(defaults.detached()).as("options are immutable").isFalse();
            SpawnOptions group = SpawnOptions.named("group").autoReap(true).childSubreaper(true)
                    .failurePolicy(FailurePolicy.FAIL_TASK);
            assertThat(List.of(group.autoReap(), group.childSubreaper())).containsOnly(true);
            assertThat(group.failurePolicy()).isEqualTo(FailurePolicy.FAIL_TASK);
            assertThat(group.name()).isEqualTo("group");
        });
    }

    /** attr_roundtrip: a task runs as its options say: its name, a virtual or platform thread, joinable or detached. */
    @Test
    void attrRoundtrip_spawnedTask_runsAsOptionsSay(Kernel kernel) throws Exception {
        Semaphore gate = new Semaphore(0);
        H2Harness h = H2Harness.idle(kernel, "attr_roundtrip");
        Attempt plain = h.attempt("plain", () -> List.of(Tasks.current().name(), Thread.currentThread().isVirtual()));
        assertThat(plain.get()).isEqualTo(List.of("plain", true));
        Attempt platform = h.attempt(SpawnOptions.named("platform").platformThread(true).detached(true), () -> {
            List<Object> seen = List.of(Tasks.current().name(), Thread.currentThread().isVirtual());
            gate.acquire();
            return seen;
        });
        Await.state(platform.task(), TaskState.BLOCKED); // alive, so its record is still there
        assertThatThrownBy(platform.task()::detach).as("already detached").is(reason(INVALID_OPERATION));
        assertThat(h.run("joiner", platform.task()::join)).is(reason(INVALID_OPERATION));
        gate.release();
        assertThat(platform.get()).isEqualTo(List.of("platform", false));
        assertThat(h.run("joiner", plain.task()::join)).as("the plain task is joinable").isNull();
        h.finish();
    }

    // ---------------------------------------------------------------------------------------------
    // barrier_basic

    /** barrier_basic: every round of a 4-party barrier releases 4 arrivals, exactly one of them serial (index 0). */
    @Test
    void barrierBasic_fourPartiesThreeRounds_oneSerialPerRound(Kernel kernel) throws Exception {
        int parties = 4;
        int rounds = 3;
        Barrier barrier = new Barrier(parties);
        AtomicIntegerArray arrivals = new AtomicIntegerArray(rounds);
        AtomicIntegerArray serials = new AtomicIntegerArray(rounds);
        List<Queue<Integer>> indices = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            indices.add(new ConcurrentLinkedQueue<>());
        }
        H2Harness h = H2Harness.idle(kernel, "barrier_basic");
        List<Attempt> workers = new ArrayList<>();
        for (int i = 0; i < parties; i++) {
            workers.add(h.attempt("party" + i, () -> {
                for (int r = 0; r < rounds; r++) {
                    int index = barrier.await();
                    arrivals.incrementAndGet(r);
                    if (index == 0) {
                        serials.incrementAndGet(r);
                    }
                    indices.get(r).add(index);
                }
                return null;
            }));
        }
        for (Attempt w : workers) {
            assertThat(w.get()).isNull();
        }
        for (int r = 0; r < rounds; r++) {
            assertThat(arrivals.get(r)).as("arrivals in round %d", r).isEqualTo(parties);
            assertThat(serials.get(r)).as("serial parties in round %d", r).isEqualTo(1);
            assertThat(indices.get(r)).as("indices in round %d", r).containsExactlyInAnyOrder(3, 2, 1, 0);
        }
        assertThat(barrier.isBroken()).isFalse();
        h.finish();
    }

    /** barrier_basic: a 1-party barrier returns the serial index at once, round after round. */
    @Test
    void barrierBasic_onePartyBarrier_returnsSerialAtOnce(Kernel kernel) throws Exception {
        Barrier barrier = new Barrier(1);
        H2Harness h = H2Harness.idle(kernel, "barrier_basic");
        Object out = h.run("alone", () -> List.of(barrier.await(), barrier.await()));
        assertThat(out).isEqualTo(List.of(0, 0));
        h.finish();
    }

    // ---------------------------------------------------------------------------------------------
    // cond_signal_broadcast

    /** cond_signal_broadcast: signal and broadcast without waiters are no-ops and are not remembered. */
    @Test
    void condSignalBroadcast_noWaiters_noOpAndNotRemembered(Kernel kernel) throws Exception {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        c.signal();
        c.signalAll();
        H2Harness h = H2Harness.idle(kernel, "cond_signal_broadcast");
        Object out = h.run("late-waiter", () -> {
            m.lock();
            try {
                return c.await(0, TimeUnit.MILLISECONDS);
            } finally {
                m.unlock();
            }
        });
        assertThat(out).as("a later wait was not satisfied by the earlier signals").isEqualTo(false);
        h.finish();
    }

    /** cond_signal_broadcast: with 4 waiters, signal wakes exactly one and broadcast wakes the other 3. */
    @Test
    void condSignalBroadcast_fourWaiters_signalWakesOneBroadcastWakesRest(Kernel kernel) throws Exception {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        AtomicInteger woken = new AtomicInteger();
        H2Harness h = H2Harness.idle(kernel, "cond_signal_broadcast");
        List<Attempt> waiters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiters.add(h.attempt("waiter" + i, () -> {
                m.lock();
                try {
                    c.await();
                    woken.incrementAndGet();
                } finally {
                    m.unlock();
                }
                return null;
            }));
        }
        Await.until("4 condition waiters", () -> c.queueLength() == 4, () -> c.queueLength() + " waiting");
        c.signal();
        Await.until("one waiter woken", () -> woken.get() == 1);
        assertThat(c.queueLength()).as("still waiting after one signal").isEqualTo(3);
        assertThat(woken.get()).isEqualTo(1);
        c.signalAll();
        for (Attempt w : waiters) {
            assertThat(w.get()).isNull();
        }
        assertThat(woken.get()).isEqualTo(4);
        assertThat(c.queueLength()).isZero();
        assertThat(m.isLocked()).isFalse();
        h.finish();
    }

    /** cond_signal_broadcast: a timed wait whose deadline has passed times out at once, holding the mutex again. */
    @Test
    void condSignalBroadcast_pastDeadline_timesOutHoldingMutex(Kernel kernel) throws Exception {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        H2Harness h = H2Harness.idle(kernel, "cond_signal_broadcast");
        Object out = h.run("timed-waiter", () -> {
            m.lock();
            try {
                boolean signalled = c.await(0, TimeUnit.NANOSECONDS);
                return List.of(signalled, m.isHeldByCurrentTask());
            } finally {
                m.unlock();
            }
        });
        assertThat(out).isEqualTo(List.of(false, true));
        assertThat(m.isLocked()).isFalse();
        h.finish();
    }

    // ---------------------------------------------------------------------------------------------
    // detach_states

    /** detach_states: detaching a live blocked task succeeds; when it ends, its record is released. */
    @Test
    void detachStates_liveBlockedTask_detachesAndReleasesRecordAtEnd(Kernel kernel) throws Exception {
        Semaphore gate = new Semaphore(0);
        H2Harness h = H2Harness.idle(kernel, "detach_states");
        Task<Object> t = h.spawn("blocked", () -> {
            gate.acquire();
            return null;
        });
        Await.state(t, TaskState.BLOCKED);
        t.detach();
        assertThat(kernel.findTask(t.id())).as("still findable while it lives").isPresent();
        gate.release();
        assertThat(Fixtures.ended(t)).isEqualTo(ExitStatus.exited(0));
        Await.until("record released", () -> kernel.findTask(t.id()).isEmpty());
        h.finish();
    }

    /** detach_states: an unknown task id names no task (ESRCH): nothing to detach, join or kill. */
    @Test
    void detachStates_unknownId_noSuchTask(Kernel kernel) {
        H2Harness.runAsMain(kernel, "detach_states", () -> {
            assertThat(kernel.findTask(UNKNOWN_ID)).isEmpty();
            assertThat(kernel.kill(UNKNOWN_ID)).isFalse(); // SPEC K1
        });
    }

    /** detach_states: detaching a task a second time throws TaskLifeException(INVALID_OPERATION) (EINVAL). */
    @Test
    void detachStates_detachTwice_invalidTaskOperation(Kernel kernel) throws Exception {
        Semaphore gate = new Semaphore(0);
        H2Harness h = H2Harness.idle(kernel, "detach_states");
        Task<Object> t = h.spawn("blocked", () -> {
            gate.acquire();
            return null;
        });
        Await.state(t, TaskState.BLOCKED); // alive, so its record cannot have been released yet
        t.detach();
        assertThatThrownBy(t::detach).is(reason(INVALID_OPERATION));
        gate.release();
        assertThat(Fixtures.ended(t)).isEqualTo(ExitStatus.exited(0));
        h.finish();
    }

    /** detach_states: detaching a task that already ended succeeds and releases its record at once. */
    @Test
    void detachStates_alreadyEnded_detachesAndReleasesRecord(Kernel kernel) throws Exception {
        H2Harness h = H2Harness.idle(kernel, "detach_states");
        Task<Integer> t = h.spawn("quick", () -> 7);
        assertThat(Fixtures.ended(t)).isEqualTo(ExitStatus.exited(0));
        assertThat(kernel.findTask(t.id())).as("an ended joinable task keeps its record").isPresent();
        t.detach();
        assertThat(kernel.findTask(t.id())).isEmpty();
        h.finish();
    }

    // ---------------------------------------------------------------------------------------------
    // join_basic

    /** join_basic: join returns exactly what the body returned: null, the argument object, a boxed 0xdeadbeef. */
    @Test
    void joinBasic_returnedValues_roundTrip(Kernel kernel) throws Exception {
        Object arg = new Object();
        H2Harness h = H2Harness.idle(kernel, "join_basic");
        Task<Object> returnsNull = h.spawn("null", () -> null);
        Task<Object> returnsArg = h.spawn("arg", () -> arg);
        Task<Long> returnsLong = h.spawn("deadbeef", () -> 0xdeadbeefL);
        Object out = h.run("joiner", () -> {
            List<Object> results = new ArrayList<>();
            results.add(returnsNull.join());
            results.add(returnsArg.join());
            results.add(returnsLong.join());
            return results;
        });
        assertThat(out).isInstanceOf(List.class);
        List<?> results = (List<?>) out;
        assertThat(results.get(0)).isNull();
        assertThat(results.get(1)).isSameAs(arg);
        assertThat(results.get(2)).isEqualTo(0xdeadbeefL);
        h.finish();
    }

    /** join_basic: joining a task that already ended returns its result at once. */
    @Test
    void joinBasic_afterWorkerEnded_returnsResult(Kernel kernel) throws Exception {
        H2Harness h = H2Harness.idle(kernel, "join_basic");
        Task<String> w = h.spawn("worker", () -> "done");
        assertThat(Fixtures.ended(w)).isEqualTo(ExitStatus.exited(0));
        assertThat(h.run("joiner", w::join)).isEqualTo("done");
        h.finish();
    }

    // ---------------------------------------------------------------------------------------------
    // join_invalid

    /** join_invalid: joining a detached task throws TaskLifeException(INVALID_OPERATION) (EINVAL). */
    @Test
    void joinInvalid_detachedTask_invalidTaskOperation(Kernel kernel) throws Exception {
        Semaphore gate = new Semaphore(0);
        H2Harness h = H2Harness.idle(kernel, "join_invalid");
        Task<Object> t = h.spawn(SpawnOptions.named("detached").detached(true), () -> {
            gate.acquire();
            return null;
        });
        Await.state(t, TaskState.BLOCKED); // alive: a detached task's record lives until it ends
        assertThat(h.run("joiner", t::join)).is(reason(INVALID_OPERATION));
        gate.release();
        assertThat(Fixtures.ended(t)).isEqualTo(ExitStatus.exited(0));
        h.finish();
    }

    /** join_invalid: a second join of the same task throws TaskLifeException(NO_SUCH_TASK) (the first released the record). */
    @Test
    void joinInvalid_joinTwice_noSuchTask(Kernel kernel) throws Exception {
        H2Harness h = H2Harness.idle(kernel, "join_invalid");
        Task<Integer> w = h.spawn("worker", () -> 42);
        Object out = h.run("joiner", () -> {
            int first = w.join();
            try {
                w.join();
                return "second join returned";
            } catch (TaskLifeException expected) {
                if (expected.reason() != TaskLifeException.Reason.NO_SUCH_TASK) {
                    throw expected;
                }
                return first;
            }
        });
        assertThat(out).isEqualTo(42);
        assertThat(kernel.findTask(w.id())).isEmpty();
        h.finish();
    }

    /** join_invalid: join from outside the task's group (here a host thread) throws TaskLifeException(NOT_PERMITTED). */
    @Test
    void joinInvalid_fromHostThread_notPermitted(Kernel kernel) throws Exception {
        H2Harness h = H2Harness.idle(kernel, "join_invalid");
        Task<Integer> w = h.spawn("worker", () -> 1);
        assertThat(Fixtures.ended(w)).isEqualTo(ExitStatus.exited(0));
        assertThatThrownBy(w::join).is(reason(NOT_PERMITTED));
        assertThat(h.run("joiner", w::join)).as("still joinable by its group").isEqualTo(1);
        h.finish();
    }

    // ---------------------------------------------------------------------------------------------
    // mutex_recursive

    /** mutex_recursive: a recursive mutex locked 5 times goes to a waiting locker only at the 5th unlock. */
    @Test
    void mutexRecursive_lockedFiveTimes_waiterAcquiresOnlyAtFifthUnlock(Kernel kernel) throws Exception {
        Mutex m = new Mutex(MutexKind.RECURSIVE);
        for (int i = 0; i < 5; i++) {
            m.lock(); // the test thread is the holder
        }
        AtomicBoolean acquired = new AtomicBoolean();
        H2Harness h = H2Harness.idle(kernel, "mutex_recursive");
        Attempt secondary = h.attempt("secondary", () -> {
            m.lock();
            acquired.set(true);
            m.unlock();
            return null;
        });
        Await.state(secondary.task(), TaskState.BLOCKED);
        for (int i = 0; i < 4; i++) {
            m.unlock();
            assertThat(m.isHeldByCurrentTask()).as("held after unlock %d", i + 1).isTrue();
            assertThat(m.queueLength()).as("secondary still queued after unlock %d", i + 1).isEqualTo(1);
        }
        assertThat(acquired).isFalse();
        m.unlock();
        assertThat(secondary.get()).isNull();
        assertThat(acquired).isTrue();
        assertThat(m.isLocked()).isFalse();
        h.finish();
    }

    // ---------------------------------------------------------------------------------------------
    // mutex_trylock

    /** mutex_trylock: tryLock of a free mutex acquires it. */
    @Test
    void mutexTrylock_uncontended_acquires(Kernel kernel) throws Exception {
        Mutex m = new Mutex();
        H2Harness h = H2Harness.idle(kernel, "mutex_trylock");
        Object out = h.run("locker", () -> {
            boolean got = m.tryLock();
            boolean held = m.isHeldByCurrentTask();
            m.unlock();
            return List.of(got, held);
        });
        assertThat(out).isEqualTo(List.of(true, true));
        assertThat(m.isLocked()).isFalse();
        h.finish();
    }

    /** mutex_trylock: tryLock of a mutex another holds returns false (EBUSY) without blocking or changing it. */
    @Test
    void mutexTrylock_heldByAnother_returnsFalse(Kernel kernel) throws Exception {
        Mutex m = new Mutex();
        m.lock();
        H2Harness h = H2Harness.idle(kernel, "mutex_trylock");
        assertThat(h.run("trier", m::tryLock)).isEqualTo(false);
        assertThat(m.isHeldByCurrentTask()).isTrue();
        assertThat(m.queueLength()).isZero();
        m.unlock();
        h.finish();
    }

    /** mutex_trylock: a recursive owner's tryLock succeeds and adds a level that needs its own unlock. */
    @Test
    void mutexTrylock_recursiveSelf_addsLevelNeedingSecondUnlock(Kernel kernel) {
        H2Harness.runAsMain(kernel, "mutex_trylock", () -> {
            Mutex m = new Mutex(MutexKind.RECURSIVE);
            assertThat(m.tryLock()).isTrue();
            assertThat(m.tryLock()).isTrue();
            m.unlock();
            assertThat(m.isHeldByCurrentTask()).as("held after the first of two unlocks").isTrue();
            m.unlock();
            assertThat(m.isLocked()).isFalse();
        });
    }

    /** mutex_trylock: a normal or error-checking owner's tryLock returns false (EBUSY) and leaves one level. */
    @Test
    void mutexTrylock_nonRecursiveSelf_returnsFalse(Kernel kernel) {
        H2Harness.runAsMain(kernel, "mutex_trylock", () -> {
            for (MutexKind kind : List.of(MutexKind.NORMAL, MutexKind.ERROR_CHECKING)) {
                Mutex m = new Mutex(kind);
                m.lock();
                assertThat(m.tryLock()).as("%s relock by tryLock", kind).isFalse();
                m.unlock();
                assertThat(m.isLocked()).as("%s free after one unlock", kind).isFalse();
            }
        });
    }

    /** mutex_trylock (strict): lock() by a normal or error-checking owner throws TaskLifeException(DEADLOCK) instead of hanging. */
    @Test
    void mutexLock_nonRecursiveSelf_throwsDeadlock(Kernel kernel) {
        H2Harness.runAsMain(kernel, "mutex_trylock", () -> {
            for (MutexKind kind : List.of(MutexKind.NORMAL, MutexKind.ERROR_CHECKING)) {
                Mutex m = new Mutex(kind);
                m.lock();
                assertThatThrownBy(m::lock).as("%s relock", kind).is(reason(DEADLOCK));
                assertThat(m.isHeldByCurrentTask()).isTrue();
                m.unlock();
                assertThat(m.isLocked()).as("%s free after one unlock", kind).isFalse();
            }
        });
    }

    // ---------------------------------------------------------------------------------------------
    // rwlock_readers_writers (H2: every call ENOSYS; tasklife implements the lock)

    /** rwlock_readers_writers: read holds are shared: two holders read at once, and a writer cannot try in. */
    @Test
    void rwlockReadersWriters_twoReaders_shareAndExcludeWriter(Kernel kernel) throws Exception {
        ReadWriteLock rw = new ReadWriteLock();
        rw.readLock();
        H2Harness h = H2Harness.idle(kernel, "rwlock_readers_writers");
        Object out = h.run("reader", () -> {
            boolean read = rw.tryReadLock();
            int holds = rw.readHoldCount();
            boolean write = rw.tryWriteLock();
            rw.readUnlock();
            return List.of(read, holds, write);
        });
        assertThat(out).isEqualTo(List.of(true, 2, false));
        assertThat(rw.tryWriteLock()).as("a reader cannot upgrade by tryWriteLock").isFalse();
        rw.readUnlock();
        assertThat(rw.readHoldCount()).isZero();
        h.finish();
    }

    /** rwlock_readers_writers: a writer waits for the last read hold, and a new reader does not barge past it. */
    @Test
    void rwlockReadersWriters_readerHeld_writerWaitsAndNewReaderQueuesBehind(Kernel kernel) throws Exception {
        ReadWriteLock rw = new ReadWriteLock();
        rw.readLock();
        AtomicBoolean written = new AtomicBoolean();
        H2Harness h = H2Harness.idle(kernel, "rwlock_readers_writers");
        Attempt writer = h.attempt("writer", () -> {
            rw.writeLock();
            try {
                written.set(true);
            } finally {
                rw.writeUnlock();
            }
            return null;
        });
        Await.state(writer.task(), TaskState.BLOCKED);
        assertThat(h.run("late-reader", rw::tryReadLock)).as("new reader behind a queued writer").isEqualTo(false);
        assertThat(written).isFalse();
        rw.readUnlock();
        assertThat(writer.get()).isNull();
        assertThat(written).isTrue();
        assertThat(rw.isWriteLocked()).isFalse();
        h.finish();
    }

    /** rwlock_readers_writers: while a writer holds the lock, others' tries fail and the writer's own relocks throw TaskLifeException(DEADLOCK). */
    @Test
    void rwlockReadersWriters_writerHeld_othersFailAndSelfRelockDeadlocks(Kernel kernel) throws Exception {
        ReadWriteLock rw = new ReadWriteLock();
        rw.writeLock();
        H2Harness h = H2Harness.idle(kernel, "rwlock_readers_writers");
        Object out = h.run("other", () -> List.of(rw.tryReadLock(), rw.tryWriteLock(),
                rw.tryReadLock(0, TimeUnit.NANOSECONDS), rw.tryWriteLock(0, TimeUnit.NANOSECONDS)));
        assertThat(out).isEqualTo(List.of(false, false, false, false));
        assertThatThrownBy(rw::writeLock).is(reason(DEADLOCK));
        assertThatThrownBy(rw::readLock).is(reason(DEADLOCK));
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        rw.writeUnlock();
        assertThat(rw.tryReadLock()).isTrue();
        rw.readUnlock();
        h.finish();
    }

    // ---------------------------------------------------------------------------------------------
    // sem_corner

    /** sem_corner: tryAcquire on a zero semaphore fails without blocking. */
    @Test
    void semCorner_tryAcquireOnZero_fails(Kernel kernel) {
        H2Harness.runAsMain(kernel, "sem_corner", () -> {
            Semaphore s = new Semaphore(0);
            assertThat(s.tryAcquire()).isFalse();
            assertThat(s.availablePermits()).isZero();
        });
    }

    /** sem_corner: with 3 waiters, one release wakes exactly one, two more wake the other two. */
    @Test
    void semCorner_threeWaiters_oneReleaseWakesOneTwoWakeRest(Kernel kernel) throws Exception {
        Semaphore s = new Semaphore(0);
        AtomicInteger woken = new AtomicInteger();
        H2Harness h = H2Harness.idle(kernel, "sem_corner");
        List<Attempt> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(h.attempt("waiter" + i, () -> {
                s.acquire();
                woken.incrementAndGet();
                return null;
            }));
        }
        Await.until("3 semaphore waiters", () -> s.queueLength() == 3, () -> s.queueLength() + " queued");
        s.release();
        Await.until("one waiter woken", () -> woken.get() == 1);
        assertThat(s.queueLength()).as("still queued after one release").isEqualTo(2);
        assertThat(s.availablePermits()).isZero();
        assertThat(woken.get()).isEqualTo(1);
        s.release(2);
        for (Attempt w : waiters) {
            assertThat(w.get()).isNull();
        }
        assertThat(woken.get()).isEqualTo(3);
        assertThat(s.availablePermits()).isZero();
        h.finish();
    }

    /** sem_corner: a semaphore created with 7 permits has 7 available. */
    @Test
    void semCorner_initSeven_sevenAvailable(Kernel kernel) {
        H2Harness.runAsMain(kernel, "sem_corner", () -> {
            assertThat(new Semaphore(7).availablePermits()).isEqualTo(7);
        });
    }

    /** sem_corner: a timed acquire with a past deadline takes a free permit, and on zero times out without blocking. */
    @Test
    void semCorner_pastDeadline_takesFreePermitElseTimesOut(Kernel kernel) throws Exception {
        Semaphore positive = new Semaphore(1);
        Semaphore zero = new Semaphore(0);
        H2Harness h = H2Harness.idle(kernel, "sem_corner");
        Object out = h.run("timed", () -> List.of(positive.tryAcquire(0, TimeUnit.NANOSECONDS),
                zero.tryAcquire(-1, TimeUnit.SECONDS)));
        assertThat(out).isEqualTo(List.of(true, false));
        assertThat(positive.availablePermits()).isZero();
        assertThat(zero.queueLength()).isZero();
        h.finish();
    }

    // ---------------------------------------------------------------------------------------------
    // tls_keys

    /** tls_keys: each task sees only its own value, and the destructor runs exactly once per task that set one. */
    @Test
    void tlsKeys_threeTasks_isolatedValuesAndOneDestructorEach(Kernel kernel) throws Exception {
        Queue<String> destroyed = new ConcurrentLinkedQueue<>();
        TaskLocal<String> key = new TaskLocal<>(destroyed::add);
        H2Harness h = H2Harness.idle(kernel, "tls_keys");
        assertThat(h.run("main-like", () -> String.valueOf(key.get()))).isEqualTo("null");
        List<Attempt> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String mine = "value" + i;
            workers.add(h.attempt("worker" + i, () -> {
                String before = String.valueOf(key.get());
                key.set(mine);
                return before + "->" + key.get();
            }));
        }
        for (int i = 0; i < 3; i++) {
            assertThat(workers.get(i).get()).isEqualTo("null->value" + i);
            Fixtures.ended(workers.get(i).task()); // destructors ran in its exit sequence
        }
        assertThat(destroyed).containsExactlyInAnyOrder("value0", "value1", "value2");
        h.finish();
    }

    /** tls_keys: after a key is deleted a new key can be created and used. */
    @Test
    void tlsKeys_createAfterDelete_newKeyUsable(Kernel kernel) throws Exception {
        TaskLocal<String> first = new TaskLocal<>();
        first.delete();
        TaskLocal<String> second = new TaskLocal<>();
        H2Harness h = H2Harness.idle(kernel, "tls_keys");
        Object out = h.run("user", () -> {
            second.set("x");
            return second.get();
        });
        assertThat(out).isEqualTo("x");
        h.finish();
    }

    /** tls_keys: keys have no fixed capacity: more keys than glibc's PTHREAD_KEYS_MAX (1024) all work in one task. */
    @Test
    void tlsKeys_moreThanPosixKeysMax_allUsable(Kernel kernel) throws Exception {
        int n = 1_100;
        List<TaskLocal<Integer>> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(new TaskLocal<>());
        }
        H2Harness h = H2Harness.idle(kernel, "tls_keys");
        Object out = h.run("user", () -> {
            for (int i = 0; i < n; i++) {
                keys.get(i).set(i);
            }
            int ok = 0;
            for (int i = 0; i < n; i++) {
                ok += keys.get(i).get() == i ? 1 : 0;
            }
            return ok;
        });
        assertThat(out).isEqualTo(n);
        h.finish();
    }

    // ---------------------------------------------------------------------------------------------
    // Negative / misuse

    /** neg_attr_setstacksize_zero (strict): an invalid spawn option value is refused at once with IllegalArgumentException. */
    @Test
    void negAttrSetstacksizeZero_invalidOptionValue_illegalArgument(Kernel kernel) {
        H2Harness.runAsMain(kernel, "neg_attr_setstacksize_zero", () -> {
            assertThatThrownBy(() -> SpawnOptions.named("")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> SpawnOptions.named(" ")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> SpawnOptions.named("x".repeat(201))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> SpawnOptions.named(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> SpawnOptions.named("p").failurePolicy(null))
                    .isInstanceOf(NullPointerException.class);
            assertThat(SpawnOptions.named("x".repeat(200)).name()).hasSize(200);
        });
    }

    /** neg_attr_setstacksize_zero (strict): spawning with an option of the other kind (task vs group) is refused and creates nothing. */
    @Test
    void negAttrSetstacksizeZero_optionOfOtherKind_illegalArgumentNothingCreated(Kernel kernel) throws Exception {
        H2Harness h = H2Harness.idle(kernel, "neg_attr_setstacksize_zero");
        Await.state(h.mainTask(), TaskState.BLOCKED);
        assertThatThrownBy(() -> h.process().spawnTask(SpawnOptions.named("t").autoReap(true), () -> null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.process().spawnTask(SpawnOptions.named("t").childSubreaper(true), () -> null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.process().spawnTask(SpawnOptions.named("t").failurePolicy(FailurePolicy.FAIL_TASK),
                () -> null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.domain().spawnGroup(SpawnOptions.named("g").detached(true), () -> 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(h.run("spawner", () -> Tasks.spawnGroup(SpawnOptions.named("g").detached(true), () -> 0)))
                .isInstanceOf(IllegalArgumentException.class);
        Await.until("spawner gone", () -> h.domain().liveTaskCount() == 1, () -> h.domain().liveTaskCount() + " live");
        assertThat(h.domain().groups()).containsExactly(h.process());
        h.finish();
    }

    /** neg_barrier_init_zero (strict): a barrier of 0 (or fewer) parties is refused with IllegalArgumentException. */
    @Test
    void negBarrierInitZero_zeroParties_illegalArgument(Kernel kernel) {
        H2Harness.runAsMain(kernel, "neg_barrier_init_zero", () -> {
            assertThatThrownBy(() -> new Barrier(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new Barrier(0, () -> {})).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new Barrier(-1)).isInstanceOf(IllegalArgumentException.class);
        });
    }

    /** neg_cond_wait_no_mutex (strict): waiting without owning the mutex throws TaskLifeException(NOT_PERMITTED) and waits not at all. */
    @Test
    void negCondWaitNoMutex_notOwner_notPermitted(Kernel kernel) throws Exception {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        H2Harness h = H2Harness.idle(kernel, "neg_cond_wait_no_mutex");
        assertThat(h.run("waiter", () -> {
            c.await();
            return "returned";
        })).is(reason(NOT_PERMITTED));
        assertThat(h.run("timed-waiter", () -> c.await(1, TimeUnit.HOURS)))
                .is(reason(NOT_PERMITTED));
        assertThat(c.queueLength()).isZero();
        assertThat(m.isLocked()).isFalse();
        h.finish();
    }

    /** neg_cond_wait_no_mutex (strict): waiting on a mutex another task owns throws TaskLifeException(NOT_PERMITTED); the owner keeps it. */
    @Test
    void negCondWaitNoMutex_otherOwns_notPermittedOwnerKeepsMutex(Kernel kernel) throws Exception {
        Mutex m = new Mutex();
        Condition c = m.newCondition();
        m.lock();
        H2Harness h = H2Harness.idle(kernel, "neg_cond_wait_no_mutex");
        assertThat(h.run("waiter", () -> {
            c.await();
            return "returned";
        })).is(reason(NOT_PERMITTED));
        assertThat(m.isHeldByCurrentTask()).isTrue();
        assertThat(c.queueLength()).isZero();
        m.unlock();
        h.finish();
    }

    /** neg_create_invalid_routine (strict): spawning a task or group with a null body throws NullPointerException and creates nothing. */
    @Test
    void negCreateInvalidRoutine_nullBody_nullPointerNothingCreated(Kernel kernel) throws Exception {
        H2Harness h = H2Harness.idle(kernel, "neg_create_invalid_routine");
        Await.state(h.mainTask(), TaskState.BLOCKED);
        long live = h.domain().liveTaskCount();
        assertThatThrownBy(() -> h.process().spawnTask("null-body", (TaskBody<Object>) null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> h.domain().spawnGroup("null-main", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> kernel.spawnGroup("null-main", null)).isInstanceOf(NullPointerException.class);
        assertThat(h.run("spawner", () -> Tasks.spawnTask("null-body", (TaskBody<Object>) null)))
                .isInstanceOf(NullPointerException.class);
        assertThat(h.run("group-spawner", () -> Tasks.spawnGroup("null-main", null)))
                .isInstanceOf(NullPointerException.class);
        Await.until("spawners gone", () -> h.domain().liveTaskCount() == live,
                () -> h.domain().liveTaskCount() + " live");
        assertThat(h.process().liveTaskCount()).isEqualTo(1);
        assertThat(h.domain().groups()).containsExactly(h.process());
        assertThat(kernel.rootDomain().groups()).isEmpty();
        h.finish();
    }

    /** neg_join_self (strict): a task joining itself throws TaskLifeException(DEADLOCK) instead of hanging. */
    @Test
    void negJoinSelf_selfJoin_deadlockException(Kernel kernel) throws Exception {
        H2Harness h = H2Harness.idle(kernel, "neg_join_self");
        Attempt self = h.attempt("self-joiner", () -> Tasks.current().join());
        assertThat(self.get()).is(reason(DEADLOCK));
        assertThat(Fixtures.ended(self.task())).isEqualTo(ExitStatus.exited(0));
        h.finish();
    }

    /** neg_mutex_destroy_held (strict): destroying a locked mutex throws TaskLifeException(BUSY) and changes nothing; it stays usable. */
    @Test
    void negMutexDestroyHeld_locked_busyAndStillUsable(Kernel kernel) {
        H2Harness.runAsMain(kernel, "neg_mutex_destroy_held", () -> {
            Mutex m = new Mutex();
            m.lock();
            assertThatThrownBy(m::destroy).is(reason(BUSY));
            assertThat(m.isDestroyed()).isFalse();
            assertThat(m.isHeldByCurrentTask()).isTrue();
            m.unlock();
            m.lock();
            m.unlock();
            assertThat(m.isLocked()).isFalse();
        });
    }

    /** neg_mutex_destroy_held (strict): destroying a mutex a task waits for throws TaskLifeException(BUSY); the waiter still gets it. */
    @Test
    void negMutexDestroyHeld_waiterQueued_busyAndWaiterAcquires(Kernel kernel) throws Exception {
        Mutex m = new Mutex();
        m.lock();
        H2Harness h = H2Harness.idle(kernel, "neg_mutex_destroy_held");
        Attempt waiter = h.attempt("waiter", () -> {
            m.lock();
            m.unlock();
            return "acquired";
        });
        Await.state(waiter.task(), TaskState.BLOCKED);
        assertThatThrownBy(m::destroy).is(reason(BUSY));
        assertThat(m.isDestroyed()).isFalse();
        assertThat(m.queueLength()).isEqualTo(1);
        m.unlock();
        assertThat(waiter.get()).isEqualTo("acquired");
        assertThat(m.isLocked()).isFalse();
        h.finish();
    }

    /** neg_mutex_destroy_held: a free mutex can be destroyed once; every later use throws TaskLifeException(DESTROYED). */
    @Test
    void negMutexDestroyHeld_destroyedWhenFree_laterUseDestroyed(Kernel kernel) {
        H2Harness.runAsMain(kernel, "neg_mutex_destroy_held", () -> {
            Mutex m = new Mutex();
            m.lock();
            m.unlock();
            m.destroy();
            assertThat(m.isDestroyed()).isTrue();
            assertThatThrownBy(m::lock).is(reason(DESTROYED));
            assertThatThrownBy(m::tryLock).is(reason(DESTROYED));
            assertThatThrownBy(m::destroy).is(reason(DESTROYED));
        });
    }

    /** neg_mutex_unlock_unowned (strict): unlocking a never-locked mutex throws TaskLifeException(NOT_PERMITTED); the mutex stays usable by all. */
    @Test
    void negMutexUnlockUnowned_neverLocked_notPermittedAndStillUsable(Kernel kernel) throws Exception {
        for (MutexKind kind : MutexKind.values()) {
            Mutex m = new Mutex(kind);
            assertThatThrownBy(m::unlock).as("%s", kind).is(reason(NOT_PERMITTED));
            assertThat(m.isLocked()).isFalse();
        }
        Mutex m = new Mutex();
        assertThatThrownBy(m::unlock).is(reason(NOT_PERMITTED));
        H2Harness h = H2Harness.idle(kernel, "neg_mutex_unlock_unowned");
        Object worker = h.run("worker", () -> {
            boolean refused;
            try {
                m.unlock();
                refused = false;
            } catch (TaskLifeException expected) {
                if (expected.reason() != TaskLifeException.Reason.NOT_PERMITTED) {
                    throw expected;
                }
                refused = true;
            }
            m.lock();
            m.unlock();
            return refused;
        });
        assertThat(worker).isEqualTo(true);
        m.lock();
        m.unlock();
        assertThat(m.isLocked()).isFalse();
        h.finish();
    }

    /** neg_mutex_unlock_unowned (strict): unlocking a mutex another task owns throws TaskLifeException(NOT_PERMITTED); the owner keeps it. */
    @Test
    void negMutexUnlockUnowned_otherOwns_notPermittedOwnerKeepsMutex(Kernel kernel) throws Exception {
        Mutex m = new Mutex();
        m.lock();
        H2Harness h = H2Harness.idle(kernel, "neg_mutex_unlock_unowned");
        assertThat(h.run("intruder", () -> {
            m.unlock();
            return "unlocked";
        })).is(reason(NOT_PERMITTED));
        assertThat(m.isHeldByCurrentTask()).isTrue();
        m.unlock();
        h.finish();
    }

    /** neg_rwlock_unlock_unheld (strict): unlocking a free reader-writer lock throws TaskLifeException(NOT_PERMITTED); the lock stays usable. */
    @Test
    void negRwlockUnlockUnheld_freeLock_notPermittedAndStillUsable(Kernel kernel) {
        H2Harness.runAsMain(kernel, "neg_rwlock_unlock_unheld", () -> {
            ReadWriteLock rw = new ReadWriteLock();
            assertThatThrownBy(rw::readUnlock).is(reason(NOT_PERMITTED));
            assertThatThrownBy(rw::writeUnlock).is(reason(NOT_PERMITTED));
            rw.writeLock();
            rw.writeUnlock();
            rw.readLock();
            assertThatThrownBy(rw::writeUnlock).as("writeUnlock by a reader").is(reason(NOT_PERMITTED));
            rw.readUnlock();
            assertThat(rw.readHoldCount()).isZero();
            assertThat(rw.isWriteLocked()).isFalse();
        });
    }

    /** neg_sem_overflow_post (strict): a release past the maximum throws TaskLifeException(OVERFLOW) and adds nothing. */
    @Test
    void negSemOverflowPost_releasePastMax_overflowValueUnchanged(Kernel kernel) {
        H2Harness.runAsMain(kernel, "neg_sem_overflow_post", () -> {
            Semaphore s = new Semaphore(0, 5);
            for (int i = 0; i < 5; i++) {
                s.release();
            }
            assertThatThrownBy(s::release).is(reason(OVERFLOW));
            assertThat(s.availablePermits()).isEqualTo(5);
            assertThat(s.tryAcquire()).isTrue();
            assertThatThrownBy(() -> s.release(2)).as("partial overflow").is(reason(OVERFLOW));
            assertThat(s.availablePermits()).as("nothing released by a refused release(2)").isEqualTo(4);
            int drained = 0;
            while (s.tryAcquire()) {
                drained++;
            }
            assertThat(drained).isEqualTo(4);
        });
    }

    /** neg_sem_overflow_post (strict): the default maximum is Integer.MAX_VALUE (SEM_VALUE_MAX), and a release there overflows without wrapping. */
    @Test
    void negSemOverflowPost_defaultMaxReached_overflowNoWrap(Kernel kernel) {
        H2Harness.runAsMain(kernel, "neg_sem_overflow_post", () -> {
            Semaphore s = new Semaphore(Integer.MAX_VALUE);
            assertThat(s.maxPermits()).isEqualTo(Integer.MAX_VALUE);
            assertThatThrownBy(s::release).is(reason(OVERFLOW));
            assertThat(s.availablePermits()).isEqualTo(Integer.MAX_VALUE);
        });
    }

    /** neg_tls_use_after_delete (strict): get, set and remove on a deleted key throw TaskLifeException(DESTROYED). */
    @Test
    void negTlsUseAfterDelete_deletedKey_keyDeleted(Kernel kernel) throws Exception {
        TaskLocal<String> key = new TaskLocal<>();
        H2Harness h = H2Harness.idle(kernel, "neg_tls_use_after_delete");
        Object out = h.run("user", () -> {
            key.set("v");
            String before = key.get();
            key.delete();
            List<Object> after = new ArrayList<>();
            after.add(before);
            after.add(thrown(key::get));
            after.add(thrown(() -> key.set(null)));
            after.add(thrown(() -> key.set("w")));
            after.add(thrown(key::remove));
            return after;
        });
        assertThat(out).isInstanceOf(List.class);
        List<?> results = (List<?>) out;
        assertThat(results.get(0)).isEqualTo("v");
        assertThat(results.subList(1, results.size())).allSatisfy(e -> assertThat(e).is(reason(DESTROYED)));
        assertThat(key.isDeleted()).isTrue();
        key.delete(); // idempotent
        h.finish();
    }

    /** neg_tls_use_after_delete: delete discards values without running the destructor, then or at task exit. */
    @Test
    void negTlsUseAfterDelete_deletedKey_destructorNeverRuns(Kernel kernel) throws Exception {
        Queue<String> destroyed = new ConcurrentLinkedQueue<>();
        TaskLocal<String> key = new TaskLocal<>(destroyed::add);
        H2Harness h = H2Harness.idle(kernel, "neg_tls_use_after_delete");
        Attempt user = h.attempt("user", () -> {
            key.set("v");
            key.delete();
            return null;
        });
        assertThat(user.get()).isNull();
        assertThat(Fixtures.ended(user.task())).isEqualTo(ExitStatus.exited(0));
        assertThat(destroyed).isEmpty();
        assertThat(user.task().closeFailures()).isEmpty();
        h.finish();
    }

    // ---------------------------------------------------------------------------------------------

    /** What {@code action} threw, or null. */
    private static Throwable thrown(Runnable action) {
        try {
            action.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }
}
