package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongFunction;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.TaskLifeException;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;

/**
 * Conformance against {@code java.util.concurrent} (issue 3): the same seeded random scripts run on a
 * tasklife primitive and on its JDK counterpart, and the observable results must be identical wherever
 * the documented semantics coincide.
 *
 * <p><b>Single-task scripts</b> run a random sequence of non-blocking operations (and blocking ones only
 * where they cannot block), once on the host thread and once inside a task, and compare the results
 * operation by operation: {@link Mutex} ({@link MutexKind#RECURSIVE}) and its {@link Condition} against
 * {@link ReentrantLock}, {@link Semaphore} against a fair {@link java.util.concurrent.Semaphore} with
 * nobody queued, {@link ReadWriteLock} against a fair {@link ReentrantReadWriteLock}. Misuse is compared
 * as a category: tasklife's {@link TaskLifeException(NOT_PERMITTED)} and the JDK's
 * {@link IllegalMonitorStateException} both count as {@code "error"}.
 *
 * <p><b>Multi-task scripts</b> run several tasks against both implementations and compare what must
 * agree: counts under mutual exclusion, permit balances, reader-writer exclusion, and per-round barrier
 * arrival indices and action runs.
 *
 * <p><b>Excluded differences</b> (documented semantics that differ, so not compared):
 * <ul>
 *   <li>Non-recursive {@link Mutex} kinds: a relock by the owner throws {@link TaskLifeException(DEADLOCK)}
 *       (untimed {@code tryLock} returns false) where {@code ReentrantLock} re-enters. Only RECURSIVE is
 *       compared.</li>
 *   <li>{@link Mutex} has no hold count; {@code getHoldCount()} is compared only indirectly, through which
 *       unlocks succeed.</li>
 *   <li>{@link Condition#signal()} needs no mutex, {@code Condition.signal()} throws
 *       {@code IllegalMonitorStateException} without the lock: signal is issued only while holding it.</li>
 *   <li>{@link Semaphore}: {@code tryAcquire(0)} and {@code release(0)} throw {@code IllegalArgumentException}
 *       (the JDK succeeds); a request above {@code maxPermits()} throws (the JDK returns false or
 *       blocks); a release above {@code maxPermits()} throws {@link TaskLifeException(OVERFLOW)} and
 *       changes nothing (the JDK has no maximum: it is not called then, and the script checks that
 *       tasklife overflowed exactly when the JDK count would pass the maximum); the untimed try never
 *       barges past queued waiters (the JDK's does), irrelevant with nobody queued.</li>
 *   <li>{@link ReadWriteLock}: the write lock is not reentrant and a writer may not take a read lock
 *       (no downgrade: {@code TaskLifeException(DEADLOCK)}, or {@code false} from the untimed tries), where the JDK
 *       re-enters and downgrades; no try is issued while the write lock is held. {@code writeLock()} by a
 *       reader throws {@code TaskLifeException(DEADLOCK)} where the JDK hangs: not issued.</li>
 *   <li>{@link Barrier}: a kill or a timeout that breaks a round while its action runs has no JDK
 *       equivalent (the JDK runs the action under its lock); no kills or timeouts are used here.</li>
 * </ul>
 */
@ExtendWith(KernelExtension.class)
class JdkDifferentialTest {
    private static final int OPS = 400;

    /** The traces of one script run: what tasklife observed and what the JDK observed, op by op. */
    private record Traces(List<String> ours, List<String> jdk) {
        Traces() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        void add(String op, String oursResult, String jdkResult) {
            ours.add(op + " -> " + oursResult);
            jdk.add(op + " -> " + jdkResult);
        }
    }

