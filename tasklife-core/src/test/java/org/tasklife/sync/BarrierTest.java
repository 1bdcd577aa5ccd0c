package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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
class BarrierTest {

    /** A task that arrives once at {@code b} (timed: up to an hour) and returns its arrival index or its throwable. */
    private static Attempt party(TaskGroup g, String name, Barrier b, boolean timed) {
        return attempt(g, name, () -> timed ? b.await(1, TimeUnit.HOURS) : b.await());
    }

    /** {@link #party} that is known to wait at {@code b} when this returns. */
    private static Attempt waitingParty(TaskGroup g, String name, Barrier b, boolean timed) {
        int before = b.numberWaiting();
        Attempt a = party(g, name, b, timed);
        Await.state(a.task(), TaskState.BLOCKED);
        Await.until(name + " arrived", () -> b.numberWaiting() == before + 1, () -> b.toString());
        return a;
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

    private static void assertBroken(Object result, String why) {
        assertThat(result).isInstanceOf(BrokenBarrierException.class);
        assertThat(((Throwable) result).getMessage()).contains("barrier@").contains("round is broken").contains(why);
    }

    // ---- basic semantics ----

    /** SPEC §9: parties are released together when the last arrives; indices count down from parties-1 to 0 in arrival order. */
    @Test
    void await_allPartiesArrive_indicesCountDownInArrivalOrder(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Barrier b = new Barrier(4);
        assertThat(b.parties()).isEqualTo(4);
        List<Attempt> as = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            as.add(waitingParty(g, "p" + i, b, i == 1));
        }
        assertThat(b.numberWaiting()).isEqualTo(3);
        assertThat(b.await()).as("the last arrival is the serial party").isZero();
        assertThat(as.get(0).get()).isEqualTo(3);
        assertThat(as.get(1).get()).isEqualTo(2);
        assertThat(as.get(2).get()).isEqualTo(1);
        assertThat(b.numberWaiting()).isZero();
        assertThat(b.isBroken()).isFalse();
        killAndReap(g);
    }

    /** SPEC §9: over many rounds, each round has exactly one serial party (index 0) and every index once. */
    @Test
    void await_severalRounds_exactlyOneSerialPartyPerRound(Kernel kernel) throws Exception {
        final int parties = 4;
        final int rounds = 50;
        TaskGroup g = idleGroup(kernel, "home");
        Barrier b = new Barrier(parties);
        int[][] index = new int[rounds][parties];
        List<Task<?>> ts = new ArrayList<>();
        for (int p = 0; p < parties; p++) {
            int me = p;
            ts.add(g.spawnTask("party" + p, () -> {
                for (int r = 0; r < rounds; r++) {
                    index[r][me] = me % 2 == 0 ? b.await() : b.await(1, TimeUnit.HOURS);
                }
                return null;
            }));
        }
        for (Task<?> t : ts) {
            assertThat(get(t.onExit())).isEqualTo(new ExitStatus.Exited(0));
        }
        for (int r = 0; r < rounds; r++) {
            assertThat(index[r]).as("round %d", r).containsExactlyInAnyOrder(0, 1, 2, 3);
        }
        assertThat(b.isBroken()).isFalse();
        assertThat(b.numberWaiting()).isZero();
        killAndReap(g);
    }

    /** SPEC §9: the action runs once per round, in the serial party, before any party of the round is released. */
    @Test
    void await_withAction_runsOncePerRoundBeforeRelease(Kernel kernel) throws Exception {
        final int parties = 3;
        final int rounds = 20;
        TaskGroup g = idleGroup(kernel, "home");
        AtomicInteger actions = new AtomicInteger();
        List<Thread> actionThreads = new CopyOnWriteArrayList<>();
        Barrier b = new Barrier(parties, () -> {
            actions.incrementAndGet();
            actionThreads.add(Thread.currentThread());
        });
        List<String> violations = new CopyOnWriteArrayList<>();
        List<Task<?>> ts = new ArrayList<>();
        for (int p = 0; p < parties; p++) {
            ts.add(g.spawnTask("party" + p, () -> {
                for (int r = 0; r < rounds; r++) {
                    int i = b.await();
                    if (actions.get() < r + 1) {
                        violations.add("round " + r + ": released before the action ran");
                    }
                    if (i == 0 && actionThreads.get(r) != Thread.currentThread()) {
                        violations.add("round " + r + ": the action ran outside the serial party");
                    }
                }
                return null;
            }));
        }
        for (Task<?> t : ts) {
            assertThat(get(t.onExit())).isEqualTo(new ExitStatus.Exited(0));
        }
        assertThat(violations).isEmpty();
        assertThat(actions.get()).isEqualTo(rounds);
        killAndReap(g);
    }

