package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskState;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;

/**
 * No lost wake-ups (issue 3, SPEC K2, K9): many tasks block on one primitive, a random half of them is
 * killed by another thread while the host releases or signals, and every surviving waiter that should
 * proceed does; nobody stays blocked and no permit, signal or grant disappears.
 *
 * <p>Each scenario runs {@link #ROUNDS} rounds (scaled by {@code -Dtasklife.stressMultiplier}); the
 * choices of a round come from a {@link Random} seeded with {@code SEED + round}, printed in every
 * assertion message, so a failing round can be replayed. Every wait is event-driven (task states, queue
 * lengths, futures) and bounded by {@link Await#LONG} (STYLE G16).
 */
@ExtendWith(KernelExtension.class)
class NoLostWakeupTest {
    private static final int ROUNDS = 30 * Integer.getInteger("tasklife.stressMultiplier", 1);
    private static final long SEED = 0x5EEDL;
    private static final int WAITERS = 32;

    /** What a waiter's body returns when it was let through. */
    private static final String PROCEEDED = "proceeded";

    /** The seed of {@code round}, and the text that names it in messages. */
    private static String seedOf(int round) {
        return "round " + round + " (seed " + (SEED + round) + ")";
    }

    /** Waits until every waiter is parked in the primitive. */
    private static void awaitBlocked(List<Attempt> waiters) {
        for (Attempt a : waiters) {
            Await.state(a.task(), TaskState.BLOCKED);
        }
    }

    /** A random half of {@code waiters}, in a random order (the kill order). */
    private static List<Attempt> randomHalf(List<Attempt> waiters, Random random) {
        List<Attempt> shuffled = new ArrayList<>(waiters);
        Collections.shuffle(shuffled, random);
        return List.copyOf(shuffled.subList(0, waiters.size() / 2));
    }

