package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.testkit.Fixtures.*;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * The graceful stop ladder (docs/contract.md, K12, K13): ask first ({@code terminate},
 * {@code Tasks.terminationRequested()}, handlers started as tasks of the group), kill what is left when the
 * grace runs out ({@code Killed(GRACE_EXPIRED)}). The kernel audit after each test also checks that no grace
 * timer is left armed.
 */
@ExtendWith(KernelExtension.class)
class TerminateTest {

    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration SHORT = Duration.ofMillis(50);
    private static final ExitStatus GRACE_EXPIRED = ExitStatus.killed(KillReason.GRACE_EXPIRED);

    /** A main that registers a handler waking it, says it is ready, and returns {@code code} once asked to end. */
    private static GroupMain polite(CountDownLatch ready, int code) {
        return () -> {
            Semaphore asked = new Semaphore(0);
            Tasks.onTerminate(asked::release);
            ready.countDown();
            asked.acquire();
            return code;
        };
    }

    /** A main that says it is ready and then ignores every request, sleeping until killed. */
    private static GroupMain deaf(CountDownLatch ready) {
        return () -> {
            ready.countDown();
            return Fixtures.sleepForever();
        };
    }

    // ---- a group: the clean path ----

    /** A group whose tasks end within the grace ends with the status they give (Exited(3)); the grace's timer goes. */
    @Test
    void terminate_tasksEndWithinGrace_groupEndsWithTheirStatus(Kernel kernel) throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("polite", polite(ready, 3));
        await(ready);

