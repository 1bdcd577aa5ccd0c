package org.tasklife.internal.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.ManualClock;

/** Behaviour of {@link TimerService}, {@link Timeout} and {@link Clock#deadlineAfter}. */
class TimerServiceTest {

    /** Generous bound for anything the real timer thread must do; scaled by -Dtasklife.timeoutFactor. */
    private static final Duration LONG = Duration.ofSeconds(10).multipliedBy(Long.getLong("tasklife.timeoutFactor", 1));

    private final ManualClock clock = new ManualClock();
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private final List<TimerService> services = new ArrayList<>();

    /** A service on the manual clock, without a thread, recording action failures in {@link #uncaught}. */
    private TimerService manual() {
        return track(new TimerService(clock, "test-timer", (t, e) -> uncaught.add(e)));
    }

    private TimerService track(TimerService s) {
        services.add(s);
        return s;
    }

    @AfterEach
    void auditAndClose() {
        for (TimerService s : services) {
            Thread t = s.thread();
            s.close();
            s.assertInvariantsQuiescent();
            assertThat(s.pendingCount()).as("pending after close of %s", s).isZero();
            if (t != null) {
                assertThat(t.isAlive()).as("timer thread of %s after close", s).isFalse();
            }
        }
        assertThat(uncaught).as("unexpected action failures").isEmpty();
    }

    private static Runnable record(List<String> log, String name) {
        return () -> log.add(name);
    }

    // ---- Clock.deadlineAfter ----

    /** A positive timeout within range is added to the reading. */
    @Test
    void deadlineAfter_ordinaryTimeout_addsIt() {
        assertThat(Clock.deadlineAfter(1_000, 500)).isEqualTo(1_500);
    }

    /** A zero or negative timeout yields a deadline that is already reached. */
    @Test
    void deadlineAfter_nonPositiveTimeout_isNow() {
        assertThat(Clock.deadlineAfter(1_000, 0)).isEqualTo(1_000);
        assertThat(Clock.deadlineAfter(1_000, -5)).isEqualTo(1_000);
        assertThat(Clock.deadlineAfter(1_000, Long.MIN_VALUE)).isEqualTo(1_000);
    }

    /** A huge timeout is clamped so that deadline - now stays positive even where raw values wrap. */
    @Test
    void deadlineAfter_hugeTimeoutNearWrap_clampsWithoutOverflow() {
        for (long now : new long[] {Long.MAX_VALUE - 1, Long.MIN_VALUE, -1, 0, ManualClock.DEFAULT_START}) {
            long d = Clock.deadlineAfter(now, Long.MAX_VALUE);
            assertThat(d - now).as("now=%d", now).isEqualTo(Clock.MAX_TIMEOUT_NANOS);
            long muchLater = now + Clock.MAX_TIMEOUT_NANOS / 2;
            assertThat(d - muchLater).as("now=%d", now).isPositive();
        }
    }

    /** The system clock never goes backwards between two readings. */
    @Test
    void systemClock_successiveReadings_neverDecrease() {
        Clock c = Clock.system();
        long a = c.nanoTime();
        long b = c.nanoTime();
        assertThat(b - a).isGreaterThanOrEqualTo(0);
    }

    // ---- firing on the manual clock ----

    /** An entry does not fire while its deadline is in the future. */
    @Test
    void fireDue_beforeDeadline_doesNotFire() {
        TimerService s = manual();
        List<String> log = new ArrayList<>();
        Timeout t = s.schedule(clock.nanoTime() + 100, record(log, "a"));
        clock.advanceNanos(99);
        assertThat(s.fireDue()).isZero();
        assertThat(log).isEmpty();
        assertThat(t.isPending()).isTrue();
    }

    /** An entry fires once the clock reading equals its deadline. */
    @Test
    void fireDue_atDeadline_fires() {
        TimerService s = manual();
        List<String> log = new ArrayList<>();
        Timeout t = s.schedule(clock.nanoTime() + 100, record(log, "a"));
        clock.advanceNanos(100);
        assertThat(s.fireDue()).isEqualTo(1);
        assertThat(log).containsExactly("a");
        assertThat(t.isPending()).isFalse();
    }

