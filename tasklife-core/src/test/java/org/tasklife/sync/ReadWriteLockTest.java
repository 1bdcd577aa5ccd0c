package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.DEADLOCK;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
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

@ExtendWith(KernelExtension.class)
class ReadWriteLockTest {

    /** Every way to take the lock that can block, with its matching unlock (STYLE G15). */
    enum Mode {
        READ(false, false), WRITE(true, false), TIMED_READ(false, true), TIMED_WRITE(true, true);

        final boolean write;
        final boolean timed;

        Mode(boolean write, boolean timed) {
            this.write = write;
            this.timed = timed;
        }

        /** Takes the lock in this mode; the timed modes wait up to an hour and must succeed. */
        void lock(ReadWriteLock rw) {
            if (timed) {
                boolean got = write ? rw.tryWriteLock(1, TimeUnit.HOURS) : rw.tryReadLock(1, TimeUnit.HOURS);
                if (!got) {
                    throw new AssertionError(this + " timed out after an hour");
                }
            } else if (write) {
                rw.writeLock();
            } else {
                rw.readLock();
            }
        }

        void unlock(ReadWriteLock rw) {
            if (write) {
                rw.writeUnlock();
            } else {
                rw.readUnlock();
            }
        }
    }

    /**
     * A task that takes {@code rw} in {@code mode}, logs {@code name}, holds it until it gets a permit of
     * {@code gate} (a kill-aware wait), then releases and returns {@code name}.
     */
    private static Attempt holder(TaskGroup g, String name, ReadWriteLock rw, Mode mode, Semaphore gate, List<String> log) {
        return attempt(g, name, () -> {
            mode.lock(rw);
            try {
                log.add(name);
                gate.acquire();
            } finally {
                mode.unlock(rw);
            }
            return name;
        });
    }

    /** Runs {@code body} on a new host (platform, non-task) thread; the future holds its result or throwable. */
    private static CompletableFuture<Object> onHostThread(String name, Callable<Object> body) {
        CompletableFuture<Object> out = new CompletableFuture<>();
        Thread.ofPlatform().name(name).start(() -> {
            try {
                out.complete(body.call());
            } catch (Throwable e) {
                out.complete(e);
            }
        });
        return out;
    }

    /** The lock is free: no writer, no read hold of the caller, nobody queued, and it says so. */
    static void assertFree(ReadWriteLock rw) {
        assertThat(rw.isWriteLocked()).as("write-locked: %s", rw).isFalse();
        assertThat(rw.readHoldCount()).as("read holds: %s", rw).isZero();
        assertThat(rw.queueLength()).as("queued: %s", rw).isZero();
        assertThat(rw).as("unlocked").hasToString("ReadWriteLock@" + Integer.toHexString(System.identityHashCode(rw))
                + "[unlocked]");
    }

    // ---- basic semantics ----

    /** SPEC §9: several readers hold the read lock at the same time; a writer is excluded meanwhile. */
    @Test
    void readLock_severalReaders_shareTheLock(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        Semaphore gate = new Semaphore(0);
        List<String> log = new CopyOnWriteArrayList<>();
        rw.readLock();
        Attempt r1 = holder(g, "r1", rw, Mode.READ, gate, log);
        Attempt r2 = holder(g, "r2", rw, Mode.TIMED_READ, gate, log);
        Await.until("both readers in", () -> log.size() == 2, log::toString);
        assertThat(rw.readHoldCount()).isEqualTo(3);
        assertThat(rw.isWriteLocked()).isFalse();
        Attempt writer = attempt(g, "writer", () -> List.of(rw.tryWriteLock(), rw.tryWriteLock(0, TimeUnit.SECONDS)));
        assertThat(writer.get()).as("no writer while read-locked").isEqualTo(List.of(false, false));
        rw.readUnlock();
        gate.release(2);
        assertThat(r1.get()).isEqualTo("r1");
        assertThat(r2.get()).isEqualTo("r2");
        assertFree(rw);
        killAndReap(g);
    }