        assertThat(g.terminate(HOUR)).isTrue();

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(3));
        KernelExtension.audit(kernel); // the hour-long grace's timer was cancelled by the group's end
    }

    /** {@code Tasks.terminationRequested()} is false until the group is asked to end, then true for every task. */
    @Test
    void terminationRequested_falseBeforeTrueAfter_forEveryTaskOfTheGroup(Kernel kernel) throws Exception {
        CompletableFuture<List<Boolean>> seen = new CompletableFuture<>();
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("poller", () -> {
            boolean before = Tasks.terminationRequested();
            Task<Boolean> worker = Tasks.spawnTask("worker", () -> {
                while (!Tasks.terminationRequested()) {
                    Tasks.sleep(Duration.ofMillis(5)); // polls, as a loop that ends cleanly does
                }
                return true;
            });
            ready.countDown();
            boolean workerSaw = worker.join();
            seen.complete(List.of(before, workerSaw, Tasks.terminationRequested()));
            return 0;
        });
        await(ready);

        assertThat(g.terminate(HOUR)).isTrue();

        assertThat(get(seen)).containsExactly(false, true, true);
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
    }

    /** A handler runs once, as a new task of the group (its authority, its domain), not on the caller's thread. */
    @Test
    void onTerminate_handlerRunsOnceAsNewTaskOfTheGroup(Kernel kernel) throws Exception {
        Domain tenant = kernel.createDomain("tenant");
        CompletableFuture<List<Object>> where = new CompletableFuture<>();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup g = tenant.spawnGroup("served", () -> {
            long mainId = Tasks.current().id();
            Semaphore asked = new Semaphore(0);
            Tasks.onTerminate(() -> {
                runs.incrementAndGet();
                where.complete(List.of(Tasks.current().id() != mainId, Tasks.currentGroup().id(),
                        Tasks.currentDomain().id()));
                asked.release();
            });
            ready.countDown();
            asked.acquire();
            return 0;
        });
        await(ready);

        assertThat(g.terminate(HOUR)).isTrue();

        assertThat(get(where)).containsExactly(true, g.id(), tenant.id());
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        assertThat(runs).hasValue(1);
        tenant.stop(0);
        assertThat(tenant.awaitStopped(Await.LONG)).isTrue();
    }

    /** A handler registered after the request starts at once. */
    @Test
    void onTerminate_afterTheRequest_startsAtOnce(Kernel kernel) throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("late", () -> {
            ready.countDown();
            while (!Tasks.terminationRequested()) {
                Tasks.sleep(Duration.ofMillis(5));
            }
            Semaphore ran = new Semaphore(0);
            Tasks.onTerminate(ran::release);
            ran.acquire();
            return 5;
        });
        await(ready);

        assertThat(g.terminate(HOUR)).isTrue();

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(5));
    }

    /** A cancelled handler never runs: cancel is true once, then false; a started handler cannot be cancelled. */
    @Test
    void onTerminate_cancelled_neverRuns(Kernel kernel) throws Exception {
        AtomicInteger cancelledRuns = new AtomicInteger();
        CompletableFuture<List<Boolean>> cancels = new CompletableFuture<>();
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("cancels", () -> {
            TerminationHandler dropped = Tasks.onTerminate(cancelledRuns::incrementAndGet);
            boolean first = dropped.cancel();
            boolean second = dropped.cancel();
            Semaphore asked = new Semaphore(0);
            TerminationHandler kept = Tasks.onTerminate(asked::release);
            ready.countDown();
            asked.acquire();
            cancels.complete(List.of(first, second, kept.cancel()));
            return 0;
        });
        await(ready);

        assertThat(g.terminate(HOUR)).isTrue();

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        assertThat(get(cancels)).containsExactly(true, false, false);
        assertThat(cancelledRuns).hasValue(0);
    }

    // ---- a group: the grace runs out ----

    /** Tasks that ignore the request are killed when the grace runs out: the group and each task end Killed(GRACE_EXPIRED). */
    @Test
    void terminate_graceRunsOut_remainingKilledWithGraceExpired(Kernel kernel) throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("deaf", deaf(ready));
        await(ready);
        Task<?> worker = g.spawnTask("worker", () -> {
            Tasks.sleep(HOUR);
            return null;
        });

        assertThat(g.terminate(SHORT)).isTrue();

        assertThat(ended(worker)).isEqualTo(GRACE_EXPIRED);
        assertThat(ended(mainOf(kernel, g))).isEqualTo(GRACE_EXPIRED);
        assertThat(g.reap()).isEqualTo(GRACE_EXPIRED);
    }

    /**
     * A handler that does not finish within the grace is killed with the rest: handlers are killable tasks.
     * Deterministic mode, every wait untimed: only the grace's timer can move virtual time, so the handler has
     * surely started (and blocked) when the grace runs out, however slow the machine.
     */
    @Test
    void terminate_handlerOutlivesGrace_killedWithTheRest() throws Exception {
        try (Kernel k = Kernel.builder().name("ladder").jmx(false).deterministic(6).boot()) {
            CompletableFuture<Task<?>> handler = new CompletableFuture<>();
            CountDownLatch ready = new CountDownLatch(1);
            TaskGroup g = k.spawnGroup("slow-handler", () -> {
                Tasks.onTerminate(() -> {
                    handler.complete(Tasks.current());
                    new Semaphore(0).acquire(); // never released
                });
                ready.countDown();
                new Semaphore(0).acquire();
                return 0;
            });
            await(ready);

            assertThat(g.terminate(HOUR)).isTrue();

            assertThat(ended(get(handler))).isEqualTo(GRACE_EXPIRED);
            assertThat(g.reap()).isEqualTo(GRACE_EXPIRED);
            KernelExtension.audit(k);
        }
    }

    /** In deterministic mode the grace runs on virtual time: an hour's grace passes at once once every task blocks. */
    @Test
    void terminate_deterministic_graceOnVirtualTime() throws Exception {
        try (Kernel k = Kernel.builder().name("ladder").jmx(false).deterministic(5).boot()) {
            long realStart = System.nanoTime();
            TaskGroup g = k.spawnGroup("self-terminating", () -> {
                Tasks.spawnTask("deaf-worker", () -> {
                    Tasks.sleep(Duration.ofDays(1));
                    return null;
                });
                Tasks.currentGroup().terminate(HOUR);
                Tasks.sleep(Duration.ofDays(1));
                return 0;
            });

            assertThat(g.reap()).isEqualTo(GRACE_EXPIRED);
            assertThat(Duration.ofNanos(System.nanoTime() - realStart)).isLessThan(Await.LONG);
            KernelExtension.audit(k);
        }
    }

    /** A zero grace starts the handlers and kills at once: Killed(GRACE_EXPIRED). */
    @Test
    void terminate_zeroGrace_killsAtOnce(Kernel kernel) throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("deaf", deaf(ready));
        await(ready);

        assertThat(g.terminate(Duration.ZERO)).isTrue();

        assertThat(g.reap()).isEqualTo(GRACE_EXPIRED);
    }

    // ---- a group: idempotence, races, bad input ----

    /** A second terminate returns false and changes nothing; the first grace stays in force. */
    @Test
    void terminate_twice_trueThenFalse(Kernel kernel) throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("deaf", deaf(ready));
        await(ready);

        assertThat(g.terminate(SHORT)).isTrue();
        assertThat(g.terminate(Duration.ZERO)).isFalse();

        assertThat(g.reap()).isEqualTo(GRACE_EXPIRED);
    }

    /** Terminate then kill: the kill takes effect at once and its status wins (Killed); no grace timer is left. */
    @Test
    void terminateThenKill_killWins_noTimerLeft(Kernel kernel) throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("deaf", deaf(ready));
        await(ready);

        assertThat(g.terminate(HOUR)).isTrue();
        assertThat(g.kill()).isTrue();

        assertThat(g.reap()).isEqualTo(ExitStatus.KILLED);
        KernelExtension.audit(kernel);
    }

    /** Kill then terminate, and terminate of an ended group: false, nothing requested. */
    @Test
    void terminate_killedOrEndedGroup_false(Kernel kernel) throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup killed = kernel.spawnGroup("deaf", deaf(ready));
        await(ready);
        assertThat(killed.kill()).isTrue();
        assertThat(killed.terminate(HOUR)).isFalse();
        assertThat(killed.reap()).isEqualTo(ExitStatus.KILLED);

        TaskGroup done = kernel.spawnGroup("done", () -> 0);
        assertThat(ended(done)).isEqualTo(ExitStatus.exited(0));
        assertThat(done.terminate(HOUR)).isFalse();
        assertThat(done.reap()).isEqualTo(ExitStatus.exited(0));
        KernelExtension.audit(kernel);
    }

    /** A null or negative grace is refused, naming it; nothing is requested (the group's tasks see no request). */
    @Test
    void terminate_nullOrNegativeGrace_illegalArgumentNothingRequested(Kernel kernel) throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("polite", polite(ready, 0));
        await(ready);

        for (Duration bad : new Duration[] {null, Duration.ofNanos(-1)}) {
            assertThatThrownBy(() -> g.terminate(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("grace must be zero or positive").hasMessageContaining("" + bad);
        }
        assertThat(attempt(g, "probe", Tasks::terminationRequested).get()).isEqualTo(false);
        assertThat(kernel.pendingTimerCount()).as("no grace timer armed").isZero();

        assertThat(g.terminate(HOUR)).as("nothing was recorded").isTrue();
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
    }

    /** A task may terminate only groups of its own domain and below (SPEC D5). */
    @Test
    void terminate_fromAnotherDomain_domainAccessException(Kernel kernel) throws Exception {
        Domain a = kernel.createDomain("a");
        Domain b = kernel.createDomain("b");
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup victim = b.spawnGroup("victim", deaf(ready));
        await(ready);
        TaskGroup home = a.spawnGroup("home", Fixtures::sleepForever);

        Object r = attempt(home, "intruder", () -> victim.terminate(Duration.ZERO)).get();

        assertThat(r).isInstanceOf(DomainAccessException.class);
        assertThat(attempt(victim, "probe", Tasks::terminationRequested).get()).isEqualTo(false);
        a.stop(0);
        b.stop(0);
        assertThat(a.awaitStopped(Await.LONG)).isTrue();
        assertThat(b.awaitStopped(Await.LONG)).isTrue();
    }

    // ---- a domain ----

    /**
     * A graceful domain stop whose groups all end within the grace: the domain stops with the status given, each
     * group with its own; tasks of a domain below see the request too.
     */
    @Test
    void domainStopGraceful_groupsEndInTime_domainStatusGivenGroupsTheirOwn(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("tenant");
        Domain below = d.createDomain(DomainOptions.named("below"));
        CountDownLatch ready = new CountDownLatch(3);
        TaskGroup one = d.spawnGroup("one", polite(ready, 0));
        TaskGroup two = d.spawnGroup("two", polite(ready, 2));
        TaskGroup deep = below.spawnGroup("deep", polite(ready, 0));
        await(ready);

        assertThat(d.stop(ExitStatus.exited(7), HOUR)).isTrue();

        assertThat(get(d.onStopped())).isEqualTo(ExitStatus.exited(7));
        assertThat(ended(one)).isEqualTo(ExitStatus.exited(0));
        assertThat(ended(two)).isEqualTo(ExitStatus.exited(2));
        assertThat(ended(deep)).isEqualTo(ExitStatus.exited(0));
        assertThat(d.state()).isEqualTo(DomainState.STOPPED);
        KernelExtension.audit(kernel); // the hour-long grace's timer was cancelled by the stop
    }

    /**
     * When the grace runs out, what is left is killed (Killed(GRACE_EXPIRED)) and the domain stops with the status
     * given; a group that ended in time keeps its own status. Deterministic mode with untimed waits, as above: the
     * polite group surely answers before the grace's timer can fire.
     */
    @Test
    void domainStopGraceful_graceRunsOut_leftKilledGraceExpired() throws Exception {
        try (Kernel k = Kernel.builder().name("ladder").jmx(false).deterministic(7).boot()) {
            Domain d = k.createDomain("tenant");
            CountDownLatch ready = new CountDownLatch(2);
            TaskGroup polite = d.spawnGroup("polite", polite(ready, 0));
            TaskGroup deaf = d.spawnGroup("deaf", () -> {
                ready.countDown();
                new Semaphore(0).acquire(); // ignores the request; no timer of its own
                return 0;
            });
            await(ready);

            assertThat(d.stop(ExitStatus.exited(1), HOUR)).isTrue();

            assertThat(get(d.onStopped())).isEqualTo(ExitStatus.exited(1));
            assertThat(ended(polite)).isEqualTo(ExitStatus.exited(0));
            assertThat(ended(deaf)).isEqualTo(GRACE_EXPIRED);
            assertThat(ended(mainOf(k, deaf))).isEqualTo(GRACE_EXPIRED);
            d.free();
            KernelExtension.audit(k);
        }
    }

    /** A domain with no live task stops at once, with the status given. */
    @Test
    void domainStopGraceful_emptyDomain_stopsAtOnce(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("empty");

        assertThat(d.stop(ExitStatus.exited(4), HOUR)).isTrue();

        assertThat(get(d.onStopped())).isEqualTo(ExitStatus.exited(4));
        KernelExtension.audit(kernel);
    }

    /** A plain stop during the grace kills at once and its status is the one recorded; the grace's timer goes. */
    @Test
    void domainStopGraceful_thenPlainStop_killsAtOncePlainStatusWins(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("tenant");
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup deaf = d.spawnGroup("deaf", deaf(ready));
        await(ready);

        assertThat(d.stop(ExitStatus.exited(1), HOUR)).isTrue();
        assertThat(d.stop(ExitStatus.exited(9))).isTrue();

        assertThat(get(d.onStopped())).isEqualTo(ExitStatus.exited(9));
        assertThat(ended(deaf)).isEqualTo(ExitStatus.KILLED);
        KernelExtension.audit(kernel);
    }

    /** A group spawned into the domain during the grace sees the request, and its handlers start at registration. */
    @Test
    void domainStopGraceful_groupSpawnedDuringGrace_seesTheRequest(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("tenant");
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup first = d.spawnGroup("deaf", deaf(ready));
        await(ready);
        assertThat(d.stop(ExitStatus.exited(0), HOUR)).isTrue();

        CountDownLatch lateReady = new CountDownLatch(1);
        TaskGroup late = d.spawnGroup("late", polite(lateReady, 6));

        assertThat(ended(late)).isEqualTo(ExitStatus.exited(6));
        assertThat(first.kill()).isTrue();
        assertThat(get(d.onStopped())).isEqualTo(ExitStatus.exited(0));
    }

    /** A second graceful stop returns false; a null or negative grace, a null status, the root domain are refused. */
    @Test
    void domainStopGraceful_badInputAndTwice_refusedNothingChanged(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("tenant");
        CountDownLatch ready = new CountDownLatch(1);
        TaskGroup g = d.spawnGroup("polite", polite(ready, 0));
        await(ready);

        for (Duration bad : new Duration[] {null, Duration.ofSeconds(-1)}) {
            assertThatThrownBy(() -> d.stop(ExitStatus.exited(0), bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("grace must be zero or positive");
        }
        assertThatThrownBy(() -> d.stop(null, HOUR)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("status");
        assertThatThrownBy(() -> kernel.rootDomain().stop(ExitStatus.exited(0), HOUR))
                .isInstanceOf(TaskLifeException.class)
                .satisfies(e -> assertThat(((TaskLifeException) e).reason())
                        .isEqualTo(TaskLifeException.Reason.NOT_PERMITTED));
        assertThat(d.state()).isEqualTo(DomainState.RUNNING);
        assertThat(attempt(g, "probe", Tasks::terminationRequested).get()).isEqualTo(false);

        assertThat(d.stop(ExitStatus.exited(3), HOUR)).isTrue();
        assertThat(d.stop(ExitStatus.exited(4), Duration.ZERO)).isFalse();

        assertThat(get(d.onStopped())).isEqualTo(ExitStatus.exited(3));
        assertThat(ended(g)).isEqualTo(ExitStatus.exited(0));
        assertThat(d.stop(ExitStatus.exited(5), HOUR)).as("stopped already").isFalse();
    }
}
