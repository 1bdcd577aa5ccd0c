package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.NOT_PERMITTED;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Reasons.reason;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskState;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;

/**
 * Edge cases of {@link ReadWriteLock}'s lock-free fast paths (its implementation notes, RW2-RW11): holds
 * taken and released without the queue lock must keep the same per-holder accounting, FIFO policy and
 * kill semantics as the slow path. The policy itself is {@link ReadWriteLockTest}'s subject.
 */
@ExtendWith(KernelExtension.class)
class ReadWriteLockFastPathTest {

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

    private static Object get(CompletableFuture<Object> f) throws Exception {
        return f.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void assertFree(ReadWriteLock rw) {
        ReadWriteLockTest.assertFree(rw);
    }

    /**
     * SPEC §12 EPERM: after holds taken on the fast path by a host thread and a task, readUnlock by a task or
     * a host thread that holds none throws TaskLifeException(NOT_PERMITTED) and changes no count, neither the holds nor
     * the readers; a holder that released its last hold is a non-holder again.
     */
    @Test
    void readUnlock_nonHolderAfterFastHolds_throwsNotPermittedChangesNothing(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        String id = "ReadWriteLock@" + Integer.toHexString(System.identityHashCode(rw));
        rw.readLock();
        rw.readLock();
        Semaphore release = new Semaphore(0);
        CountDownLatchLike in = new CountDownLatchLike();
        Attempt reader = attempt(g, "reader", () -> {
            rw.readLock();
            in.open();
            release.acquire();
            rw.readUnlock();
            try {
                rw.readUnlock(); // its last hold is gone: a non-holder now
                return "released twice";
            } catch (TaskLifeException expected) {
                if (expected.reason() != TaskLifeException.Reason.NOT_PERMITTED) {
                    throw expected;
                }
                return "refused";
            }
        });
        Await.until("reader in", in::isOpen);
        assertThat(rw).hasToString(id + "[read-locked, 3 holds by 2 readers]");

        Attempt intruder = attempt(g, "intruder", () -> {
            rw.readUnlock();
            return null;
        });
        assertThat(intruder.get()).is(reason(NOT_PERMITTED));
        assertThat(((Throwable) intruder.get()).getMessage()).contains("task " + intruder.task().id())
                .contains("holds no read lock");
        Object host = get(onHostThread("host-intruder", () -> {
            rw.readUnlock();
            return null;
        }));
        assertThat(host).is(reason(NOT_PERMITTED));
        assertThat(((Throwable) host).getMessage()).contains("host thread 'host-intruder'");
        assertThat(rw).as("nothing changed").hasToString(id + "[read-locked, 3 holds by 2 readers]");

        release.release();
        assertThat(reader.get()).isEqualTo("refused");
        assertThat(rw).hasToString(id + "[read-locked, 2 holds by 1 readers]");
        rw.readUnlock();
        rw.readUnlock();
        assertThatThrownBy(rw::readUnlock).is(reason(NOT_PERMITTED));
        assertFree(rw);
        killAndReap(g);
    }

    /**
     * SPEC §9: read re-entry by holders whose first hold came from the fast path, a host thread and a task,
     * is immediate by every read method while a writer is queued; a new reader still may not barge.
     */
    @Test
    void readLock_reentryOfFastHoldsWhileWriterQueued_immediate(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        rw.readLock(); // the fast path: nobody queued yet
        Semaphore go = new Semaphore(0);
        CountDownLatchLike in = new CountDownLatchLike();
        Attempt taskReader = attempt(g, "task-reader", () -> {
            rw.readLock();
            in.open();
            go.acquire(); // meanwhile the writer queues
            List<Boolean> got = List.of(rw.tryReadLock(), rw.tryReadLock(0, TimeUnit.SECONDS),
                    rw.tryReadLock(1, TimeUnit.HOURS));
            rw.readLock();
            int holds = rw.readHoldCount();
            for (int i = 0; i < 5; i++) {
                rw.readUnlock();
            }
            return List.of(got, holds);
        });
        Await.until("task reader in", in::isOpen);
        Attempt writer = attempt(g, "writer", () -> {
            rw.writeLock();
            try {
                return rw.readHoldCount();
            } finally {
                rw.writeUnlock();
            }
        });
        Await.state(writer.task(), TaskState.BLOCKED);
        Attempt newcomer = attempt(g, "newcomer", () -> List.of(rw.tryReadLock(), rw.tryReadLock(0, TimeUnit.SECONDS)));
        assertThat(newcomer.get()).as("no barging past the queued writer").isEqualTo(List.of(false, false));

        assertThat(rw.tryReadLock()).isTrue();
        assertThat(rw.tryReadLock(-1, TimeUnit.SECONDS)).isTrue();
        rw.readLock();
        assertThat(rw.readHoldCount()).isEqualTo(5);
        go.release();
        assertThat(taskReader.get()).isEqualTo(List.of(List.of(true, true, true), 9));
        assertThat(writer.task().state()).as("the host still reads").isEqualTo(TaskState.BLOCKED);
        for (int i = 0; i < 4; i++) {
            rw.readUnlock();
        }
        assertThat(writer.get()).isEqualTo(0);
        assertFree(rw);
        killAndReap(g);
    }

    /**
     * SPEC §9: a reader granted by a dispatch (not the fast path) counts its hold as its own: it re-enters,
     * releases as many times as it took, and a further release is refused; the readers count follows.
     */
    @Test
    void readLock_grantedByDispatch_countsAsOwnHold(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        rw.writeLock();
        List<String> log = new CopyOnWriteArrayList<>();
        Attempt r = attempt(g, "r", () -> {
            rw.readLock(); // queued behind the host's write lock, granted by writeUnlock's dispatch
            rw.readLock(); // re-entry on the fast path
            log.add(rw.toString());
            rw.readUnlock();
            rw.readUnlock();
            try {
                rw.readUnlock();
                return "released a third time";
            } catch (TaskLifeException expected) {
                if (expected.reason() != TaskLifeException.Reason.NOT_PERMITTED) {
                    throw expected;
                }
                return "refused";
            }
        });
        Await.state(r.task(), TaskState.BLOCKED);
        rw.writeUnlock();
        assertThat(r.get()).isEqualTo("refused");
        assertThat(log).containsExactly("ReadWriteLock@" + Integer.toHexString(System.identityHashCode(rw))
                + "[read-locked, 2 holds by 1 readers]");
        assertFree(rw);
        killAndReap(g);
    }

    /**
     * SPEC §12 EPERM: the previous writer is not the writer: after it released, writeUnlock by it throws
     * TaskLifeException(NOT_PERMITTED) naming the current writer (or none), and nothing changes; it counts as holding
     * neither for introspection nor for the self-deadlock checks.
     */
    @Test
    void writeUnlock_byPreviousWriter_throwsNotPermittedChangesNothing(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        String id = "ReadWriteLock@" + Integer.toHexString(System.identityHashCode(rw));
        rw.writeLock();
        rw.writeUnlock();
        assertThat(rw.isWriteLockedByCurrentTask()).isFalse();
        assertThatThrownBy(rw::writeUnlock).is(reason(NOT_PERMITTED))
                .hasMessageContaining("not write-locked");
        assertThat(rw).hasToString(id + "[unlocked]");

        Semaphore release = new Semaphore(0);
        CountDownLatchLike in = new CountDownLatchLike();
        Attempt writer = attempt(g, "writer", () -> {
            rw.writeLock();
            in.open();
            release.acquire();
            rw.writeUnlock();
            return rw.isWriteLockedByCurrentTask();
        });
        Await.until("writer in", in::isOpen);
        assertThat(rw.isWriteLockedByCurrentTask()).isFalse();
        assertThat(rw.tryReadLock()).as("a try by the previous writer just fails").isFalse();
        assertThatThrownBy(rw::writeUnlock).is(reason(NOT_PERMITTED))
                .hasMessageContaining("held by task " + writer.task().id());
        assertThat(rw).hasToString(id + "[write-locked by task " + writer.task().id() + "]");
        release.release();
        assertThat(writer.get()).isEqualTo(false);

        rw.writeLock(); // the previous writer again: the lock is free, so no self-deadlock is claimed
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        rw.writeUnlock();
        assertFree(rw);
        killAndReap(g);
    }

    /**
     * SPEC K9, §12 EPERM: a waiter killed while the lock is being handed out, that then calls the matching
     * unlock (as a careless finally would), is refused: it never releases a lock granted to someone else,
     * every survivor gets in with readers and writers excluded, and the lock ends free (60 rounds).
     */
    @Test
    void unlock_byWaiterKilledDuringHandOff_refusedAndNothingLost(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Random random = new Random(23);
        final int waiters = 6;
        for (int round = 0; round < 60; round++) {
            ReadWriteLock rw = new ReadWriteLock();
            rw.writeLock();
            AtomicInteger inside = new AtomicInteger(); // a writer counts waiters + 1 so any overlap shows
            AtomicInteger violations = new AtomicInteger();
            List<Attempt> as = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                boolean write = random.nextBoolean();
                as.add(attempt(g, "r" + round + (write ? "W" : "R") + i, () -> {
                    try {
                        if (write) {
                            rw.writeLock();
                        } else {
                            rw.readLock();
                        }
                    } catch (TaskKilledError killed) {
                        try {
                            if (write) {
                                rw.writeUnlock();
                            } else {
                                rw.readUnlock();
                            }
                            return "unlocked after being killed";
                        } catch (TaskLifeException expected) {
                            if (expected.reason() != TaskLifeException.Reason.NOT_PERMITTED) {
                                throw expected;
                            }
                            throw killed;
                        }
                    }
                    try {
                        int now = inside.addAndGet(write ? waiters + 1 : 1);
                        if (write ? now != waiters + 1 : now > waiters) {
                            violations.incrementAndGet();
                        }
                        Thread.yield();
                        inside.addAndGet(write ? -(waiters + 1) : -1);
                    } finally {
                        if (write) {
                            rw.writeUnlock();
                        } else {
                            rw.readUnlock();
                        }
                    }
                    return "ok";
                }));
                Await.state(as.get(i).task(), TaskState.BLOCKED);
            }
            List<Attempt> victims = new ArrayList<>(as);
            java.util.Collections.shuffle(victims, random);
            List<Attempt> killed = List.copyOf(victims.subList(0, waiters / 2));
            Thread killer = Thread.ofPlatform().start(() -> killed.forEach(v -> v.task().kill()));
            rw.writeUnlock();
            killer.join(Await.LONG.toMillis());
            assertThat(killer.isAlive()).isFalse();
            for (Attempt a : as) {
                Object r = a.get();
                if (killed.contains(a) && r instanceof TaskKilledError) {
                    continue;
                }
                assertThat(r).as("round %d %s", round, a.task()).isEqualTo("ok");
            }
            assertThat(violations.get()).as("round %d: exclusion violations", round).isZero();
            assertFree(rw);
        }
        killAndReap(g);
    }