    /** The result of {@code call} as text; misuse exceptions mapped to a shared category. */
    private static String outcome(Callable<?> call) {
        try {
            return String.valueOf(call.call());
        } catch (IllegalMonitorStateException e) {
            return "error";
        } catch (TaskLifeException e) {
            if (e.reason() == TaskLifeException.Reason.NOT_PERMITTED) {
                return "error";
            }
            // a rule without a type of its own by its reason, the others by their type (as the JDK's are)
            return e.getClass() == TaskLifeException.class ? "TaskLifeException(" + e.reason() + ")"
                    : e.getClass().getSimpleName();
        } catch (IllegalArgumentException e) {
            return "illegal-argument";
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }

    /** {@link #outcome} of an action without a result. */
    private static String outcomeOf(ThrowingRunnable action) {
        return outcome(() -> {
            action.run();
            return "ok";
        });
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Asserts both traces are equal, naming the first differing operation and the seed. */
    private static void assertSameTraces(long seed, String where, Traces t) {
        int n = Math.min(t.ours().size(), t.jdk().size());
        for (int i = 0; i < n; i++) {
            assertThat(t.ours().get(i)).as("seed %d, %s, op %d (previous: %s)", seed, where, i,
                    t.ours().subList(Math.max(0, i - 5), i)).isEqualTo(t.jdk().get(i));
        }
        assertThat(t.ours()).as("seed %d, %s: trace length", seed, where).hasSameSizeAs(t.jdk());
    }

    /** Runs {@code script} on the host thread and inside a task; both runs must match the JDK. */
    private static void onHostAndInTask(long seed, Kernel kernel, LongFunction<Traces> script) throws Exception {
        assertSameTraces(seed, "host thread", script.apply(seed));
        TaskGroup g = idleGroup(kernel, "script");
        Attempt a = attempt(g, "script", () -> script.apply(seed));
        Object r = a.get();
        assertThat(r).as("seed %d: the task ran the script", seed).isInstanceOf(Traces.class);
        assertSameTraces(seed, "in a task", (Traces) r);
        killAndReap(g);
    }

    // ---- single task: Mutex + Condition vs ReentrantLock ----

    private static Traces mutexScript(long seed) {
        Random r = new Random(seed);
        Mutex ours = new Mutex(MutexKind.RECURSIVE);
        Condition oursCond = ours.newCondition();
        ReentrantLock jdk = new ReentrantLock(true);
        java.util.concurrent.locks.Condition jdkCond = jdk.newCondition();
        Traces t = new Traces();
        for (int i = 0; i < OPS; i++) {
            switch (r.nextInt(8)) {
                case 0, 1 -> t.add("tryLock()", outcome(ours::tryLock), outcome(jdk::tryLock));
                case 2, 3 -> t.add("unlock()", outcomeOf(ours::unlock), outcomeOf(jdk::unlock));
                case 4 -> t.add("tryLock(0)", outcome(() -> ours.tryLock(0, TimeUnit.SECONDS)),
                        outcome(() -> jdk.tryLock(0, TimeUnit.SECONDS)));
                case 5 -> t.add("isLocked/isHeld", ours.isLocked() + "/" + ours.isHeldByCurrentTask(),
                        jdk.isLocked() + "/" + jdk.isHeldByCurrentThread());
                case 6 -> t.add("await(0)", outcome(() -> oursCond.await(0, TimeUnit.NANOSECONDS)),
                        outcome(() -> jdkCond.await(0, TimeUnit.NANOSECONDS)));
                default -> {
                    if (jdk.isHeldByCurrentThread()) { // excluded: the JDK refuses signal without the lock
                        t.add("signal()", outcomeOf(oursCond::signal), outcomeOf(jdkCond::signal));
                    }
                }
            }
        }
        // unwind: the number of unlocks that succeed is the hold count
        for (int i = 0; i < OPS + 1; i++) {
            t.add("final unlock()", outcomeOf(ours::unlock), outcomeOf(jdk::unlock));
        }
        return t;
    }

    /** SPEC §9: a RECURSIVE mutex and its condition give the same results as a ReentrantLock for one task. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 0xC0FFEE})
    void mutex_randomSingleTaskScript_matchesReentrantLock(long seed, Kernel kernel) throws Exception {
        onHostAndInTask(seed, kernel, JdkDifferentialTest::mutexScript);
    }

    // ---- single task: Semaphore vs fair JDK Semaphore ----

    private static Traces semaphoreScript(long seed) {
        Random r = new Random(seed);
        int max = 1 + r.nextInt(8);
        int initial = r.nextInt(max + 1);
        Semaphore ours = new Semaphore(initial, max);
        java.util.concurrent.Semaphore jdk = new java.util.concurrent.Semaphore(initial, true);
        Traces t = new Traces();
        for (int i = 0; i < OPS; i++) {
            int n = r.nextInt(10) == 0 ? -1 : 1 + r.nextInt(max); // excluded: 0 and > max
            String op = switch (r.nextInt(6)) {
                case 0 -> "tryAcquire";
                case 1 -> "tryAcquire(0s)";
                case 2 -> "acquire";
                case 3, 4 -> "release";
                default -> "availablePermits";
            };
            switch (op) {
                case "tryAcquire" -> t.add(op + "(" + n + ")", outcome(() -> ours.tryAcquire(n)),
                        outcome(() -> jdk.tryAcquire(n)));
                case "tryAcquire(0s)" -> t.add(op + "(" + n + ")", outcome(() -> ours.tryAcquire(n, 0, TimeUnit.SECONDS)),
                        outcome(() -> jdk.tryAcquire(n, 0, TimeUnit.SECONDS)));
                case "acquire" -> {
                    if (n > jdk.availablePermits()) {
                        continue; // would block
                    }
                    t.add(op + "(" + n + ")", outcomeOf(() -> ours.acquire(n)), outcomeOf(() -> jdk.acquire(n)));
                }
                case "release" -> {
                    if (n > 0 && jdk.availablePermits() + n > max) { // excluded: the JDK has no maximum
                        String mine = outcomeOf(() -> ours.release(n));
                        t.add(op + "(" + n + ") past max", mine.equals("TaskLifeException(OVERFLOW)") ? "overflow" : mine,
                                "overflow");
                    } else {
                        t.add(op + "(" + n + ")", outcomeOf(() -> ours.release(n)), outcomeOf(() -> jdk.release(n)));
                    }
                }
                default -> t.add(op, String.valueOf(ours.availablePermits()), String.valueOf(jdk.availablePermits()));
            }
        }
        t.add("final availablePermits", String.valueOf(ours.availablePermits()), String.valueOf(jdk.availablePermits()));
        return t;
    }

    /**
     * SPEC §9: with nobody queued, a semaphore gives the same results as a fair JDK semaphore, and a
     * release past its maximum overflows exactly when the JDK count would pass it.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 0xC0FFEE})
    void semaphore_randomSingleTaskScript_matchesFairJdkSemaphore(long seed, Kernel kernel) throws Exception {
        onHostAndInTask(seed, kernel, JdkDifferentialTest::semaphoreScript);
    }

    // ---- single task: ReadWriteLock vs fair ReentrantReadWriteLock ----

    private static Traces rwScript(long seed) {
        Random r = new Random(seed);
        ReadWriteLock ours = new ReadWriteLock();
        ReentrantReadWriteLock jdk = new ReentrantReadWriteLock(true);
        Traces t = new Traces();
        for (int i = 0; i < OPS; i++) {
            boolean writing = jdk.isWriteLockedByCurrentThread(); // excluded while writing: re-entry, downgrade
            switch (r.nextInt(8)) {
                case 0, 1 -> {
                    if (!writing) {
                        t.add("tryReadLock()", outcome(ours::tryReadLock), outcome(() -> jdk.readLock().tryLock()));
                    }
                }
                case 2 -> {
                    if (!writing) {
                        t.add("tryWriteLock()", outcome(ours::tryWriteLock), outcome(() -> jdk.writeLock().tryLock()));
                    }
                }
                case 3 -> {
                    if (!writing) {
                        t.add("readLock()", outcomeOf(ours::readLock), outcomeOf(() -> jdk.readLock().lock()));
                    }
                }
                case 4 -> {
                    if (!writing && jdk.getReadLockCount() == 0) { // excluded: upgrade (the JDK hangs)
                        t.add("writeLock()", outcomeOf(ours::writeLock), outcomeOf(() -> jdk.writeLock().lock()));
                    }
                }
                case 5 -> t.add("readUnlock()", outcomeOf(ours::readUnlock), outcomeOf(() -> jdk.readLock().unlock()));
                case 6 -> t.add("writeUnlock()", outcomeOf(ours::writeUnlock), outcomeOf(() -> jdk.writeLock().unlock()));
                default -> t.add("introspection",
                        ours.isWriteLocked() + "/" + ours.isWriteLockedByCurrentTask() + "/" + ours.readHoldCount(),
                        jdk.isWriteLocked() + "/" + jdk.isWriteLockedByCurrentThread() + "/" + jdk.getReadLockCount());
            }
        }
        for (int i = 0; i < OPS + 1; i++) {
            t.add("final readUnlock()", outcomeOf(ours::readUnlock), outcomeOf(() -> jdk.readLock().unlock()));
        }
        t.add("final writeUnlock()", outcomeOf(ours::writeUnlock), outcomeOf(() -> jdk.writeLock().unlock()));
        t.add("final introspection", ours.isWriteLocked() + "/" + ours.readHoldCount(),
                jdk.isWriteLocked() + "/" + jdk.getReadLockCount());
        return t;
    }

    /** SPEC §9: where the policies coincide, a reader-writer lock gives the same results as a fair JDK one for one task. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 0xC0FFEE})
    void rwlock_randomSingleTaskScript_matchesFairReentrantReadWriteLock(long seed, Kernel kernel) throws Exception {
        onHostAndInTask(seed, kernel, JdkDifferentialTest::rwScript);
    }

    // ---- multi-task ----

    private static final int TASKS = 4;
    private static final int ROUNDS = 100;

    /** Runs {@code TASKS} bodies in tasks of a fresh group and asserts each returned normally. */
    private static void inTasks(long seed, Kernel kernel, String name, TaskBodyWithIndex body) throws Exception {
        TaskGroup g = idleGroup(kernel, name);
        List<Attempt> as = new ArrayList<>();
        for (int k = 0; k < TASKS; k++) {
            int index = k;
            as.add(attempt(g, name + "-" + k, () -> {
                body.run(index, new Random(seed * 31 + index));
                return "done";
            }));
        }
        for (Attempt a : as) {
            Object r = a.get();
            if (r instanceof Throwable e) {
                throw new AssertionError("seed " + seed + ": " + a.task() + " failed", e);
            }
        }
        killAndReap(g);
    }

    @FunctionalInterface
    private interface TaskBodyWithIndex {
        void run(int index, Random random) throws Exception;
    }

    /** SPEC §9: tasks incrementing under a mutex lose no update, exactly as under a ReentrantLock. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void mutex_tasksIncrementUnderLock_sameCountAsReentrantLock(long seed, Kernel kernel) throws Exception {
        Mutex ours = new Mutex(MutexKind.RECURSIVE);
        ReentrantLock jdk = new ReentrantLock(true);
        int[] counts = new int[2]; // [0] guarded by ours, [1] guarded by jdk
        AtomicInteger notHeld = new AtomicInteger();
        inTasks(seed, kernel, "mutex", (index, r) -> {
            for (int i = 0; i < ROUNDS; i++) {
                if (r.nextBoolean()) {
                    ours.lock();
                } else {
                    while (!ours.tryLock()) {
                        Thread.onSpinWait();
                    }
                }
                try {
                    if (!ours.isHeldByCurrentTask()) {
                        notHeld.incrementAndGet();
                    }
                    counts[0]++;
                } finally {
                    ours.unlock();
                }
                if (r.nextBoolean()) {
                    jdk.lock();
                } else {
                    while (!jdk.tryLock()) {
                        Thread.onSpinWait();
                    }
                }
                try {
                    if (!jdk.isHeldByCurrentThread()) {
                        notHeld.incrementAndGet();
                    }
                    counts[1]++;
                } finally {
                    jdk.unlock();
                }
            }
        });
        ours.lock();
        jdk.lock();
        try {
            assertThat(counts).as("seed %d: counts (tasklife, JDK)", seed).containsExactly(TASKS * ROUNDS, TASKS * ROUNDS);
        } finally {
            jdk.unlock();
            ours.unlock();
        }
        assertThat(notHeld.get()).as("seed %d: sections entered without holding", seed).isZero();
        assertThat(ours.isLocked()).isEqualTo(jdk.isLocked()).isFalse();
    }

    /**
     * SPEC §9: tasks acquiring and releasing random permit counts never hold more than the initial
     * permits together, and leave the same balance, on both semaphores.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void semaphore_tasksAcquireRelease_sameBalanceAsJdkSemaphore(long seed, Kernel kernel) throws Exception {
        int permits = 3;
        Semaphore ours = new Semaphore(permits);
        java.util.concurrent.Semaphore jdk = new java.util.concurrent.Semaphore(permits, true);
        AtomicInteger[] inUse = {new AtomicInteger(), new AtomicInteger()};
        AtomicInteger[] overuse = {new AtomicInteger(), new AtomicInteger()};
        AtomicInteger[] taken = {new AtomicInteger(), new AtomicInteger()};
        inTasks(seed, kernel, "semaphore", (index, r) -> {
            for (int i = 0; i < ROUNDS; i++) {
                int n = 1 + r.nextInt(permits);
                boolean mine = r.nextBoolean();
                int which = mine ? 0 : 1;
                if (mine) {
                    ours.acquire(n);
                } else {
                    jdk.acquire(n);
                }
                try {
                    taken[which].addAndGet(n);
                    if (inUse[which].addAndGet(n) > permits) {
                        overuse[which].incrementAndGet();
                    }
                    Thread.yield();
                    inUse[which].addAndGet(-n);
                } finally {
                    if (mine) {
                        ours.release(n);
                    } else {
                        jdk.release(n);
                    }
                }
            }
        });
        assertThat(ours.availablePermits()).as("seed %d: balance", seed).isEqualTo(jdk.availablePermits()).isEqualTo(permits);
        assertThat(ours.queueLength()).isEqualTo(jdk.getQueueLength()).isZero();
        assertThat(overuse[0].get()).as("seed %d: tasklife over-use", seed).isEqualTo(overuse[1].get()).isZero();
        assertThat(taken[0].get() + taken[1].get()).as("seed %d: permits taken in all", seed).isPositive();
    }

    /** SPEC §9: tasks in random read and write sections see the same exclusion on both reader-writer locks. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void rwlock_tasksReadWriteSections_sameExclusionAsJdk(long seed, Kernel kernel) throws Exception {
        ReadWriteLock ours = new ReadWriteLock();
        ReentrantReadWriteLock jdk = new ReentrantReadWriteLock(true);
        int big = TASKS + 1; // a writer adds this much, so a reader or writer beside it shows
        AtomicInteger[] inside = {new AtomicInteger(), new AtomicInteger()};
        AtomicInteger[] violations = {new AtomicInteger(), new AtomicInteger()};
        int[] writes = new int[2]; // guarded by the respective write lock
        inTasks(seed, kernel, "rwlock", (index, r) -> {
            for (int i = 0; i < ROUNDS; i++) {
                boolean write = r.nextInt(3) == 0; // the same section kind on both locks
                for (int which = 0; which < 2; which++) {
                    if (which == 0) {
                        if (write) {
                            ours.writeLock();
                        } else {
                            ours.readLock();
                        }
                    } else if (write) {
                        jdk.writeLock().lock();
                    } else {
                        jdk.readLock().lock();
                    }
                    try {
                        int now = inside[which].addAndGet(write ? big : 1);
                        if (write ? now != big : now > TASKS) {
                            violations[which].incrementAndGet();
                        }
                        if (write) {
                            writes[which]++;
                        }
                        Thread.yield();
                        inside[which].addAndGet(write ? -big : -1);
                    } finally {
                        if (which == 0) {
                            if (write) {
                                ours.writeUnlock();
                            } else {
                                ours.readUnlock();
                            }
                        } else if (write) {
                            jdk.writeLock().unlock();
                        } else {
                            jdk.readLock().unlock();
                        }
                    }
                }
            }
        });
        assertThat(violations[0].get()).as("seed %d: tasklife exclusion violations", seed)
                .isEqualTo(violations[1].get()).isZero();
        ours.writeLock();
        jdk.writeLock().lock();
        try {
            // the same per-task seeds draw the same read/write choices for both locks
            assertThat(writes[0]).as("seed %d: write sections", seed).isEqualTo(writes[1]);
        } finally {
            jdk.writeLock().unlock();
            ours.writeUnlock();
        }
        assertThat(ours.queueLength()).isEqualTo(jdk.getQueueLength()).isZero();
    }

    /**
     * SPEC §9: in every round of a barrier and of a CyclicBarrier, the parties' arrival indices are
     * exactly {0..parties-1} (one serial party) and the action runs once per round.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void barrier_tasksAwaitManyRounds_sameIndicesAndActionsAsCyclicBarrier(long seed, Kernel kernel) throws Exception {
        int rounds = 30;
        AtomicInteger[] actions = {new AtomicInteger(), new AtomicInteger()};
        Barrier ours = new Barrier(TASKS, actions[0]::incrementAndGet);
        CyclicBarrier jdk = new CyclicBarrier(TASKS, actions[1]::incrementAndGet);
        int[][][] indices = new int[2][rounds][TASKS]; // [impl][round][task], each cell written by one task
        inTasks(seed, kernel, "barrier", (index, r) -> {
            for (int round = 0; round < rounds; round++) {
                if (r.nextBoolean()) {
                    Thread.yield(); // vary arrival orders
                }
                indices[0][round][index] = ours.await();
                indices[1][round][index] = jdk.await(1, TimeUnit.MINUTES);
            }
        });
        // inTasks joined every task (Attempt.get), which orders their writes before these reads
        int[] expected = new int[TASKS];
        Arrays.setAll(expected, i -> i);
        for (int which = 0; which < 2; which++) {
            for (int round = 0; round < rounds; round++) {
                int[] got = indices[which][round].clone();
                Arrays.sort(got);
                assertThat(got).as("seed %d, %s, round %d: arrival indices %s", seed,
                        which == 0 ? "tasklife" : "JDK", round, Arrays.toString(indices[which][round])).containsExactly(expected);
            }
        }
        assertThat(actions[0].get()).as("seed %d: action runs (tasklife)", seed).isEqualTo(actions[1].get()).isEqualTo(rounds);
        assertThat(ours.isBroken()).isEqualTo(jdk.isBroken()).isFalse();
        assertThat(ours.numberWaiting()).isEqualTo(jdk.getNumberWaiting()).isZero();
    }
}