    /** SPEC §9: a barrier of one party trips on every await, running the action each time. */
    @Test
    void await_oneParty_tripsAtOnce() {
        AtomicInteger actions = new AtomicInteger();
        Barrier b = new Barrier(1, actions::incrementAndGet);
        assertThat(b.await()).isZero();
        assertThat(b.await(0, TimeUnit.SECONDS)).isZero();
        assertThat(actions.get()).isEqualTo(2);
        assertThat(b.isBroken()).isFalse();
    }

    /** SPEC §9: host threads (outside any task) take part in rounds like tasks. */
    @Test
    void await_hostThreads_workWithoutTasks() throws Exception {
        final int rounds = 10;
        Barrier b = new Barrier(3);
        List<CompletableFuture<Object>> others = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int me = t;
            others.add(onHostThread("host-party" + t, () -> {
                List<Integer> seen = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    seen.add(me == 0 ? b.await() : b.await(1, TimeUnit.HOURS));
                }
                return seen;
            }));
        }
        List<Integer> mine = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            mine.add(b.await());
        }
        List<?> a = (List<?>) get(others.get(0));
        List<?> c = (List<?>) get(others.get(1));
        for (int r = 0; r < rounds; r++) {
            assertThat(List.of(mine.get(r), a.get(r), c.get(r))).as("round %d", r).containsExactlyInAnyOrder(0, 1, 2);
        }
        assertThat(b.isBroken()).isFalse();
    }

    /** SPEC §11: a blocked party shows the barrier and how many of its parties have arrived. */
    @Test
    void await_blocked_showsWaitChannel(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Barrier b = new Barrier(3);
        String name = "barrier@" + Integer.toHexString(System.identityHashCode(b));
        Attempt a = waitingParty(g, "a", b, false);
        assertThat(kernel.snapshot().renderTable()).contains(name + " (1 of 3 arrived)");
        Attempt c = waitingParty(g, "c", b, true);
        assertThat(kernel.snapshot().renderTable()).contains(name + " (2 of 3 arrived)");
        assertThat(b.toString()).isEqualTo(name + "[parties=3, waiting=2]");
        assertThat(b.await()).isZero();
        assertThat(a.get()).isEqualTo(2);
        assertThat(c.get()).isEqualTo(1);
        killAndReap(g);
    }

    // ---- errors ----

    /** SPEC §9, §12: a barrier of fewer than one party is refused, naming the argument and the rule. */
    @Test
    void constructor_partiesBelowOne_throwsIllegalArgument() {
        assertThatThrownBy(() -> new Barrier(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parties = 0").hasMessageContaining("at least 1 party");
        assertThatThrownBy(() -> new Barrier(-3, () -> {})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parties = -3");
    }

    /** SPEC §12: a null unit is refused before arriving. */
    @Test
    void awaitTimed_nullUnit_throwsNullPointerWithoutArriving() {
        Barrier b = new Barrier(2);
        assertThatThrownBy(() -> b.await(1, null)).isInstanceOf(NullPointerException.class);
        assertThat(b.numberWaiting()).isZero();
        assertThat(b.isBroken()).isFalse();
    }

    // ---- timeouts ----

    /** SPEC T1, STYLE G12: a timed await that times out returns TIMED_OUT and breaks the round for the others. */
    @Test
    void awaitTimed_timeout_returnsTimedOutBreaksRound(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Barrier b = new Barrier(3);
        Attempt a = waitingParty(g, "a", b, false);
        assertThat(b.await(20, TimeUnit.MILLISECONDS)).isEqualTo(Barrier.TIMED_OUT);
        assertBroken(a.get(), "host thread '" + Thread.currentThread().getName() + "' timed out");
        assertThat(b.isBroken()).isTrue();
        assertThat(b.numberWaiting()).isZero();
        killAndReap(g);
    }

    /** SPEC T1: an arrival that completes the round succeeds even with a zero or negative timeout. */
    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void awaitTimed_completesRoundWithPastDeadline_succeeds(long timeout, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Barrier b = new Barrier(2);
        Attempt a = waitingParty(g, "a", b, false);
        assertThat(b.await(timeout, TimeUnit.SECONDS)).isZero();
        assertThat(a.get()).isEqualTo(1);
        assertThat(b.isBroken()).isFalse();
        killAndReap(g);
    }

    /** SPEC T1: an arrival with a zero timeout that does not complete the round breaks it at once and returns TIMED_OUT. */
    @Test
    void awaitTimed_zeroTimeoutNotLast_breaksAtOnce() {
        Barrier b = new Barrier(2);
        assertThat(b.await(0, TimeUnit.SECONDS)).isEqualTo(Barrier.TIMED_OUT);
        assertThat(b.isBroken()).isTrue();
        assertThatThrownBy(b::await).isInstanceOf(BrokenBarrierException.class).hasMessageContaining("timed out");
        b.reset();
        assertThat(b.isBroken()).isFalse();
    }

    // ---- breaking, reset ----

    /** SPEC §9: if the action throws, the others get BrokenBarrierException and the throwable propagates from the last arriver. */
    @Test
    void await_actionThrows_breaksRoundAndPropagates(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        IllegalStateException boom = new IllegalStateException("boom");
        Barrier b = new Barrier(3, () -> {
            throw boom;
        });
        Attempt a = waitingParty(g, "a", b, false);
        Attempt c = waitingParty(g, "c", b, true);
        assertThatThrownBy(b::await).isSameAs(boom);
        for (Attempt x : List.of(a, c)) {
            assertBroken(x.get(), "the barrier action threw");
            assertThat(((Throwable) x.get()).getCause()).isSameAs(boom);
        }
        assertThat(b.isBroken()).isTrue();
        killAndReap(g);
    }

    /** SPEC §9: a broken barrier stays broken, every await throws at once, until reset() makes it usable again. */
    @Test
    void await_brokenUntilReset_throwsAtOnceThenUsable(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Barrier b = new Barrier(2);
        assertThat(b.await(0, TimeUnit.SECONDS)).isEqualTo(Barrier.TIMED_OUT);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(b::await).isInstanceOf(BrokenBarrierException.class);
            assertThatThrownBy(() -> b.await(1, TimeUnit.HOURS)).isInstanceOf(BrokenBarrierException.class);
        }
        Attempt late = party(g, "late", b, false);
        assertThat(late.get()).isInstanceOf(BrokenBarrierException.class);
        assertThat(b.numberWaiting()).isZero();
        b.reset();
        assertThat(b.isBroken()).isFalse();
        Attempt a = waitingParty(g, "a", b, false);
        assertThat(b.await()).isZero();
        assertThat(a.get()).isEqualTo(1);
        killAndReap(g);
    }

    /** SPEC §9: reset() breaks the waiting parties (BrokenBarrierException naming reset) and starts a fresh round. */
    @Test
    void reset_partiesWaiting_breaksThemAndStartsFreshRound(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Barrier b = new Barrier(3);
        Attempt a = waitingParty(g, "a", b, false);
        Attempt c = waitingParty(g, "c", b, true);
        b.reset();
        assertBroken(a.get(), "reset() by host thread");
        assertBroken(c.get(), "reset()");
        assertThat(b.isBroken()).isFalse();
        assertThat(b.numberWaiting()).isZero();
        Attempt d = waitingParty(g, "d", b, false);
        Attempt e = waitingParty(g, "e", b, true);
        assertThat(b.await()).isZero();
        assertThat(d.get()).isEqualTo(2);
        assertThat(e.get()).isEqualTo(1);
        killAndReap(g);
    }

    // ---- kill ----

    /** SPEC K2: a party killed while waiting throws TaskKilledError; the others get BrokenBarrierException naming it. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void await_partyKilledWhileWaiting_breaksRoundForOthers(boolean timed, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Barrier b = new Barrier(4);
        Attempt victim = waitingParty(g, "victim", b, timed);
        Attempt a = waitingParty(g, "a", b, !timed);
        Attempt c = waitingParty(g, "c", b, timed);
        assertThat(victim.task().kill()).isTrue();
        assertThat(victim.get()).isInstanceOf(TaskKilledError.class);
        assertThat(get(victim.task().onExit())).isEqualTo(ExitStatus.KILLED);
        assertBroken(a.get(), "task " + victim.task().id() + " was killed");
        assertBroken(c.get(), "task " + victim.task().id() + " was killed");
        assertThat(b.isBroken()).isTrue();
        assertThat(b.numberWaiting()).isZero();
        assertThatThrownBy(b::await).isInstanceOf(BrokenBarrierException.class)
                .hasMessageContaining("task " + victim.task().id() + " was killed");
        b.reset();
        Attempt d = waitingParty(g, "d", b, false);
        Attempt e = waitingParty(g, "e", b, false);
        Attempt f = waitingParty(g, "f", b, false);
        assertThat(b.await()).isZero();
        assertThat(List.of(d.get(), e.get(), f.get())).containsExactly(3, 2, 1);
        killAndReap(g);
    }

    /** SPEC K5: a killed task calling await throws TaskKilledError at once without arriving or breaking the round. */
    @Test
    void await_callerAlreadyKilled_throwsWithoutArriving(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Barrier b = new Barrier(2);
        AtomicReference<String> seen = new AtomicReference<>();
        Task<?> t = g.spawnTask("unwinding", () -> {
            try {
                Tasks.sleep(Duration.ofHours(1));
            } catch (TaskKilledError swallowed) {
                StringBuilder s = new StringBuilder();
                try {
                    int i = b.await();
                    s.append("returned ").append(i);
                } catch (TaskKilledError again) {
                    s.append("await threw");
                }
                try {
                    int i = b.await(0, TimeUnit.SECONDS);
                    s.append(", returned ").append(i);
                } catch (TaskKilledError again) {
                    s.append(", timed await threw");
                }
                seen.set(s.toString());
                throw swallowed;
            }
            return null;
        });
        Await.state(t, TaskState.BLOCKED);
        t.kill();
        assertThat(get(t.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(seen.get()).isEqualTo("await threw, timed await threw");
        assertThat(b.numberWaiting()).isZero();
        assertThat(b.isBroken()).isFalse();
        killAndReap(g);
    }

    /** SPEC K3: a kill racing the entry into await is never lost: the task ends, nobody stays waiting (300 rounds). */
    @Test
    void await_killRacingEntry_neverStaysParked(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Barrier b = new Barrier(2);
        for (int i = 0; i < 300; i++) {
            CountDownLatch started = new CountDownLatch(1);
            boolean timed = i % 2 == 0;
            Attempt a = attempt(g, "racer" + i, () -> {
                started.countDown();
                return timed ? b.await(1, TimeUnit.HOURS) : b.await(); // the kill lands before, during or after arriving
            });
            Fixtures.await(started);
            a.task().kill();
            assertThat(get(a.task().onExit())).as("round %d", i).isEqualTo(ExitStatus.KILLED);
            assertThat(a.get()).as("round %d", i).isInstanceOf(TaskKilledError.class);
            assertThat(b.numberWaiting()).as("round %d", i).isZero();
            b.reset(); // broken if the kill found it waiting; untouched if it never arrived
        }
        assertThat(b.isBroken()).isFalse();
        killAndReap(g);
    }

    /**
     * SPEC K2, §9: a kill racing the last arrival is all-or-nothing: either every party returns its index (the
     * kill came after the release) or the killed party throws TaskKilledError and every other party throws
     * BrokenBarrierException (200 rounds).
     */
    @Test
    void await_killRacingLastArrival_allOrNothing(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        for (int round = 0; round < 200; round++) {
            Barrier b = new Barrier(3);
            Attempt victim = waitingParty(g, "victim" + round, b, round % 2 == 0);
            Attempt other = waitingParty(g, "other" + round, b, round % 3 == 0);
            Thread killer = Thread.ofPlatform().start(() -> victim.task().kill());
            Object mine;
            try {
                mine = b.await();
            } catch (BrokenBarrierException e) {
                mine = e;
            }
            killer.join(Await.LONG.toMillis());
            assertThat(killer.isAlive()).isFalse();
            Object v = victim.get();
            Object o = other.get();
            if (v instanceof TaskKilledError) {
                assertThat(get(victim.task().onExit())).isEqualTo(ExitStatus.KILLED);
                assertThat(mine).as("round %d: host", round).isInstanceOf(BrokenBarrierException.class);
                assertThat(o).as("round %d: other", round).isInstanceOf(BrokenBarrierException.class);
                assertThat(b.isBroken()).isTrue();
            } else {
                assertThat(List.of(v, o, mine)).as("round %d", round).containsExactly(2, 1, 0);
                assertThat(b.isBroken()).isFalse();
                get(victim.task().onExit()); // Killed, or Exited if its body ended before the kill landed
            }
        }
        killAndReap(g);
    }

    /** SPEC K2, §9: a party killed while the action runs breaks the round although the action ran; the last arriver throws. */
    @Test
    void await_partyKilledDuringAction_breaksRoundLastArriverThrows(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        AtomicReference<Attempt> victim = new AtomicReference<>();
        AtomicInteger actions = new AtomicInteger();
        Barrier b = new Barrier(2, () -> {
            actions.incrementAndGet();
            Task<?> t = victim.get().task();
            t.kill();
            Await.state(t, TaskState.TERMINATED); // its wait ended by the kill before the release
        });
        victim.set(waitingParty(g, "victim", b, false));
        assertThatThrownBy(b::await).isInstanceOf(BrokenBarrierException.class)
                .hasMessageContaining("task " + victim.get().task().id() + " was killed");
        assertThat(victim.get().get()).isInstanceOf(TaskKilledError.class);
        assertThat(actions.get()).isEqualTo(1);
        assertThat(b.isBroken()).isTrue();
        killAndReap(g);
    }

    /**
     * SPEC §9: a party arriving while the action runs belongs to the next round; if the action then throws,
     * that next round breaks too (the barrier stays broken), otherwise it proceeds normally.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void await_arrivalDuringAction_joinsNextRound(boolean actionThrows, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        AtomicReference<Barrier> barrier = new AtomicReference<>();
        AtomicReference<Attempt> early = new AtomicReference<>();
        AtomicInteger actions = new AtomicInteger();
        IllegalStateException boom = new IllegalStateException("boom");
        Barrier b = new Barrier(2, () -> {
            if (actions.incrementAndGet() == 1) {
                early.set(waitingParty(g, "early", barrier.get(), false));
                if (actionThrows) {
                    throw boom;
                }
            }
        });
        barrier.set(b);
        Attempt first = waitingParty(g, "first", b, false);
        if (actionThrows) {
            assertThatThrownBy(b::await).isSameAs(boom);
            assertBroken(first.get(), "the barrier action threw");
            assertBroken(early.get().get(), "an earlier round broke: the barrier action threw");
            assertThat(b.isBroken()).isTrue();
        } else {
            assertThat(b.await()).isZero();
            assertThat(first.get()).isEqualTo(1);
            assertThat(b.numberWaiting()).as("early waits in the next round").isEqualTo(1);
            assertThat(early.get().task().state()).isEqualTo(TaskState.BLOCKED);
            assertThat(b.await()).isZero();
            assertThat(early.get().get()).isEqualTo(1);
            assertThat(actions.get()).isEqualTo(2);
        }
        killAndReap(g);
    }
}