    /** SPEC §9: read holds are counted per holder and reentrant; the lock is free after as many unlocks. */
    @Test
    void readLock_reentrant_countsHoldsPerHolder() {
        ReadWriteLock rw = new ReadWriteLock();
        rw.readLock();
        rw.readLock();
        assertThat(rw.tryReadLock()).isTrue();
        assertThat(rw.tryReadLock(0, TimeUnit.SECONDS)).isTrue();
        assertThat(rw.readHoldCount()).isEqualTo(4);
        for (int i = 3; i >= 0; i--) {
            rw.readUnlock();
            assertThat(rw.readHoldCount()).isEqualTo(i);
        }
        assertFree(rw);
        assertThatThrownBy(rw::readUnlock).is(reason(NOT_PERMITTED));
    }

    /** SPEC §9: the write lock is exclusive: no reader or other writer gets in until writeUnlock. */
    @Test
    void writeLock_free_exclusiveUntilUnlock(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        rw.writeLock();
        assertThat(rw.isWriteLocked()).isTrue();
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        Attempt other = attempt(g, "other", () -> List.of(rw.tryReadLock(), rw.tryWriteLock(),
                rw.tryReadLock(0, TimeUnit.SECONDS), rw.tryWriteLock(-1, TimeUnit.SECONDS), rw.isWriteLockedByCurrentTask()));
        assertThat(other.get()).isEqualTo(List.of(false, false, false, false, false));
        rw.writeUnlock();
        assertThat(rw.isWriteLockedByCurrentTask()).isFalse();
        assertFree(rw);
        killAndReap(g);
    }

    /** SPEC §9: a writer waits until every reader has released, and readers wait for a writer to release. */
    @Test
    void writeLock_readersHold_waitsForLastReader(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        Semaphore gate = new Semaphore(0);
        List<String> log = new CopyOnWriteArrayList<>();
        Attempt r1 = holder(g, "r1", rw, Mode.READ, gate, log);
        Await.until("r1 in", () -> log.size() == 1);
        rw.readLock();
        Attempt w = holder(g, "w", rw, Mode.WRITE, gate, log);
        Await.state(w.task(), TaskState.BLOCKED);
        rw.readUnlock();
        gate.release(); // r1 releases: the last reader
        assertThat(r1.get()).isEqualTo("r1");
        Await.until("writer in", () -> log.size() == 2, log::toString);
        assertThat(rw.isWriteLocked()).isTrue();
        assertThat(rw.readHoldCount()).isZero();
        Attempt r2 = holder(g, "r2", rw, Mode.READ, gate, log);
        Await.state(r2.task(), TaskState.BLOCKED);
        gate.release(); // the writer goes, r2 comes
        assertThat(w.get()).isEqualTo("w");
        Await.until("r2 in", () -> log.size() == 3, log::toString);
        gate.release();
        assertThat(r2.get()).isEqualTo("r2");
        assertThat(log).containsExactly("r1", "w", "r2");
        assertFree(rw);
        killAndReap(g);
    }

    /** SPEC §9: toString names the state: unlocked, read-locked with holds and readers, or the writer. */
    @Test
    void toString_eachState_namesHolders() {
        ReadWriteLock rw = new ReadWriteLock();
        String id = "ReadWriteLock@" + Integer.toHexString(System.identityHashCode(rw));
        assertThat(rw).hasToString(id + "[unlocked]");
        rw.readLock();
        rw.readLock();
        assertThat(rw).hasToString(id + "[read-locked, 2 holds by 1 readers]");
        rw.readUnlock();
        rw.readUnlock();
        rw.writeLock();
        assertThat(rw.toString()).isEqualTo(id + "[write-locked by host thread '" + Thread.currentThread().getName() + "']");
        rw.writeUnlock();
    }

    // ---- errors ----

    /** SPEC §12 EDEADLK: the writer taking the write lock again throws TaskLifeException(DEADLOCK); its untimed try fails; state unchanged. */
    @Test
    void writeLock_byWriter_throwsDeadlockStateUnchanged() {
        ReadWriteLock rw = new ReadWriteLock();
        rw.writeLock();
        assertThatThrownBy(rw::writeLock).is(reason(DEADLOCK))
                .hasMessageContaining("writeLock()").hasMessageContaining("ReadWriteLock@")
                .hasMessageContaining("not reentrant");
        assertThatThrownBy(() -> rw.tryWriteLock(1, TimeUnit.SECONDS)).is(reason(DEADLOCK))
                .hasMessageContaining("tryWriteLock(timeout)");
        assertThat(rw.tryWriteLock()).isFalse();
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        assertThat(rw.queueLength()).isZero();
        rw.writeUnlock();
        assertFree(rw);
    }