    /** An entry whose deadline has passed fires exactly once, however often fireDue runs. */
    @Test
    void fireDue_afterDeadline_firesOnce() {
        TimerService s = manual();
        List<String> log = new ArrayList<>();
        s.schedule(clock.nanoTime() + 100, record(log, "a"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(s.fireDue()).isEqualTo(1);
        assertThat(s.fireDue()).isZero();
        assertThat(log).containsExactly("a");
    }

    /** A deadline already in the past at scheduling time fires at the next fireDue. */
    @Test
    void schedule_pastDeadline_firesOnNextFireDue() {
        TimerService s = manual();
        List<String> log = new ArrayList<>();
        s.schedule(clock.nanoTime() - 1_000_000, record(log, "past"));
        assertThat(s.fireDue()).isEqualTo(1);
        assertThat(log).containsExactly("past");
    }

    /** The handle reports the deadline it was scheduled with. */
    @Test
    void deadline_afterSchedule_isTheScheduledValue() {
        TimerService s = manual();
        long d = clock.nanoTime() + 12_345;
        assertThat(s.schedule(d, () -> { }).deadline()).isEqualTo(d);
    }

    /** Entries with different deadlines fire in deadline order, not scheduling order. */
    @Test
    void fireDue_mixedDeadlines_firesInDeadlineOrder() {
        TimerService s = manual();
        List<String> log = new ArrayList<>();
        long now = clock.nanoTime();
        s.schedule(now + 30, record(log, "c"));
        s.schedule(now + 10, record(log, "a"));
        s.schedule(now + 20, record(log, "b"));
        clock.advanceNanos(30);
        assertThat(s.fireDue()).isEqualTo(3);
        assertThat(log).containsExactly("a", "b", "c");
    }

    /** Entries with equal deadlines fire in the order they were scheduled. */
    @Test
    void fireDue_equalDeadlines_firesInSchedulingOrder() {
        TimerService s = manual();
        List<String> log = new ArrayList<>();
        long d = clock.nanoTime() + 10;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            s.schedule(d, record(log, "e" + i));
            expected.add("e" + i);
        }
        clock.advanceNanos(10);
        s.fireDue();
        assertThat(log).containsExactlyElementsOf(expected);
    }

    /** Deadlines on both sides of the raw Long.MAX_VALUE wrap fire in true time order. */
    @Test
    void fireDue_deadlinesAcrossWrapAround_orderedByDifference() {
        clock.set(Long.MAX_VALUE - 50);
        TimerService s = manual();
        List<String> log = new ArrayList<>();
        long now = clock.nanoTime();
        s.schedule(now + 100, record(log, "after-wrap"));   // raw value is negative
        s.schedule(now + 10, record(log, "before-wrap"));
        clock.advanceNanos(10);
        assertThat(s.fireDue()).isEqualTo(1);
        clock.advanceNanos(90);
        assertThat(s.fireDue()).isEqualTo(1);
        assertThat(log).containsExactly("before-wrap", "after-wrap");
    }

    // ---- cancel ----

    /** Cancelling a pending entry stops it from firing; only the first cancel returns true. */
    @Test
    void cancel_pending_preventsFiringAndReturnsTrueOnce() {
        TimerService s = manual();
        List<String> log = new ArrayList<>();
        Timeout t = s.schedule(clock.nanoTime() + 10, record(log, "a"));
        assertThat(t.cancel()).isTrue();
        assertThat(t.cancel()).isFalse();
        assertThat(t.isPending()).isFalse();
        clock.advanceNanos(10);
        assertThat(s.fireDue()).isZero();
        assertThat(log).isEmpty();
    }

    /** Cancelling an entry that has fired returns false. */
    @Test
    void cancel_afterFire_returnsFalse() {
        TimerService s = manual();
        Timeout t = s.schedule(clock.nanoTime(), () -> { });
        assertThat(s.fireDue()).isEqualTo(1);
        assertThat(t.cancel()).isFalse();
    }

    /** Of many threads racing to cancel one entry, exactly one succeeds. */
    @Test
    void cancel_racingThreads_exactlyOneWins() throws Exception {
        TimerService s = manual();
        for (int round = 0; round < 200; round++) {
            Timeout t = s.schedule(clock.nanoTime() + 10, () -> { });
            AtomicInteger wins = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    if (t.cancel()) {
                        wins.incrementAndGet();
                    }
                }));
            }
            go.countDown();
            for (Thread th : threads) {
                assertThat(th.join(LONG)).isTrue();
            }
            assertThat(wins.get()).as("round %d", round).isEqualTo(1);
        }
        assertThat(s.pendingCount()).isZero();
    }

    /** pendingCount counts exactly the entries that have neither fired nor been cancelled. */
    @Test
    void pendingCount_throughScheduleCancelFire_isExact() {
        TimerService s = manual();
        long now = clock.nanoTime();
        assertThat(s.pendingCount()).isZero();
        Timeout a = s.schedule(now + 10, () -> { });
        Timeout b = s.schedule(now + 20, () -> { });
        s.schedule(now + 30, () -> { });
        assertThat(s.pendingCount()).isEqualTo(3);
        assertThat(b.cancel()).isTrue();
        assertThat(s.pendingCount()).isEqualTo(2);
        assertThat(b.cancel()).isFalse();
        assertThat(s.pendingCount()).isEqualTo(2);
        clock.advanceNanos(20);
        assertThat(s.fireDue()).isEqualTo(1);
        assertThat(s.pendingCount()).isEqualTo(1);
        assertThat(a.cancel()).isFalse();
        assertThat(s.pendingCount()).isEqualTo(1);
        clock.advanceNanos(10);
        s.fireDue();
        assertThat(s.pendingCount()).isZero();
        s.assertInvariantsQuiescent();
    }

    // ---- actions ----

    /** An action that throws goes to the handler, and the entries after it still fire. */
    @Test
    void fireDue_actionThrows_handlerGetsItAndLaterEntriesFire() {
        List<Throwable> seen = new ArrayList<>();
        List<Thread> seenOn = new ArrayList<>();
        TimerService s = track(new TimerService(clock, "throwing", (t, e) -> {
            seenOn.add(t);
            seen.add(e);
        }));
        List<String> log = new ArrayList<>();
        long d = clock.nanoTime() + 5;
        s.schedule(d, record(log, "before"));
        RuntimeException boom = new RuntimeException("boom");
        s.schedule(d, () -> {
            throw boom;
        });
        s.schedule(d, record(log, "after"));
        clock.advanceNanos(5);
        assertThat(s.fireDue()).isEqualTo(3);
        assertThat(log).containsExactly("before", "after");
        assertThat(seen).containsExactly(boom);
        assertThat(seenOn).containsExactly(Thread.currentThread());
    }

    /** A handler that itself throws does not stop the remaining actions. */
    @Test
    void fireDue_handlerThrows_laterEntriesStillFire() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        TimerService s = track(new TimerService(clock, "bad-handler", (t, e) -> {
            throw new IllegalStateException("handler failure");
        }));
        List<String> log = new ArrayList<>();
        long d = clock.nanoTime();
        s.schedule(d, () -> {
            throw new RuntimeException("action failure");
        });
        s.schedule(d, record(log, "after"));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));   // keep the expected report out of the build log
        try {
            assertThat(s.fireDue()).isEqualTo(2);
        } finally {
            System.setErr(originalErr);
        }
        assertThat(log).containsExactly("after");
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("bad-handler", "handler failure", "action failure");
    }

    /** The default handler prints an action's failure to System.err, naming the service and the thread. */
    @Test
    void fireDue_actionThrowsWithDefaultHandler_printsToStandardError() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        TimerService s = track(new TimerService(clock, "default-handler-timer"));
        List<String> log = new ArrayList<>();
        s.schedule(clock.nanoTime(), () -> {
            throw new IllegalStateException("boom from action");
        });
        s.schedule(clock.nanoTime(), record(log, "after"));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(s.fireDue()).isEqualTo(2);
        } finally {
            System.setErr(originalErr);
        }
        assertThat(log).containsExactly("after");
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("default-handler-timer", Thread.currentThread().getName(), "boom from action");
    }

    /**
     * An action can schedule new entries, on its own thread and on another thread: actions run
     * outside the timer lock (K10, TM5). Entries it schedules run on a later fireDue.
     */
    @Test
    void action_schedulingFromCallback_runsOffTheLock() {
        TimerService s = manual();
        List<String> log = new CopyOnWriteArrayList<>();
        AtomicBoolean otherThreadScheduled = new AtomicBoolean();
        long now = clock.nanoTime();
        s.schedule(now, () -> {
            log.add("outer");
            s.schedule(now, record(log, "same-thread"));
            Thread other = Thread.ofPlatform().start(() -> {
                s.schedule(now, record(log, "other-thread"));   // would block forever if the lock were held
                otherThreadScheduled.set(true);
            });
            try {
                other.join(LONG);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(s.fireDue()).isEqualTo(1);
        assertThat(otherThreadScheduled).as("another thread could take the timer lock during an action").isTrue();
        assertThat(log).containsExactly("outer");
        assertThat(s.fireDue()).isEqualTo(2);
        assertThat(log).containsExactly("outer", "same-thread", "other-thread");
    }

    /** An action can cancel another entry that is not yet due, which then never fires. */
    @Test
    void action_cancellingLaterEntry_preventsIt() {
        TimerService s = manual();
        List<String> log = new ArrayList<>();
        long now = clock.nanoTime();
        AtomicReference<Timeout> victim = new AtomicReference<>();
        AtomicReference<Boolean> cancelResult = new AtomicReference<>();
        s.schedule(now + 10, () -> cancelResult.set(victim.get().cancel()));
        victim.set(s.schedule(now + 20, record(log, "victim")));
        clock.advanceNanos(10);
        s.fireDue();
        assertThat(cancelResult.get()).isTrue();
        clock.advanceNanos(10);
        assertThat(s.fireDue()).isZero();
        assertThat(log).isEmpty();
        assertThat(s.pendingCount()).isZero();
    }

    /** An entry popped in the same batch as the canceller has already fired: cancel returns false and it runs. */
    @Test
    void action_cancellingEntryDueInSameBatch_returnsFalseAndItRuns() {
        TimerService s = manual();
        List<String> log = new ArrayList<>();
        long now = clock.nanoTime();
        AtomicReference<Timeout> victim = new AtomicReference<>();
        AtomicReference<Boolean> cancelResult = new AtomicReference<>();
        s.schedule(now, () -> cancelResult.set(victim.get().cancel()));
        victim.set(s.schedule(now, record(log, "victim")));
        assertThat(s.fireDue()).isEqualTo(2);
        assertThat(cancelResult.get()).isFalse();
        assertThat(log).containsExactly("victim");
    }

    /** Scheduling a null action is refused. */
    @Test
    void schedule_nullAction_throwsNullPointerException() {
        TimerService s = manual();
        assertThatThrownBy(() -> s.schedule(0, null)).isInstanceOf(NullPointerException.class);
    }

    // ---- close and start ----

    /** close() drops pending entries without running them; their handles report them cancelled. */
    @Test
    void close_withPendingEntries_dropsThemWithoutRunning() {
        TimerService s = manual();
        List<String> log = new ArrayList<>();
        long now = clock.nanoTime();
        Timeout a = s.schedule(now + 10, record(log, "a"));
        Timeout b = s.schedule(now + 20, record(log, "b"));
        assertThat(b.cancel()).isTrue();
        s.close();
        assertThat(s.pendingCount()).isZero();
        assertThat(a.isPending()).isFalse();
        assertThat(a.cancel()).isFalse();
        clock.advanceNanos(100);
        assertThat(s.fireDue()).isZero();
        assertThat(log).isEmpty();
        s.assertInvariantsQuiescent();
    }

    /** schedule() after close() throws an IllegalStateException naming the service. */
    @Test
    void schedule_afterClose_throwsNamingService() {
        TimerService s = track(new TimerService(clock, "closed-timer-42"));
        s.close();
        assertThatThrownBy(() -> s.schedule(clock.nanoTime(), () -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed-timer-42");
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed-timer-42");
    }

    /** close() may be called any number of times. */
    @Test
    void close_twice_isIdempotent() {
        TimerService s = manual();
        s.start();
        s.close();
        s.close();
        assertThat(s.thread().isAlive()).isFalse();
    }

    /** start() twice is a programming error. */
    @Test
    void start_twice_throws() {
        TimerService s = manual();
        s.start();
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("test-timer");
    }

    // ---- the real timer thread ----

    /** The timer thread is one daemon platform thread with the given name. */
    @Test
    void start_createsNamedDaemonPlatformThread() {
        TimerService s = track(new TimerService(Clock.system(), "tasklife-timer-test"));
        assertThat(s.thread()).isNull();
        s.start();
        Thread t = s.thread();
        assertThat(t.getName()).isEqualTo("tasklife-timer-test");
        assertThat(t.isDaemon()).isTrue();
        assertThat(t.isVirtual()).isFalse();
    }

    /** On the system clock, an entry 50 ms ahead fires on the timer thread, not before its deadline. */
    @Test
    void thread_entry50msAhead_firesNotEarly() throws Exception {
        Clock sys = Clock.system();
        TimerService s = track(new TimerService(sys, "timer-50ms", (t, e) -> uncaught.add(e)));
        s.start();
        AtomicLong firedAt = new AtomicLong();
        AtomicReference<Thread> firedOn = new AtomicReference<>();
        CountDownLatch fired = new CountDownLatch(1);
        long deadline = Clock.deadlineAfter(sys.nanoTime(), TimeUnit.MILLISECONDS.toNanos(50));
        Timeout t = s.schedule(deadline, () -> {
            firedAt.set(sys.nanoTime());
            firedOn.set(Thread.currentThread());
            fired.countDown();
        });
        assertThat(fired.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(firedAt.get() - deadline).as("fired this many ns after its deadline").isGreaterThanOrEqualTo(0);
        assertThat(firedOn.get()).isSameAs(s.thread());
        assertThat(t.isPending()).isFalse();
        assertThat(s.pendingCount()).isZero();
    }

    /** While the thread parks on a far deadline, scheduling an earlier one wakes it to fire that first. */
    @Test
    void thread_earlierDeadlineWhileParkedOnLater_firesEarlierFirst() throws Exception {
        Clock sys = Clock.system();
        TimerService s = track(new TimerService(sys, "timer-rearm", (t, e) -> uncaught.add(e)));
        s.start();
        List<String> log = new CopyOnWriteArrayList<>();
        Timeout far = s.schedule(Clock.deadlineAfter(sys.nanoTime(), TimeUnit.HOURS.toNanos(1)), record(log, "far"));
        awaitThreadState(s.thread(), Thread.State.TIMED_WAITING);   // parked for an hour on `far`
        CountDownLatch fired = new CountDownLatch(1);
        s.schedule(Clock.deadlineAfter(sys.nanoTime(), TimeUnit.MILLISECONDS.toNanos(20)), () -> {
            log.add("near");
            fired.countDown();
        });
        assertThat(fired.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(log).containsExactly("near");
        assertThat(far.isPending()).isTrue();
        assertThat(s.pendingCount()).isEqualTo(1);
    }

    /** With a manual clock, poke() after advancing the clock makes the thread fire what became due. */
    @Test
    void thread_pokeAfterManualAdvance_firesDueEntry() throws Exception {
        TimerService s = track(new TimerService(clock, "timer-poke", (t, e) -> uncaught.add(e)));
        s.start();
        CountDownLatch fired = new CountDownLatch(1);
        s.schedule(clock.nanoTime() + TimeUnit.HOURS.toNanos(1), fired::countDown);
        awaitThreadState(s.thread(), Thread.State.TIMED_WAITING);   // parked for an hour of real time
        assertThat(fired.getCount()).isEqualTo(1);
        clock.advance(Duration.ofHours(1));
        s.poke();
        assertThat(fired.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }

    /** An action that throws on the timer thread is reported, and the thread keeps firing. */
    @Test
    void thread_actionThrows_threadSurvives() throws Exception {
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        TimerService s = track(new TimerService(clock, "timer-survives", (t, e) -> seen.add(e)));
        s.start();
        RuntimeException boom = new RuntimeException("boom");
        CountDownLatch fired = new CountDownLatch(1);
        s.schedule(clock.nanoTime(), () -> {
            throw boom;
        });
        s.schedule(clock.nanoTime() + 1, fired::countDown);
        clock.advanceNanos(1);
        s.poke();
        assertThat(fired.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(seen).containsExactly(boom);
        assertThat(s.thread().isAlive()).isTrue();
    }

    /** An interrupt of the timer thread is consumed; the thread parks again and keeps firing. */
    @Test
    void thread_interrupted_consumesInterruptAndKeepsFiring() throws Exception {
        TimerService s = track(new TimerService(clock, "timer-interrupt", (t, e) -> uncaught.add(e)));
        s.start();
        Thread timer = s.thread();
        awaitCondition(() -> timer.getState() == Thread.State.WAITING, "timer thread idle");
        timer.interrupt();
        awaitCondition(() -> !timer.isInterrupted() && timer.getState() == Thread.State.WAITING,
                "timer thread cleared the interrupt and parked again");
        CountDownLatch fired = new CountDownLatch(1);
        s.schedule(clock.nanoTime(), fired::countDown);
        assertThat(fired.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }

    /** close() from inside an action on the timer thread stops the service without waiting for itself. */
    @Test
    void thread_closeFromAction_stopsThread() throws Exception {
        TimerService s = track(new TimerService(clock, "timer-self-close", (t, e) -> uncaught.add(e)));
        s.start();
        Thread timer = s.thread();
        s.schedule(clock.nanoTime() + 1_000, () -> { });
        s.schedule(clock.nanoTime(), s::close);
        assertThat(timer.join(LONG)).isTrue();
        assertThat(s.pendingCount()).isZero();
    }

    /** close() stops a parked timer thread and drops its entries. */
    @Test
    void thread_close_stopsThreadAndDropsEntries() {
        TimerService s = track(new TimerService(clock, "timer-close", (t, e) -> uncaught.add(e)));
        s.start();
        Timeout t = s.schedule(clock.nanoTime() + TimeUnit.HOURS.toNanos(1), () -> uncaught.add(new AssertionError("fired")));
        awaitThreadState(s.thread(), Thread.State.TIMED_WAITING);
        s.close();
        assertThat(s.thread().isAlive()).isFalse();
        assertThat(t.isPending()).isFalse();
        assertThat(s.pendingCount()).isZero();
    }

    // ---- lazy deletion and scale ----

    /** 100,000 cancelled entries are purged, not kept; pendingCount is 0 and a new entry still fires. */
    @Test
    void purge_100kCancelled_heapShrinksAndNextEntryFires() {
        TimerService s = manual();
        long now = clock.nanoTime();
        List<Timeout> all = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            all.add(s.schedule(now + 1_000 + i, () -> uncaught.add(new AssertionError("cancelled entry fired"))));
        }
        assertThat(s.pendingCount()).isEqualTo(100_000);
        for (Timeout t : all) {
            assertThat(t.cancel()).isTrue();
        }
        assertThat(s.pendingCount()).isZero();
        assertThat(s.heapSize()).as("cancelled entries left in the heap").isLessThanOrEqualTo(TimerService.PURGE_MIN);
        s.assertInvariantsQuiescent();
        List<String> log = new ArrayList<>();
        s.schedule(now + 5, record(log, "survivor"));
        clock.advanceNanos(200_000);
        assertThat(s.fireDue()).isEqualTo(1);
        assertThat(log).containsExactly("survivor");
        assertThat(s.heapSize()).isZero();
    }

    /** Cancelled entries are purged even when they outlive the live entries that fired around them. */
    @Test
    void purge_cancelledMajorityAfterFiring_isPurged() {
        TimerService s = manual();
        long now = clock.nanoTime();
        List<Timeout> late = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            s.schedule(now + 1, () -> { });
            late.add(s.schedule(now + 1_000_000, () -> { }));
        }
        late.forEach(Timeout::cancel);   // half cancelled: no purge yet
        s.assertInvariantsQuiescent();
        clock.advanceNanos(1);
        assertThat(s.fireDue()).isEqualTo(1_000);
        assertThat(s.heapSize()).isLessThanOrEqualTo(TimerService.PURGE_MIN);
        s.assertInvariantsQuiescent();
    }

    /** One million entries armed and then cancelled in random order stay cheap (O(log n) / O(1) each). */
    @Test
    @org.junit.jupiter.api.Timeout(value = 60, unit = TimeUnit.SECONDS)
    void scale_millionArmedThenCancelledInRandomOrder_isFastAndLeavesNothing() {
        TimerService s = manual();
        long now = clock.nanoTime();
        Random rnd = new Random(42);
        List<Timeout> all = new ArrayList<>(1_000_000);
        Runnable never = () -> uncaught.add(new AssertionError("cancelled entry fired"));
        for (int i = 0; i < 1_000_000; i++) {
            all.add(s.schedule(now + 1 + rnd.nextInt(1_000_000_000), never));
        }
        assertThat(s.pendingCount()).isEqualTo(1_000_000);
        Collections.shuffle(all, rnd);
        for (Timeout t : all) {
            t.cancel();
        }
        assertThat(s.pendingCount()).isZero();
        assertThat(s.heapSize()).isLessThanOrEqualTo(TimerService.PURGE_MIN);
        clock.advance(Duration.ofSeconds(2));
        assertThat(s.fireDue()).isZero();
        s.assertInvariantsQuiescent();
    }

    // ---- helpers ----

    /** Polls (no sleeping) until {@code t} is in {@code state}, failing after {@link #LONG}. */
    private static void awaitThreadState(Thread t, Thread.State state) {
        awaitCondition(() -> t.getState() == state, t + " in state " + state);
    }

    /** Polls (no sleeping) until {@code condition} holds, failing after {@link #LONG}. */
    private static void awaitCondition(BooleanSupplier condition, String what) {
        Clock sys = Clock.system();
        long deadline = Clock.deadlineAfter(sys.nanoTime(), LONG.toNanos());
        while (!condition.getAsBoolean()) {
            if (deadline - sys.nanoTime() <= 0) {
                throw new AssertionError("not reached within " + LONG + ": " + what);
            }
            Thread.yield();
        }
    }
}