    /** Kills {@code victims} in order on a new platform thread; the future completes when all kills are sent. */
    private static CompletableFuture<Void> killOnOtherThread(List<Attempt> victims, Random random) {
        boolean yieldBetween = random.nextBoolean(); // vary the interleaving with the releaser a little
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("killer").start(() -> {
            try {
                for (Attempt v : victims) {
                    v.task().kill();
                    if (yieldBetween) {
                        Thread.yield();
                    }
                }
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** The outcomes of every waiter, each bounded by {@link Await#LONG} (a hang fails here, naming the task). */
    private static List<Object> outcomes(List<Attempt> waiters, String round) throws Exception {
        List<Object> out = new ArrayList<>();
        for (Attempt a : waiters) {
            Object r;
            try {
                r = a.get();
            } catch (TimeoutException e) {
                throw new AssertionError(round + ": " + a.task() + " still blocked: a wake-up was lost", e);
            }
            out.add(r);
        }
        return out;
    }

    // ---- Semaphore ----

    /**
     * SPEC K9: with N waiters, N permits released one by one while a random half is killed reach every
     * waiter that was not killed while waiting; each permit is taken or left available, never lost.
     */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void semaphoreRelease_killingRandomHalf_everySurvivorAcquires(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        for (int round = 0; round < ROUNDS; round++) {
            String at = seedOf(round);
            Random random = new Random(SEED + round);
            Semaphore s = new Semaphore(0, fair);
            AtomicInteger acquired = new AtomicInteger();
            List<Attempt> waiters = new ArrayList<>();
            for (int i = 0; i < WAITERS; i++) {
                waiters.add(attempt(g, "r" + round + "w" + i, () -> {
                    s.acquire();
                    acquired.incrementAndGet(); // it now owns the permit, even if a kill lands now
                    return PROCEEDED;
                }));
            }
            awaitBlocked(waiters);
            Await.until("all queued", () -> s.queueLength() == WAITERS, s::toString);
            List<Attempt> victims = randomHalf(waiters, random);

            CompletableFuture<Void> kills = killOnOtherThread(victims, random);
            for (int i = 0; i < WAITERS; i++) {
                s.release();
            }
            kills.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);

            List<Object> results = outcomes(waiters, at);
            int killedWaiting = 0;
            for (int i = 0; i < WAITERS; i++) {
                Attempt a = waiters.get(i);
                Object r = results.get(i);
                if (victims.contains(a)) {
                    assertThat(r instanceof TaskKilledError || PROCEEDED.equals(r))
                            .as("%s: victim %s ended with %s", at, a.task(), r).isTrue();
                    if (r instanceof TaskKilledError) {
                        killedWaiting++;
                    }
                } else {
                    assertThat(r).as("%s: survivor %s", at, a.task()).isEqualTo(PROCEEDED);
                }
            }
            assertThat(acquired.get() + s.availablePermits()).as("%s: permits taken + available", at).isEqualTo(WAITERS);
            assertThat(s.availablePermits()).as("%s: permits left = victims killed while waiting", at).isEqualTo(killedWaiting);
            assertThat(s.queueLength()).as("%s: queue", at).isZero();
        }
        killAndReap(g);
    }

    /**
     * SPEC K9: once a random half of the waiters was killed, releasing exactly as many permits as there
     * are survivors, one by one, lets every survivor acquire and leaves no permit idle.
     */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void semaphoreRelease_victimsKilledFirstExactPermits_everySurvivorAcquires(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        for (int round = 0; round < ROUNDS; round++) {
            String at = seedOf(round);
            Random random = new Random(SEED + round);
            Semaphore s = new Semaphore(0, fair);
            List<Attempt> waiters = new ArrayList<>();
            for (int i = 0; i < WAITERS; i++) {
                waiters.add(attempt(g, "r" + round + "w" + i, () -> {
                    s.acquire();
                    return PROCEEDED;
                }));
            }
            awaitBlocked(waiters);
            List<Attempt> victims = randomHalf(waiters, random);
            // The victims' own re-dispatch (S4) races the releases: it must never swallow a permit meant
            // for a survivor. Releases start once the first victim has ended, while the rest may still unwind.
            CompletableFuture<Void> kills = killOnOtherThread(victims, random);
            kills.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
            victims.get(0).get();
            int survivors = WAITERS - victims.size();
            for (int i = 0; i < survivors; i++) {
                s.release();
            }
            List<Object> results = outcomes(waiters, at);
            for (int i = 0; i < WAITERS; i++) {
                Attempt a = waiters.get(i);
                if (victims.contains(a)) {
                    assertThat(results.get(i)).as("%s: victim %s", at, a.task()).isInstanceOf(TaskKilledError.class);
                } else {
                    assertThat(results.get(i)).as("%s: survivor %s", at, a.task()).isEqualTo(PROCEEDED);
                }
            }
            assertThat(s.availablePermits()).as("%s: permits left", at).isZero();
            assertThat(s.queueLength()).as("%s: queue", at).isZero();
        }
        killAndReap(g);
    }

    // ---- Condition ----

    /** A waiter that takes one token guarded by {@code m}, waiting on {@code c} while there is none. */
    private static Attempt tokenWaiter(TaskGroup g, String name, Mutex m, Condition c, int[] tokens) {
        return attempt(g, name, () -> {
            m.lock();
            try {
                while (tokens[0] == 0) {
                    c.await();
                }
                tokens[0]--;
                return PROCEEDED;
            } finally {
                m.unlock();
            }
        });
    }

    /**
     * SPEC K9: exactly as many signals and tokens as survivors, sent while a random half of the waiters
     * is killed, wake every survivor; a victim that was signalled and then killed passes the signal on.
     * The host holds the mutex until all kills are sent, so no victim can consume a token first.
     */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void conditionSignal_killingRandomHalfTokensEqualSurvivors_everySurvivorGetsToken(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        for (int round = 0; round < ROUNDS; round++) {
            String at = seedOf(round);
            Random random = new Random(SEED + round);
            Mutex m = new Mutex(random.nextBoolean() ? MutexKind.NORMAL : MutexKind.RECURSIVE, fair);
            Condition c = m.newCondition();
            int[] tokens = {0}; // guarded by m
            List<Attempt> waiters = new ArrayList<>();
            for (int i = 0; i < WAITERS; i++) {
                waiters.add(tokenWaiter(g, "r" + round + "w" + i, m, c, tokens));
            }
            awaitBlocked(waiters);
            Await.until("all waiting for a signal", () -> c.queueLength() == WAITERS, c::toString);
            List<Attempt> victims = randomHalf(waiters, random);
            int survivors = WAITERS - victims.size();

            m.lock();
            CompletableFuture<Void> kills = killOnOtherThread(victims, random);
            for (int i = 0; i < survivors; i++) {
                tokens[0]++;
                c.signal();
            }
            kills.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
            m.unlock();

            List<Object> results = outcomes(waiters, at);
            for (int i = 0; i < WAITERS; i++) {
                Attempt a = waiters.get(i);
                if (victims.contains(a)) {
                    assertThat(results.get(i)).as("%s: victim %s", at, a.task()).isInstanceOf(TaskKilledError.class);
                } else {
                    assertThat(results.get(i)).as("%s: survivor %s", at, a.task()).isEqualTo(PROCEEDED);
                }
            }
            m.lock();
            try {
                assertThat(tokens[0]).as("%s: tokens left", at).isZero();
            } finally {
                m.unlock();
            }
            assertThat(c.queueLength()).as("%s: condition queue", at).isZero();
            assertThat(m.isLocked()).as("%s: mutex locked", at).isFalse();
            assertThat(m.queueLength()).as("%s: mutex queue", at).isZero();
        }
        killAndReap(g);
    }

    /**
     * SPEC K9: N tokens, each added and signalled under the mutex one at a time while a random half of
     * the N waiters is killed, reach every survivor; each token is consumed by a waiter that returned
     * or left over, and nobody stays blocked.
     */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void conditionSignal_killingRandomHalfWhileSignalling_everySurvivorGetsToken(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        for (int round = 0; round < ROUNDS; round++) {
            String at = seedOf(round);
            Random random = new Random(SEED + round);
            Mutex m = new Mutex(MutexKind.NORMAL, fair);
            Condition c = m.newCondition();
            int[] tokens = {0}; // guarded by m
            List<Attempt> waiters = new ArrayList<>();
            for (int i = 0; i < WAITERS; i++) {
                waiters.add(tokenWaiter(g, "r" + round + "w" + i, m, c, tokens));
            }
            awaitBlocked(waiters);
            Await.until("all waiting for a signal", () -> c.queueLength() == WAITERS, c::toString);
            List<Attempt> victims = randomHalf(waiters, random);

            CompletableFuture<Void> kills = killOnOtherThread(victims, random);
            for (int i = 0; i < WAITERS; i++) {
                m.lock();
                try {
                    tokens[0]++;
                    c.signal();
                } finally {
                    m.unlock();
                }
            }
            kills.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);

            List<Object> results = outcomes(waiters, at);
            int consumed = 0;
            for (int i = 0; i < WAITERS; i++) {
                Attempt a = waiters.get(i);
                Object r = results.get(i);
                if (PROCEEDED.equals(r)) {
                    consumed++;
                } else {
                    assertThat(victims).as("%s: %s ended with %s", at, a.task(), r).contains(a);
                    assertThat(r).as("%s: victim %s", at, a.task()).isInstanceOf(TaskKilledError.class);
                }
            }
            m.lock();
            try {
                assertThat(consumed + tokens[0]).as("%s: tokens consumed + left", at).isEqualTo(WAITERS);
            } finally {
                m.unlock();
            }
            assertThat(c.queueLength()).as("%s: condition queue", at).isZero();
            assertThat(m.isLocked()).as("%s: mutex locked", at).isFalse();
            assertThat(m.queueLength()).as("%s: mutex queue", at).isZero();
        }
        killAndReap(g);
    }

    // ---- Mutex ----

    /**
     * SPEC K9: lockers queued behind the host, a random half killed while the host unlocks and (to
     * exercise barging) immediately relocks and unlocks again, all get the mutex in turn except the
     * victims killed while waiting; the mutex ends free with an empty queue.
     */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void mutexUnlock_killingRandomHalfWhileReleaserBarges_everySurvivorGetsLock(boolean fair, Kernel kernel)
            throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        for (int round = 0; round < ROUNDS; round++) {
            String at = seedOf(round);
            Random random = new Random(SEED + round);
            Mutex m = new Mutex(random.nextBoolean() ? MutexKind.NORMAL : MutexKind.RECURSIVE, fair);
            m.lock();
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger violations = new AtomicInteger();
            List<Attempt> waiters = new ArrayList<>();
            for (int i = 0; i < WAITERS; i++) {
                boolean timed = random.nextBoolean();
                waiters.add(attempt(g, "r" + round + "w" + i, () -> {
                    if (timed) {
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
                        Thread.yield();
                        inside.decrementAndGet();
                    } finally {
                        m.unlock();
                    }
                    return PROCEEDED;
                }));
            }
            awaitBlocked(waiters);
            List<Attempt> victims = randomHalf(waiters, random);

            CompletableFuture<Void> kills = killOnOtherThread(victims, random);
            m.unlock();
            for (int i = 0; i < 8; i++) { // barge a few times while the kills land
                if (m.tryLock()) {
                    m.unlock();
                }
            }
            kills.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);

            List<Object> results = outcomes(waiters, at);
            for (int i = 0; i < WAITERS; i++) {
                Attempt a = waiters.get(i);
                Object r = results.get(i);
                if (victims.contains(a) && r instanceof TaskKilledError) {
                    continue; // killed while waiting, or in its section and unlocked in finally
                }
                assertThat(r).as("%s: %s", at, a.task()).isEqualTo(PROCEEDED);
            }
            assertThat(violations.get()).as("%s: exclusion violations", at).isZero();
            assertThat(m.isLocked()).as("%s: locked", at).isFalse();
            assertThat(m.queueLength()).as("%s: queue", at).isZero();
        }
        killAndReap(g);
    }

    // ---- ReadWriteLock ----

    /**
     * SPEC K9: readers and writers queued behind a writer, a random half killed while the writer
     * releases, hand the lock on to every survivor in turn; the lock ends free with an empty queue.
     */
    @Test
    void rwlockWriteUnlock_killingRandomHalf_everySurvivorGetsLock(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        for (int round = 0; round < ROUNDS; round++) {
            String at = seedOf(round);
            Random random = new Random(SEED + round);
            ReadWriteLock rw = new ReadWriteLock();
            rw.writeLock(); // the host holds it: every waiter queues
            AtomicInteger inside = new AtomicInteger(); // writers count WAITERS + 1 so any overlap shows
            AtomicInteger violations = new AtomicInteger();
            List<Attempt> waiters = new ArrayList<>();
            for (int i = 0; i < WAITERS; i++) {
                boolean write = random.nextBoolean();
                waiters.add(attempt(g, "r" + round + (write ? "W" : "R") + i, () -> {
                    if (write) {
                        rw.writeLock();
                    } else {
                        rw.readLock();
                    }
                    try {
                        int now = inside.addAndGet(write ? WAITERS + 1 : 1);
                        if (write ? now != WAITERS + 1 : now > WAITERS) {
                            violations.incrementAndGet();
                        }
                        Thread.yield();
                        inside.addAndGet(write ? -(WAITERS + 1) : -1);
                    } finally {
                        if (write) {
                            rw.writeUnlock();
                        } else {
                            rw.readUnlock();
                        }
                    }
                    return PROCEEDED;
                }));
                Await.state(waiters.get(i).task(), TaskState.BLOCKED); // queued in this order
            }
            List<Attempt> victims = randomHalf(waiters, random);

            CompletableFuture<Void> kills = killOnOtherThread(victims, random);
            rw.writeUnlock();
            kills.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);

            List<Object> results = outcomes(waiters, at);
            for (int i = 0; i < WAITERS; i++) {
                Attempt a = waiters.get(i);
                Object r = results.get(i);
                if (victims.contains(a) && r instanceof TaskKilledError) {
                    continue; // killed before its grant, or killed in its section and unlocked in finally
                }
                assertThat(r).as("%s: %s", at, a.task()).isEqualTo(PROCEEDED);
            }
            assertThat(violations.get()).as("%s: exclusion violations", at).isZero();
            assertThat(rw.isWriteLocked()).as("%s: write-locked", at).isFalse();
            assertThat(rw.readHoldCount()).as("%s: read holds", at).isZero();
            assertThat(rw.queueLength()).as("%s: queue", at).isZero();
        }
        killAndReap(g);
    }