    /** SPEC §12 EDEADLK: the writer asking for a read lock throws TaskLifeException(DEADLOCK) (no downgrade); state unchanged. */
    @Test
    void readLock_byWriter_throwsDeadlockStateUnchanged() {
        ReadWriteLock rw = new ReadWriteLock();
        rw.writeLock();
        assertThatThrownBy(rw::readLock).is(reason(DEADLOCK))
                .hasMessageContaining("readLock()").hasMessageContaining("no downgrade");
        assertThatThrownBy(() -> rw.tryReadLock(1, TimeUnit.SECONDS)).is(reason(DEADLOCK));
        assertThat(rw.tryReadLock()).isFalse();
        assertThat(rw.readHoldCount()).isZero();
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        assertThat(rw.queueLength()).isZero();
        rw.writeUnlock();
        assertFree(rw);
    }

    /** SPEC §12 EDEADLK: a reader asking for the write lock throws TaskLifeException(DEADLOCK) (an upgrade waits for itself); state unchanged. */
    @Test
    void writeLock_byReader_throwsDeadlockStateUnchanged() {
        ReadWriteLock rw = new ReadWriteLock();
        rw.readLock();
        assertThatThrownBy(rw::writeLock).is(reason(DEADLOCK))
                .hasMessageContaining("holds a read lock").hasMessageContaining("upgrading");
        assertThatThrownBy(() -> rw.tryWriteLock(1, TimeUnit.SECONDS)).is(reason(DEADLOCK));
        assertThat(rw.tryWriteLock()).isFalse();
        assertThat(rw.readHoldCount()).isEqualTo(1);
        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.queueLength()).isZero();
        rw.readUnlock();
        assertFree(rw);
    }

    /** SPEC §12 EPERM: readUnlock by a caller holding no read lock throws TaskLifeException(NOT_PERMITTED); state unchanged. */
    @Test
    void readUnlock_byNonReader_throwsNotPermittedStateUnchanged(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        assertThatThrownBy(rw::readUnlock).is(reason(NOT_PERMITTED))
                .hasMessageContaining("readUnlock()").hasMessageContaining("ReadWriteLock@")
                .hasMessageContaining("host thread").hasMessageContaining("only a holder of a read lock");
        rw.readLock();
        Attempt intruder = attempt(g, "intruder", () -> {
            rw.readUnlock();
            return null;
        });
        assertThat(intruder.get()).is(reason(NOT_PERMITTED));
        assertThat(((Throwable) intruder.get()).getMessage()).contains("task " + intruder.task().id());
        assertThat(rw.readHoldCount()).isEqualTo(1);
        rw.readUnlock();
        rw.writeLock();
        assertThatThrownBy(rw::readUnlock).is(reason(NOT_PERMITTED)).hasMessageContaining("use writeUnlock()");
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        rw.writeUnlock();
        assertFree(rw);
        killAndReap(g);
    }

    /** SPEC §12 EPERM: writeUnlock by a caller that is not the writer throws TaskLifeException(NOT_PERMITTED); state unchanged. */
    @Test
    void writeUnlock_byNonWriter_throwsNotPermittedStateUnchanged(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        assertThatThrownBy(rw::writeUnlock).is(reason(NOT_PERMITTED))
                .hasMessageContaining("only the writer").hasMessageContaining("not write-locked");
        rw.readLock();
        assertThatThrownBy(rw::writeUnlock).is(reason(NOT_PERMITTED));
        assertThat(rw.readHoldCount()).isEqualTo(1);
        rw.readUnlock();
        rw.writeLock();
        Attempt intruder = attempt(g, "intruder", () -> {
            rw.writeUnlock();
            return null;
        });
        assertThat(intruder.get()).is(reason(NOT_PERMITTED));
        assertThat(((Throwable) intruder.get()).getMessage()).contains("held by host thread");
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        rw.writeUnlock();
        assertFree(rw);
        killAndReap(g);
    }

    /** SPEC §12: a null unit is refused and changes nothing. */
    @Test
    void tryLockTimed_nullUnit_throwsNullPointer() {
        ReadWriteLock rw = new ReadWriteLock();
        assertThatThrownBy(() -> rw.tryReadLock(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> rw.tryWriteLock(1, null)).isInstanceOf(NullPointerException.class);
        assertFree(rw);
    }

    // ---- timeouts ----

    /** SPEC T1: a lock that can be taken at once is taken by a timed try even with a zero or negative timeout. */
    @Test
    void tryLockTimed_freeAndNonPositiveTimeout_acquires() {
        ReadWriteLock rw = new ReadWriteLock();
        assertThat(rw.tryReadLock(0, TimeUnit.NANOSECONDS)).isTrue();
        assertThat(rw.tryReadLock(-1, TimeUnit.SECONDS)).isTrue();
        assertThat(rw.readHoldCount()).isEqualTo(2);
        rw.readUnlock();
        rw.readUnlock();
        assertThat(rw.tryWriteLock(-1, TimeUnit.SECONDS)).isTrue();
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        rw.writeUnlock();
        assertFree(rw);
    }

    /** SPEC T1: a timed write try that cannot get in returns false, takes nothing and leaves no waiter. */
    @Test
    void tryWriteLockTimed_readerHolds_returnsFalseTakesNothing(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        rw.readLock();
        Attempt a = attempt(g, "writer", () -> List.of(rw.tryWriteLock(0, TimeUnit.SECONDS),
                rw.tryWriteLock(20, TimeUnit.MILLISECONDS)));
        assertThat(a.get()).isEqualTo(List.of(false, false));
        assertThat(rw.readHoldCount()).isEqualTo(1);
        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.queueLength()).isZero();
        rw.readUnlock();
        assertFree(rw);
        killAndReap(g);
    }

    /** SPEC T1: a timed read try while a writer holds returns false, takes nothing and leaves no waiter. */
    @Test
    void tryReadLockTimed_writerHolds_returnsFalseTakesNothing(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        rw.writeLock();
        Attempt a = attempt(g, "reader", () -> List.of(rw.tryReadLock(0, TimeUnit.SECONDS),
                rw.tryReadLock(20, TimeUnit.MILLISECONDS)));
        assertThat(a.get()).isEqualTo(List.of(false, false));
        assertThat(rw.readHoldCount()).isZero();
        assertThat(rw.queueLength()).isZero();
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        rw.writeUnlock();
        assertFree(rw);
        killAndReap(g);
    }

    // ---- fairness policy ----

    /**
     * SPEC §9: with a writer queued, a new reader queues behind it (no barging, also for tryReadLock), while
     * a holder's read re-entry is admitted at once.
     */
    @Test
    void readLock_writerQueued_newReaderWaitsReentryAdmitted(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        Semaphore gate = new Semaphore(0);
        List<String> log = new CopyOnWriteArrayList<>();
        rw.readLock();
        Attempt w = holder(g, "w", rw, Mode.WRITE, gate, log);
        Await.state(w.task(), TaskState.BLOCKED);
        Attempt r = holder(g, "r", rw, Mode.READ, gate, log);
        Await.state(r.task(), TaskState.BLOCKED);
        assertThat(rw.queueLength()).isEqualTo(2);
        Attempt trier = attempt(g, "trier", () -> List.of(rw.tryReadLock(), rw.tryReadLock(0, TimeUnit.SECONDS)));
        assertThat(trier.get()).as("no barging past the queued writer").isEqualTo(List.of(false, false));

        rw.readLock(); // re-entry: immediate, or the writer would wait for us while we wait for it
        assertThat(rw.tryReadLock()).isTrue();
        assertThat(rw.readHoldCount()).isEqualTo(3);
        rw.readUnlock();
        rw.readUnlock();
        assertThat(w.task().state()).isEqualTo(TaskState.BLOCKED);
        rw.readUnlock(); // last read hold: the writer goes first
        Await.until("writer in", () -> log.size() == 1, log::toString);
        assertThat(r.task().state()).isEqualTo(TaskState.BLOCKED);
        gate.release();
        Await.until("reader in", () -> log.size() == 2, log::toString);
        gate.release();
        assertThat(w.get()).isEqualTo("w");
        assertThat(r.get()).isEqualTo("r");
        assertThat(log).containsExactly("w", "r");
        assertFree(rw);
        killAndReap(g);
    }

    /**
     * SPEC §9: on release the head is granted in FIFO order: the run of readers at the head all at once,
     * then the writer behind them alone, then the reader behind the writer.
     */
    @Test
    void writeUnlock_mixedQueue_grantsReaderRunTogetherThenWriter(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        Semaphore gate = new Semaphore(0);
        List<String> log = new CopyOnWriteArrayList<>();
        rw.writeLock();
        List<Attempt> as = new ArrayList<>();
        String[] names = {"r1", "r2", "r3", "w1", "r4", "w2"};
        for (String name : names) {
            Mode mode = name.startsWith("w") ? Mode.WRITE : (as.size() % 2 == 0 ? Mode.READ : Mode.TIMED_READ);
            Attempt a = holder(g, name, rw, mode, gate, log);
            Await.state(a.task(), TaskState.BLOCKED);
            as.add(a);
        }
        assertThat(rw.queueLength()).isEqualTo(6);
        rw.writeUnlock();
        Await.until("the three head readers in", () -> log.size() == 3, log::toString);
        assertThat(log).containsExactlyInAnyOrder("r1", "r2", "r3");
        assertThat(rw.readHoldCount()).as("granted together, all holding").isEqualTo(3);
        assertThat(rw.queueLength()).isEqualTo(3);
        gate.release(2);
        Await.until("two readers out", () -> rw.readHoldCount() == 1);
        assertThat(log).as("w1 waits for the last reader").hasSize(3);
        gate.release();
        Await.until("w1 in", () -> log.size() == 4, log::toString);
        assertThat(log.get(3)).isEqualTo("w1");
        assertThat(rw.isWriteLocked()).isTrue();
        gate.release();
        Await.until("r4 in", () -> log.size() == 5, log::toString);
        assertThat(log.get(4)).isEqualTo("r4");
        gate.release();
        Await.until("w2 in", () -> log.size() == 6, log::toString);
        assertThat(log.get(5)).isEqualTo("w2");
        gate.release();
        for (int i = 0; i < names.length; i++) {
            assertThat(as.get(i).get()).isEqualTo(names[i]);
        }
        assertFree(rw);
        killAndReap(g);
    }

    /** SPEC §9: queued writers get the lock one at a time in FIFO order. */
    @Test
    void writeUnlock_queuedWriters_handsOffFifo(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        List<Integer> order = new CopyOnWriteArrayList<>();
        rw.writeLock();
        List<Attempt> as = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int id = i;
            Attempt a = attempt(g, "w" + i, () -> {
                Mode mode = id % 2 == 0 ? Mode.WRITE : Mode.TIMED_WRITE;
                mode.lock(rw);
                try {
                    order.add(id);
                    return rw.readHoldCount();
                } finally {
                    mode.unlock(rw);
                }
            });
            Await.state(a.task(), TaskState.BLOCKED);
            as.add(a);
        }
        rw.writeUnlock();
        for (Attempt a : as) {
            assertThat(a.get()).isEqualTo(0);
        }
        assertThat(order).containsExactly(0, 1, 2, 3);
        assertFree(rw);
        killAndReap(g);
    }

    /**
     * SPEC §9: a writer is not starved by a steady stream of readers. Four readers re-acquire in a loop and
     * hand over (a holder lets go only once another reader got in, or after a bounded patience), so a lock
     * that let readers barge would never be free of readers; the writer still gets in within a bounded number
     * of reader acquisitions, and the readers then continue. Bounded: each reader stops after {@code cap}
     * acquisitions, so a starving writer fails the test instead of hanging it.
     */
    @Test
    void writeLock_steadyStreamOfReaders_writerNotStarved(Kernel kernel) throws Exception {
        final long cap = 100_000;
        final long bound = 20_000; // far below the 4 * CAP a starving writer would see
        final int patience = 2_000; // yields a holder waits for another reader to take over
        ReadWriteLock rw = new ReadWriteLock();
        AtomicLong reads = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<List<Task<?>>> spawned = new CompletableFuture<>();
        CompletableFuture<Object> writerResult = new CompletableFuture<>();
        // The readers and the writer are spawned by the group's main task, not by this (platform) thread: while
        // tasks that call yieldNow() occupy every carrier, the JDK's virtual-thread scheduler keeps running the
        // carriers' own queues and may never start a virtual thread submitted from outside them. On a loaded
        // machine the writer, spawned from here, did not start within 10 s. Spawned from a task, it is queued
        // behind the readers and runs in turn.
        TaskGroup g = kernel.spawnGroup("home", () -> {
            List<Task<?>> readers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                readers.add(Tasks.spawnTask("reader" + i, () -> {
                    for (long n = 0; n < cap && !stop.get(); n++) {
                        rw.readLock();
                        try {
                            long ticket = reads.incrementAndGet();
                            // hold until another reader got in (readers overlap without a gap), or patience
                            // runs out: the others cannot get in (queued behind a writer), so let go
                            for (int p = 0; p < patience && reads.get() == ticket && !stop.get(); p++) {
                                Tasks.yieldNow();
                            }
                        } finally {
                            rw.readUnlock();
                        }
                    }
                    return null;
                }));
            }
            spawned.complete(readers);
            while (reads.get() < 1_000 && !stop.get()) {
                Tasks.yieldNow(); // the readers are streaming (the test thread checks it too, with a deadline)
            }
            Tasks.spawnTask("writer", () -> {
                try {
                    long before = reads.get();
                    rw.writeLock();
                    try {
                        writerResult.complete(List.of(before, reads.get(), (long) rw.readHoldCount()));
                    } finally {
                        rw.writeUnlock();
                    }
                } catch (RuntimeException | Error e) {
                    writerResult.complete(e);
                    throw e;
                }
                return null;
            });
            return Fixtures.sleepForever();
        });
        List<Task<?>> readers = get(spawned);
        try {
            Await.until("readers streaming", () -> reads.get() >= 1_000, () -> reads.get() + " reads");
            Object result = get(writerResult); // bounded by Await.LONG
            assertThat(result).as("writer result").isInstanceOf(List.class);
            List<?> seen = (List<?>) result;
            long before = (Long) seen.get(0);
            long during = (Long) seen.get(1);
            assertThat(seen.get(2)).as("no read hold while writing").isEqualTo(0L);
            assertThat(during - before).as("reader acquisitions while the writer waited").isLessThan(bound);
            Await.until("readers resume after the writer", () -> reads.get() > during + 1_000,
                    () -> reads.get() + " reads, " + during + " when the writer got in");
        } finally {
            stop.set(true);
        }
        for (Task<?> r : readers) {
            assertThat(get(r.onExit())).isEqualTo(new ExitStatus.Exited(0));
        }
        assertFree(rw);
        killAndReap(g);
    }

    // ---- kill ----

    /** SPEC K2: a task killed while blocked in each locking method throws TaskKilledError, holds nothing and leaves no waiter. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void lock_killedWhileBlocked_throwsKilledHoldsNothing(Mode mode, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        rw.writeLock(); // blocks every mode
        Attempt a = attempt(g, "victim", () -> {
            mode.lock(rw);
            return "acquired";
        });
        Await.state(a.task(), TaskState.BLOCKED);
        assertThat(rw.queueLength()).isEqualTo(1);
        assertThat(a.task().kill()).isTrue();
        assertThat(a.get()).isInstanceOf(TaskKilledError.class);
        assertThat(get(a.task().onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(rw.queueLength()).isZero();
        assertThat(rw.readHoldCount()).isZero();
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        rw.writeUnlock();
        assertFree(rw);
        killAndReap(g);
    }

    /** SPEC K2: a writer killed while blocked behind readers leaves the read holds intact and no waiter. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"WRITE", "TIMED_WRITE"})
    void writeLock_killedWhileBlockedBehindReaders_readHoldsIntact(Mode mode, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        rw.readLock();
        Attempt a = attempt(g, "victim", () -> {
            mode.lock(rw);
            return "acquired";
        });
        Await.state(a.task(), TaskState.BLOCKED);
        a.task().kill();
        assertThat(a.get()).isInstanceOf(TaskKilledError.class);
        assertThat(rw.queueLength()).isZero();
        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.readHoldCount()).isEqualTo(1);
        rw.readUnlock();
        assertFree(rw);
        killAndReap(g);
    }

    /** SPEC K5: a killed task's blocking locks throw even on a free lock; the tries and unlocks keep working. */
    @Test
    void lock_callerAlreadyKilled_throwsWithoutTakingFreeLock(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        AtomicReference<List<String>> seen = new AtomicReference<>();
        Task<?> t = g.spawnTask("unwinding", () -> {
            try {
                Tasks.sleep(java.time.Duration.ofHours(1));
            } catch (TaskKilledError swallowed) {
                List<String> s = new ArrayList<>();
                for (Mode m : Mode.values()) {
                    try {
                        m.lock(rw);
                        s.add(m + " acquired");
                    } catch (TaskKilledError again) {
                        s.add(m + " threw");
                    }
                }
                s.add("tryRead " + rw.tryReadLock());
                rw.readUnlock();
                s.add("tryWrite " + rw.tryWriteLock());
                rw.writeUnlock();
                seen.set(s);
                throw swallowed;
            }
            return null;
        });
        Await.state(t, TaskState.BLOCKED);
        t.kill();
        assertThat(get(t.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(seen.get()).containsExactly("READ threw", "WRITE threw", "TIMED_READ threw", "TIMED_WRITE threw",
                "tryRead true", "tryWrite true");
        assertFree(rw);
        killAndReap(g);
    }

    /** SPEC K3: a kill racing the entry into readLock or writeLock is never lost (300 rounds each). */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"READ", "WRITE"})
    void lock_killRacingEntry_neverStaysParked(Mode mode, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        rw.writeLock();
        for (int i = 0; i < 300; i++) {
            Attempt a = attempt(g, "racer" + i, () -> {
                mode.lock(rw); // the kill lands before, during or after the enqueue
                return "acquired";
            });
            a.task().kill();
            assertThat(get(a.task().onExit())).as("round %d", i).isEqualTo(ExitStatus.KILLED);
            assertThat(rw.queueLength()).as("round %d", i).isZero();
        }
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        assertThat(rw.readHoldCount()).isZero();
        rw.writeUnlock();
        assertFree(rw);
        killAndReap(g);
    }

    /** SPEC K9: a killed writer at the head of the queue does not strand the readers queued behind it. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"WRITE", "TIMED_WRITE"})
    void writeLock_headWriterKilled_readersBehindGranted(Mode mode, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        Semaphore gate = new Semaphore(0);
        List<String> log = new CopyOnWriteArrayList<>();
        rw.readLock(); // a reader holds: the writer waits, and the readers behind it are held back by FIFO
        Attempt w = attempt(g, "w", () -> {
            mode.lock(rw);
            return "acquired";
        });
        Await.state(w.task(), TaskState.BLOCKED);
        Attempt r1 = holder(g, "r1", rw, Mode.READ, gate, log);
        Attempt r2 = holder(g, "r2", rw, Mode.TIMED_READ, gate, log);
        Await.state(r1.task(), TaskState.BLOCKED);
        Await.state(r2.task(), TaskState.BLOCKED);
        w.task().kill();
        assertThat(w.get()).isInstanceOf(TaskKilledError.class);
        Await.until("readers behind the killed writer in", () -> log.size() == 2, log::toString);
        assertThat(rw.readHoldCount()).as("the host still reads, with both").isEqualTo(3);
        gate.release(2);
        assertThat(r1.get()).isEqualTo("r1");
        assertThat(r2.get()).isEqualTo("r2");
        rw.readUnlock();
        assertFree(rw);
        killAndReap(g);
    }

    /** SPEC K9, T1: a timed-out writer at the head returns false and does not strand the readers queued behind it. */
    @Test
    void tryWriteLockTimed_headTimesOut_readersBehindGranted(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        Semaphore gate = new Semaphore(0);
        List<String> log = new CopyOnWriteArrayList<>();
        rw.readLock();
        Attempt w = attempt(g, "w", () -> rw.tryWriteLock(200, TimeUnit.MILLISECONDS));
        Await.state(w.task(), TaskState.BLOCKED);
        Attempt r = holder(g, "r", rw, Mode.READ, gate, log);
        // r queues behind the writer, or arrives after it timed out; either way it must get in while we read
        assertThat(w.get()).isEqualTo(false);
        Await.until("reader in", () -> log.size() == 1, log::toString);
        assertThat(rw.readHoldCount()).isEqualTo(2);
        assertThat(rw.isWriteLocked()).isFalse();
        gate.release();
        assertThat(r.get()).isEqualTo("r");
        rw.readUnlock();
        assertFree(rw);
        killAndReap(g);
    }

    /**
     * SPEC K9: kills racing a writeUnlock never strand a waiter: whatever mix of readers and writers is queued
     * and whichever are killed, every survivor gets the lock and the lock ends free (100 rounds).
     */
    @Test
    void writeUnlock_racingKills_everySurvivorAcquires(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Random random = new Random(11);
        for (int round = 0; round < 100; round++) {
            ReadWriteLock rw = new ReadWriteLock();
            rw.writeLock();
            List<Attempt> waiters = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Mode mode = Mode.values()[random.nextInt(Mode.values().length)];
                Attempt a = attempt(g, "r" + round + "-" + mode + i, () -> {
                    mode.lock(rw);
                    mode.unlock(rw);
                    return "ok";
                });
                Await.state(a.task(), TaskState.BLOCKED);
                waiters.add(a);
            }
            List<Attempt> shuffled = new ArrayList<>(waiters);
            Collections.shuffle(shuffled, random);
            List<Attempt> victims = List.copyOf(shuffled.subList(0, 2));
            Thread killer = Thread.ofPlatform().start(() -> victims.forEach(v -> v.task().kill()));
            rw.writeUnlock();
            killer.join(Await.LONG.toMillis());
            assertThat(killer.isAlive()).isFalse();
            for (Attempt a : waiters) {
                Object r = a.get();
                if (victims.contains(a)) {
                    // killed while waiting, or granted first (then it released in the same breath)
                    assertThat(r).as("round %d victim", round).satisfiesAnyOf(
                            x -> assertThat(x).isEqualTo("ok"), x -> assertThat(x).isInstanceOf(TaskKilledError.class));
                } else {
                    assertThat(r).as("round %d survivor %s", round, a.task()).isEqualTo("ok");
                }
            }
            assertFree(rw);
        }
        killAndReap(g);
    }

    // ---- host threads and introspection ----

    /** SPEC §9: host threads (outside any task) read, write, wait, time out and hand over like tasks. */
    @Test
    void lock_hostThreads_workLikeTasks() throws Exception {
        ReadWriteLock rw = new ReadWriteLock();
        rw.readLock();
        CompletableFuture<Object> writer = onHostThread("host-writer", () -> {
            rw.writeLock();
            try {
                return rw.isWriteLockedByCurrentTask() && rw.readHoldCount() == 0;
            } finally {
                rw.writeUnlock();
            }
        });
        Await.until("host writer queued", () -> rw.queueLength() == 1);
        CompletableFuture<Object> timed = onHostThread("host-timed", () -> rw.tryWriteLock(20, TimeUnit.MILLISECONDS));
        assertThat(get(timed)).isEqualTo(false);
        assertThat(rw.isWriteLocked()).isFalse();
        rw.readUnlock();
        assertThat(get(writer)).isEqualTo(true);
        assertFree(rw);
    }

    /** SPEC §11: a blocked task shows the lock, the mode it wants and who holds the lock. */
    @Test
    void lock_blocked_showsWaitChannel(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        String name = "rwlock@" + Integer.toHexString(System.identityHashCode(rw));
        Semaphore gate = new Semaphore(0);
        List<String> log = new CopyOnWriteArrayList<>();
        rw.writeLock();
        Attempt r = holder(g, "r", rw, Mode.READ, gate, log);
        Await.state(r.task(), TaskState.BLOCKED);
        assertThat(kernel.snapshot().renderTable())
                .contains(name + " (read wanted, held by host thread '" + Thread.currentThread().getName() + "')");
        rw.writeUnlock();
        Await.until("r in", () -> log.size() == 1);
        rw.readLock();
        Attempt w = holder(g, "w", rw, Mode.WRITE, gate, log);
        Await.state(w.task(), TaskState.BLOCKED);
        assertThat(kernel.snapshot().renderTable()).contains(name + " (write wanted, held by 2 readers)");
        rw.readUnlock();
        gate.release();
        Await.until("w in", () -> log.size() == 2);
        gate.release();
        assertThat(r.get()).isEqualTo("r");
        assertThat(w.get()).isEqualTo("w");
        assertFree(rw);
        killAndReap(g);
    }
}