    /**
     * SPEC §9: host threads and tasks mixing fast-path reads (with re-entry), blocking and timed writes and
     * untimed tries never break exclusion, never lose a wake-up, and leave the lock free; every write lands.
     */
    @Test
    void mixedHostThreadsAndTasks_readersRacingQueuingWriters_exclusionAndNoLostWakeUp(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        final int rounds = 2_000;
        final int parties = 8;
        AtomicInteger inside = new AtomicInteger(); // a writer counts parties + 1 so any overlap shows
        AtomicInteger violations = new AtomicInteger();
        AtomicLong writes = new AtomicLong();
        long[] counter = {0}; // guarded by rw's write lock
        List<CompletableFuture<Object>> hosts = new ArrayList<>();
        List<Attempt> tasks = new ArrayList<>();
        for (int p = 0; p < parties; p++) {
            int party = p;
            Callable<Object> body = () -> {
                Random random = new Random(party);
                for (int i = 0; i < rounds; i++) {
                    int op = random.nextInt(10);
                    if (op < 2 || (op == 2 && party % 2 == 0)) {
                        boolean got = op == 0 ? rw.tryWriteLock(1, TimeUnit.HOURS)
                                : op == 1 ? rw.tryWriteLock() : writeLocked(rw);
                        if (!got) {
                            continue;
                        }
                        try {
                            if (inside.addAndGet(parties + 1) != parties + 1) {
                                violations.incrementAndGet();
                            }
                            counter[0]++;
                            writes.incrementAndGet();
                            inside.addAndGet(-(parties + 1));
                        } finally {
                            rw.writeUnlock();
                        }
                    } else {
                        boolean got = op == 3 ? rw.tryReadLock() : readLocked(rw);
                        if (!got) {
                            continue;
                        }
                        boolean twice = op == 4;
                        try {
                            if (twice) {
                                rw.readLock(); // re-entry: immediate even with a writer queued
                            }
                            if (inside.incrementAndGet() > parties) {
                                violations.incrementAndGet();
                            }
                            if (op == 5) {
                                Thread.yield();
                            }
                            inside.decrementAndGet();
                        } finally {
                            if (twice) {
                                rw.readUnlock();
                            }
                            rw.readUnlock();
                        }
                    }
                }
                return "done";
            };
            if (p % 2 == 0) {
                hosts.add(onHostThread("host-" + p, body));
            } else {
                tasks.add(attempt(g, "task-" + p, body::call));
            }
        }
        for (CompletableFuture<Object> h : hosts) {
            assertThat(get(h)).isEqualTo("done");
        }
        for (Attempt t : tasks) {
            assertThat(t.get()).isEqualTo("done");
        }
        assertThat(violations.get()).as("exclusion violations").isZero();
        assertThat(writes.get()).as("some writes happened").isPositive();
        rw.readLock(); // the write lock's memory effects: every increment is visible to a later reader
        try {
            assertThat(counter[0]).isEqualTo(writes.get());
        } finally {
            rw.readUnlock();
        }
        assertFree(rw);
        killAndReap(g);
    }

    private static boolean writeLocked(ReadWriteLock rw) {
        rw.writeLock();
        return true;
    }

    private static boolean readLocked(ReadWriteLock rw) {
        rw.readLock();
        return true;
    }

    /** A one-shot flag for "the task is in", polled with Await (no JDK blocking in tasks needed). */
    private static final class CountDownLatchLike {
        private volatile boolean open;

        void open() {
            open = true;
        }

        boolean isOpen() {
            return open;
        }
    }
}