    // ---- Barrier ----

    /**
     * SPEC §9, K2: killing one of N waiting parties while the last party arrives is all-or-nothing:
     * either every party returns and the indices are exactly {0..N-1}, or the victim throws the kill
     * and every other party throws BrokenBarrierException; nobody hangs.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8})
    void barrierAwait_killOnePartyWhileLastArrives_allOrNothing(int parties, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        for (int round = 0; round < ROUNDS; round++) {
            String at = seedOf(round) + ", " + parties + " parties";
            Random random = new Random(SEED + round);
            Barrier b = new Barrier(parties);
            List<Attempt> waiting = new ArrayList<>();
            for (int i = 0; i < parties - 1; i++) {
                waiting.add(attempt(g, "r" + round + "p" + i, b::await));
                Await.state(waiting.get(i).task(), TaskState.BLOCKED);
            }
            Await.until("parties arrived", () -> b.numberWaiting() == parties - 1, b::toString);
            Attempt victim = waiting.get(random.nextInt(waiting.size()));
            CompletableFuture<Void> kills = killOnOtherThread(List.of(victim), random);
            Object last;
            try {
                last = b.await();
            } catch (BrokenBarrierException e) {
                last = e;
            }
            kills.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
            List<Object> results = new ArrayList<>(outcomes(waiting, at));
            results.add(last);

            Object victimResult = results.get(waiting.indexOf(victim));
            if (victimResult instanceof TaskKilledError) {
                for (int i = 0; i < results.size(); i++) {
                    if (i != waiting.indexOf(victim)) {
                        assertThat(results.get(i)).as("%s: party %d after the victim was killed", at, i)
                                .isInstanceOf(BrokenBarrierException.class);
                    }
                }
                assertThat(b.isBroken()).as("%s: broken", at).isTrue();
            } else {
                List<Object> expected = new ArrayList<>();
                for (int i = 0; i < parties; i++) {
                    expected.add(i);
                }
                assertThat(results).as("%s: arrival indices", at).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(b.isBroken()).as("%s: broken", at).isFalse();
            }
            assertThat(b.numberWaiting()).as("%s: waiting", at).isZero();
        }
        killAndReap(g);
    }
}
