package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.OVERFLOW;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Reasons.reason;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
 * Issues 3 and 5: the CAS fast paths and the two fairness policies of {@link Semaphore} (barging by
 * default, strict FIFO hand-off on request), and the kill races they add. Loops are bounded; every wait
 * is event-driven (STYLE G16).
 */
@ExtendWith(KernelExtension.class)
class SemaphoreFairnessTest {
    private static final int ROUNDS = 50 * Integer.getInteger("tasklife.stressMultiplier", 1);

    /** SPEC §9: the default semaphore is non-fair; a fair one is asked for explicitly. */
    @Test
    void constructor_default_nonFair() {
        assertThat(new Semaphore(1).isFair()).isFalse();
        assertThat(new Semaphore(1, 5).isFair()).isFalse();
        assertThat(new Semaphore(1, true).isFair()).isTrue();
        assertThat(new Semaphore(1, 5, true).isFair()).isTrue();
        assertThat(new Semaphore(1, 5, true).toString()).contains("fair");
    }

    /** Non-fair policy: a small request takes free permits at once even while a larger request waits at the head. */
    @Test
    void acquire_nonFairLargeHeadQueued_smallRequestBarges(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Semaphore s = new Semaphore(2);
        Attempt head = attempt(g, "head", () -> {
            s.acquire(3);
            return "head";
        });
        Await.state(head.task(), TaskState.BLOCKED);
        Attempt small = attempt(g, "small", () -> {
            s.acquire(1);
            return "small";
        });
        assertThat(small.get()).isEqualTo("small");
        assertThat(s.tryAcquire()).as("barging try").isTrue();
        assertThat(s.availablePermits()).isZero();
        assertThat(s.queueLength()).isEqualTo(1);
        s.release(3);
        assertThat(head.get()).isEqualTo("head");
        assertThat(s.availablePermits()).isZero();
        assertThat(s.queueLength()).isZero();
        killAndReap(g);
    }

    /** Fair policy: release hands the permit to the queued waiter at once, so the releaser cannot take it back. */
    @Test
    void release_fairWithWaiter_handsOffBeforeReturning(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Semaphore s = new Semaphore(0, true);
        Attempt w = attempt(g, "waiter", () -> {
            s.acquire();
            return "acquired";
        });
        Await.state(w.task(), TaskState.BLOCKED);
        s.release();
        assertThat(s.availablePermits()).as("handed over as release returns").isZero();
        assertThat(s.tryAcquire()).isFalse();
        assertThat(w.get()).isEqualTo("acquired");
        killAndReap(g);
    }

    /** SPEC §12 EOVERFLOW, both policies: an overflowing release with a waiter queued throws and changes nothing. */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void release_overflowWithWaiterQueued_throwsValueUnchanged(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Semaphore s = new Semaphore(0, 1, fair);
        Attempt w = attempt(g, "waiter", () -> {
            s.acquire();
            return "acquired";
        });
        Await.state(w.task(), TaskState.BLOCKED);
        assertThatThrownBy(() -> s.release(2)).is(reason(OVERFLOW));
        assertThat(s.availablePermits()).isZero();
        assertThat(s.queueLength()).isEqualTo(1);
        assertThat(w.task().state()).isEqualTo(TaskState.BLOCKED);
        s.release();
        assertThat(w.get()).isEqualTo("acquired");
        assertThat(s.availablePermits()).isZero();
        s.release();
        assertThatThrownBy(s::release).is(reason(OVERFLOW));
        assertThat(s.availablePermits()).isEqualTo(1);
        killAndReap(g);
    }

    /**
     * Non-fair policy: a releaser that takes the permit back at once overtakes the waiter it woke; that
     * waiter goes back to the head, so queued waiters still obtain permits in arrival order.
     */
    @Test
    void release_nonFairReleaserBarges_wokenWaiterKeepsItsPlace(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        int barged = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Semaphore s = new Semaphore(0);
            List<Integer> order = new CopyOnWriteArrayList<>();
            List<Attempt> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int id = i;
                Attempt a = attempt(g, "r" + round + "w" + i, () -> {
                    s.acquire();
                    order.add(id); // keeps the permit
                    return null;
                });
                Await.state(a.task(), TaskState.BLOCKED);
                waiters.add(a);
            }
            for (int k = 0; k < 3; k++) {
                s.release();     // wakes the head waiter to compete
                if (s.tryAcquire()) { // took it first: the woken waiter must re-queue at the head
                    barged++;
                    int left = 3 - k;
                    Await.until("the woken waiter to re-queue", () -> s.queueLength() == left, s::toString);
                    s.release();
                }
                int got = k + 1;
                Await.until("a waiter to obtain the permit", () -> order.size() == got, s::toString);
            }
            for (Attempt a : waiters) {
                assertThat(a.get()).isNull();
            }
            assertThat(order).as("round %d", round).containsExactly(0, 1, 2);
            assertThat(s.availablePermits()).isZero();
            assertThat(s.queueLength()).isZero();
        }
        System.out.println("release_nonFairReleaserBarges: the releaser barged " + barged + " times in " + ROUNDS + " rounds");
        killAndReap(g);
    }

    /**
     * SPEC K9 with barging: the first waiter, woken by a release and killed at about the same time (before
     * or after it competed, re-queued behind a barger or not), never strands the permit or the second waiter.
     */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void release_wokenWaiterKilledWhileReleaserBarges_permitReachesNextWaiter(boolean fair, Kernel kernel)
            throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        for (int round = 0; round < ROUNDS; round++) {
            Semaphore s = new Semaphore(0, fair);
            Attempt first = attempt(g, "r" + round + "first", () -> {
                s.acquire();
                return "first";
            });
            Await.state(first.task(), TaskState.BLOCKED);
            Attempt second = attempt(g, "r" + round + "second", () -> {
                s.acquire();
                return "second";
            });
            Await.state(second.task(), TaskState.BLOCKED);
            s.release();
            boolean barged = s.tryAcquire();
            first.task().kill(); // lands while it is woken, competing, re-queued, or already done
            if (barged) {
                s.release();
            }
            Object r = first.get();
            if (r instanceof TaskKilledError) {
                assertThat(second.get()).as("round %d: second after the first was killed", round).isEqualTo("second");
            } else {
                assertThat(r).as("round %d: first", round).isEqualTo("first");
                assertThat(s.availablePermits()).isZero();
                s.release();
                assertThat(second.get()).isEqualTo("second");
            }
            assertThat(s.availablePermits()).as("round %d", round).isZero();
            assertThat(s.queueLength()).isZero();
        }
        killAndReap(g);
    }

    /**
     * Both policies: tasks taking 1 to 3 permits of 3 (timed and untimed, fast and slow paths mixed)
     * never hold more than 3 together, all finish, and every permit comes back.
     */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void acquire_manyTasksMixedSizes_neverOverdrawnAndProgress(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Semaphore s = new Semaphore(3, 3, fair);
        AtomicInteger inUse = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        List<Attempt> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            long seed = i;
            all.add(attempt(g, "taker" + i, () -> {
                Random random = new Random(seed);
                for (int j = 0; j < 1_000; j++) {
                    int n = 1 + random.nextInt(3);
                    if (j % 3 == 0) {
                        if (!s.tryAcquire(n, 1, TimeUnit.HOURS)) {
                            return "timed out";
                        }
                    } else if (j % 3 == 1 && !s.tryAcquire(n)) {
                        continue;
                    } else if (j % 3 == 2) {
                        s.acquire(n);
                    }
                    if (inUse.addAndGet(n) > 3) {
                        violations.incrementAndGet();
                    }
                    if (j % 32 == 0) {
                        Thread.yield();
                    }
                    inUse.addAndGet(-n);
                    s.release(n);
                }
                return "done";
            }));
        }
        for (Attempt a : all) {
            assertThat(a.get()).isEqualTo("done");
        }
        assertThat(violations.get()).isZero();
        assertThat(s.availablePermits()).isEqualTo(3);
        assertThat(s.queueLength()).isZero();
        killAndReap(g);
    }

    /** SPEC T1, both policies: a waiter whose deadline passes takes nothing and leaves no node; a free permit is still taken at once. */
    @ParameterizedTest(name = "fair={0}")
    @ValueSource(booleans = {true, false})
    void tryAcquireTimed_deadlinePassesWhileQueued_takesNothingNoNodeLeft(boolean fair, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Semaphore s = new Semaphore(0, fair);
        Attempt w = attempt(g, "timed", () -> s.tryAcquire(2, 20, TimeUnit.MILLISECONDS));
        assertThat(w.get()).isEqualTo(false);
        assertThat(s.queueLength()).isZero();
        s.release();
        assertThat(s.tryAcquire(1, -1, TimeUnit.SECONDS)).isTrue();
        assertThat(s.availablePermits()).isZero();
        s.release(2);
        assertThat(s.tryAcquire(2)).as("fast path again once the queue is empty").isTrue();
        killAndReap(g);
    }
}
