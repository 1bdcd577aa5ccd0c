package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.await;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.LogCapture;
import org.tasklife.testkit.Fixtures;

/**
 * SPEC K4, K7, O3 and the kill hooks of docs/contract.md K15: {@code Tasks.onKill} and {@code Tasks.blocking}
 * run an action once when the task is killed while it is registered, off the killer's thread, and never
 * otherwise.
 */
@ExtendWith(KernelExtension.class)
class KillHookTest {
    private static final int ROUNDS = 1_000 * Integer.getInteger("tasklife.stressMultiplier", 1);

    private final CountDownLatch release = new CountDownLatch(1); // lets blocked hooks go at the end
    private final LogCapture log = LogCapture.open("org.tasklife");

    @AfterEach
    void releaseHooks() {
        release.countDown();
        log.close();
    }

    /** A task of {@code g} that registers {@code action} as its kill hook, then sleeps until killed. */
    private static Attempt hookedSleeper(TaskGroup g, AutoCloseable action, AtomicReference<KillHook> hook)
            throws InterruptedException {
        CountDownLatch registered = new CountDownLatch(1);
        Attempt a = attempt(g, "hooked", () -> {
            hook.set(Tasks.onKill(action));
            registered.countDown();
            Tasks.sleep(Duration.ofHours(1));
            return null;
        });
        await(registered);
        return a;
    }

    /** A killed task's hook runs once, on a thread that is neither the killer's nor a task, and the task ends Killed. */
    @Test
    void onKill_killWhileSleeping_actionRunsOnceOnAHookThread(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        CompletableFuture<Boolean> inTask = new CompletableFuture<>();
        AtomicReference<KillHook> hook = new AtomicReference<>();
        Attempt a = hookedSleeper(g, () -> {
            runs.incrementAndGet();
            inTask.complete(Tasks.inTask());
            ranOn.complete(Thread.currentThread());
        }, hook);
        assertThat(hook.get().isRegistered()).isTrue();
        assertThat(hook.get().isFired()).isFalse();

        assertThat(a.task().kill()).isTrue();

        Thread t = get(ranOn);
        assertThat(t).isNotEqualTo(Thread.currentThread());
        assertThat(t.isVirtual()).isTrue();
        assertThat(t.getName()).isEqualTo("tasklife-kill-hooks-" + a.task().id());
        assertThat(get(inTask)).as("a hook thread is not a task").isFalse();
        assertThat(ended(a.task())).isEqualTo(ExitStatus.KILLED);
        assertThat(hook.get().isFired()).isTrue();
        assertThat(hook.get().isRegistered()).isFalse();
        assertThat(a.task().kill()).isFalse();
        assertThat(runs.get()).as("exactly once").isEqualTo(1);
        killAndReap(g);
    }

    /** A task that ends without being killed never runs its hook, and a later kill attempt runs nothing. */
    @Test
    void onKill_taskEndsWithoutKill_actionNeverRuns(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        AtomicInteger runs = new AtomicInteger();
        Attempt a = attempt(g, "returns", () -> Tasks.onKill(runs::incrementAndGet));
        assertThat(ended(a.task())).isEqualTo(ExitStatus.exited(0));
        KillHook hook = (KillHook) a.get();
        assertThat(a.task().kill()).isFalse();
        assertThat(hook.isRegistered()).as("discarded at exit").isFalse();
        assertThat(hook.isFired()).isFalse();
        killAndReap(g);
        assertThat(runs.get()).isZero();
    }

    /** A hook closed before the kill never runs; closing it again does nothing. */
    @Test
    void killHook_closedBeforeKill_actionNeverRuns(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch closed = new CountDownLatch(1);
        Task<Object> t = g.spawnTask("closes", () -> {
            KillHook h = Tasks.onKill(runs::incrementAndGet);
            h.close();
            h.close();
            assertThat(h.isRegistered()).isFalse();
            closed.countDown();
            Tasks.sleep(Duration.ofHours(1));
            return null;
        });
        await(closed);
        assertThat(t.kill()).isTrue();
        assertThat(ended(t)).isEqualTo(ExitStatus.KILLED);
        killAndReap(g);
        assertThat(runs.get()).isZero();
    }

    /**
     * close() of a hook whose action is running returns at once without waiting for it, and kill() returns at
     * once although the action blocks: the killed task ends while its hook is still blocked.
     */
    @Test
    void killHook_closeWhileActionRuns_returnsAtOnce_taskEnds(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch registered = new CountDownLatch(1);
        CompletableFuture<Boolean> firedAtClose = new CompletableFuture<>();
        Task<Object> t = g.spawnTask("closer", () -> {
            KillHook h = Tasks.onKill(() -> {
                running.countDown();
                Fixtures.awaitUninterruptibly(release);
            });
            registered.countDown();
            try {
                Tasks.sleep(Duration.ofHours(1));
            } finally {
                Fixtures.awaitUninterruptibly(running);
                h.close(); // the action is blocked: must not wait for it
                firedAtClose.complete(h.isFired());
            }
            return null;
        });
        await(registered);
        assertThat(t.kill()).as("kill returns at once").isTrue();
        assertThat(ended(t)).isEqualTo(ExitStatus.KILLED);
        assertThat(get(firedAtClose)).isTrue();
        assertThat(release.getCount()).as("the hook is still blocked").isEqualTo(1);
        release.countDown();
        killAndReap(g);
    }

    /** Several hooks of one task run in reverse registration order, one after another. */
    @Test
    void onKill_severalHooks_runNewestFirst(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch registered = new CountDownLatch(1);
        Task<Object> t = g.spawnTask("three", () -> {
            for (int i = 1; i <= 3; i++) {
                int n = i;
                Tasks.onKill(() -> order.add(n));
            }
            registered.countDown();
            Tasks.sleep(Duration.ofHours(1));
            return null;
        });
        await(registered);
        t.kill();
        assertThat(ended(t)).isEqualTo(ExitStatus.KILLED);
        Await.until("three hooks ran", () -> order.size() == 3, order::toString);
        assertThat(order).containsExactly(3, 2, 1);
        killAndReap(g);
    }

    /**
     * SPEC O3 for hooks: a hook that throws is recorded in the task's close failures and logged at WARNING;
     * the other hooks still run and the task still ends Killed.
     */
    @Test
    void onKill_hookThrows_recordedAndLogged_othersRun(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        List<String> ran = new CopyOnWriteArrayList<>();
        IOException boom = new IOException("boom");
        CountDownLatch registered = new CountDownLatch(1);
        Task<Object> t = g.spawnTask("throwing", () -> {
            Tasks.onKill(() -> ran.add("first"));
            Tasks.onKill(() -> {
                throw boom;
            });
            Tasks.onKill(() -> ran.add("last"));
            registered.countDown();
            Tasks.sleep(Duration.ofHours(1));
            return null;
        });
        await(registered);
        t.kill();
        assertThat(ended(t)).isEqualTo(ExitStatus.KILLED);
        Await.until("the failure is recorded", () -> !t.closeFailures().isEmpty());
        assertThat(t.closeFailures()).containsExactly(boom);
        assertThat(ran).containsExactly("last", "first");
        Await.until("the failure is logged", () -> !log.warnings("kill hook").isEmpty());
        assertThat(log.warnings("kill hook")).singleElement().satisfies(r -> {
            assertThat(r.thrown()).isSameAs(boom);
            assertThat(r.text()).contains("task " + t.id()).contains("boom");
        });
        killAndReap(g);
    }

    /**
     * SPEC K8 for hooks: a hook that blocks past the grace period is logged with its task, its action and its
     * stack; never fatal: the task ends, the hook registered before it still runs, and other kills go on.
     */
    @Test
    void onKill_hookBlocksPastGrace_loggedWithStack_othersRunAndKernelGoesOn() throws Exception {
        try (Kernel kernel = Kernel.builder().name("hook-grace").jmx(false).killGracePeriod(Duration.ofMillis(200))
                .boot()) {
            TaskGroup g = idleGroup(kernel, "home");
            CountDownLatch olderRan = new CountDownLatch(1);
            AutoCloseable stuck = new AutoCloseable() {
                @Override
                public void close() {
                    Fixtures.awaitUninterruptibly(release);
                }

                @Override
                public String toString() {
                    return "stuck-unblocker";
                }
            };
            CountDownLatch registered = new CountDownLatch(1);
            Task<Object> t = g.spawnTask("blocked-hook", () -> {
                Tasks.onKill(olderRan::countDown); // runs after the stuck one, newest first
                Tasks.onKill(stuck);
                registered.countDown();
                Tasks.sleep(Duration.ofHours(1));
                return null;
            });
            await(registered);
            assertThat(t.kill()).isTrue();
            assertThat(ended(t)).as("the task ends though its hook blocks").isEqualTo(ExitStatus.KILLED);

            await(olderRan); // after the grace, on another hook thread
            Await.until("the stuck hook is logged", () -> !log.warnings("kill hook").isEmpty());
            String text = log.warnings("kill hook").get(0).text();
            assertThat(text).contains("stuck-unblocker").contains("task " + t.id()).contains("awaitUninterruptibly");

            Task<Object> other = g.spawnTask("other", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return null;
            });
            Await.state(other, TaskState.BLOCKED);
            assertThat(other.kill()).isTrue();
            assertThat(ended(other)).as("the kernel is not blocked").isEqualTo(ExitStatus.KILLED);
            release.countDown();
            killAndReap(g);
            KernelExtension.audit(kernel);
            assertThat(kernel.stuckTasks()).as("a stuck hook is not a stuck task").isEmpty();
        }
    }

    /** Host code has no task to register for: NOT_IN_TASK, for onKill and blocking alike. */
    @Test
    void onKill_fromHost_notInTask() {
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> Tasks.onKill(runs::incrementAndGet)).isInstanceOf(TaskLifeException.class)
                .satisfies(e -> assertThat(((TaskLifeException) e).reason()).isEqualTo(Reason.NOT_IN_TASK));
        assertThatThrownBy(() -> Tasks.blocking(runs::incrementAndGet, () -> runs.incrementAndGet()))
                .isInstanceOf(TaskLifeException.class)
                .satisfies(e -> assertThat(((TaskLifeException) e).reason()).isEqualTo(Reason.NOT_IN_TASK));
        assertThat(runs.get()).as("the body did not run").isZero();
    }

    /** A null action, unblocker or body is a NullPointerException naming it, and registers nothing. */
    @Test
    void onKill_nullArguments_npeNamingThem_nothingRegistered(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch checked = new CountDownLatch(1);
        Task<Object> t = g.spawnTask("nulls", () -> {
            assertThatThrownBy(() -> Tasks.onKill(null)).isInstanceOf(NullPointerException.class).hasMessage("action");
            assertThatThrownBy(() -> Tasks.blocking(null, () -> runs.incrementAndGet()))
                    .isInstanceOf(NullPointerException.class).hasMessage("unblocker");
            assertThatThrownBy(() -> Tasks.blocking(runs::incrementAndGet, null))
                    .isInstanceOf(NullPointerException.class).hasMessage("body");
            checked.countDown();
            Tasks.sleep(Duration.ofHours(1));
            return null;
        });
        await(checked);
        t.kill();
        assertThat(ended(t)).isEqualTo(ExitStatus.KILLED);
        killAndReap(g);
        assertThat(runs.get()).as("neither the body nor the unblocker ran").isZero();
    }

    /** onKill is a safe point: a task already killed gets TaskKilledError and its action never runs. */
    @Test
    void onKill_taskAlreadyKilled_throwsTaskKilledError_nothingRegistered(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        Attempt a = attempt(g, "late", () -> {
            started.countDown();
            Fixtures.awaitUninterruptibly(go); // running outside tasklife: the kill only sets the flag (and interrupts)
            return Tasks.onKill(runs::incrementAndGet);
        });
        await(started);
        assertThat(a.task().kill()).isTrue();
        go.countDown();
        assertThat(a.get()).isInstanceOf(TaskKilledError.class);
        assertThat(ended(a.task())).isEqualTo(ExitStatus.KILLED);
        killAndReap(g);
        assertThat(runs.get()).isZero();
    }

    /** SPEC K7, E3, D2: the hooks of tasks killed by a group kill, an exitGroup or a domain stop run too. */
    @Test
    void onKill_groupKillExitGroupAndDomainStop_runEveryMembersHooks(Kernel kernel) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch registered = new CountDownLatch(3);
        TaskBody<Object> hooked = () -> {
            Tasks.onKill(runs::incrementAndGet);
            registered.countDown();
            Tasks.sleep(Duration.ofHours(1));
            return null;
        };
        TaskGroup g = idleGroup(kernel, "group");
        g.spawnTask("a", hooked);
        g.spawnTask("b", hooked);
        g.spawnTask("c", hooked);
        await(registered);
        g.kill();
        assertThat(g.reap()).isEqualTo(ExitStatus.KILLED);
        Await.until("3 hooks ran after the group kill", () -> runs.get() == 3, () -> runs.get() + " ran");

        CountDownLatch exitRegistered = new CountDownLatch(1);
        CountDownLatch exitNow = new CountDownLatch(1);
        TaskGroup e = kernel.spawnGroup("exiting", () -> {
            Tasks.spawnTask("victim", () -> {
                Tasks.onKill(runs::incrementAndGet);
                exitRegistered.countDown();
                Tasks.sleep(Duration.ofHours(1));
                return null;
            });
            exitNow.await();
            Tasks.exitGroup(7);
            return 0;
        });
        await(exitRegistered);
        exitNow.countDown();
        assertThat(e.reap()).isEqualTo(ExitStatus.exited(7));
        Await.until("the exitGroup victim's hook ran", () -> runs.get() == 4, () -> runs.get() + " ran");

        Domain d = kernel.createDomain("tenant");
        CountDownLatch domainRegistered = new CountDownLatch(1);
        d.spawnGroup("in-domain", () -> {
            Tasks.onKill(runs::incrementAndGet);
            domainRegistered.countDown();
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        await(domainRegistered);
        assertThat(d.stop(ExitStatus.KILLED)).isTrue();
        assertThat(d.awaitStopped(Await.LONG)).isTrue();
        Await.until("the domain task's hook ran", () -> runs.get() == 5, () -> runs.get() + " ran");
        d.free();
    }

    /**
     * SPEC D5 (authority follows the work): a hook runs with its task's domain's authority, not the killer's:
     * a hook of a tenant's task killed by host code may not kill a task outside the tenant's domain.
     */
    @Test
    void onKill_hookRunsWithItsDomainsAuthority_notTheKillers(Kernel kernel) throws Exception {
        TaskGroup outside = idleGroup(kernel, "outside");
        long outsiderId = outside.id();
        Domain d = kernel.createDomain("tenant");
        CompletableFuture<Throwable> tried = new CompletableFuture<>();
        CountDownLatch registered = new CountDownLatch(1);
        TaskGroup inside = d.spawnGroup("tenant-job", () -> {
            Tasks.onKill(() -> {
                try {
                    kernel.kill(outsiderId);
                    tried.complete(null);
                } catch (Throwable e) {
                    tried.complete(e);
                }
            });
            registered.countDown();
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        await(registered);
        inside.kill(); // from host code
        assertThat(get(tried)).isInstanceOf(DomainAccessException.class);
        assertThat(outside.state()).isEqualTo(GroupState.ALIVE);
        assertThat(inside.reap()).isEqualTo(ExitStatus.KILLED);
        d.stop(ExitStatus.KILLED);
        assertThat(d.awaitStopped(Await.LONG)).isTrue();
        d.free();
        killAndReap(outside);
    }

    /**
     * SPEC K6 for hooks, over 1,000 rounds: a kill racing the task's registration, its own close() of the hook
     * and its natural end runs the hook at most once, and exactly once when kill() returned true while the hook
     * was registered (it was never closed, and onKill returned it).
     */
    @Test
    void onKill_killRacingRegistrationCloseAndExit_atMostOnce_exactlyOnceWhenKilledWhileRegistered(Kernel kernel)
            throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        int fired = 0;
        int refused = 0;
        for (int i = 0; i < ROUNDS; i++) {
            AtomicInteger runs = new AtomicInteger();
            AtomicReference<KillHook> hook = new AtomicReference<>();
            boolean closes = (i / 2) % 2 == 1;
            boolean afterRegistration = i % 2 == 1; // else the kill races the registration itself
            long taskSpin = ThreadLocalRandom.current().nextLong(0, 20_000);
            long holdSpin = ThreadLocalRandom.current().nextLong(0, 20_000);
            long killerSpin = ThreadLocalRandom.current().nextLong(0, 20_000);
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean go = new AtomicBoolean();
            AtomicBoolean registered = new AtomicBoolean();
            Task<Object> t = g.spawnTask("racer", () -> {
                started.countDown();
                while (!go.get()) {
                    Thread.onSpinWait(); // both sides leave this point together
                }
                spin(taskSpin);
                KillHook h = Tasks.onKill(runs::incrementAndGet);
                hook.set(h);
                registered.set(true);
                spin(holdSpin);
                if (closes) {
                    h.close();
                }
                return null;
            });
            await(started);
            go.set(true);
            while (afterRegistration && !registered.get() && !t.exitStatus().isPresent()) {
                Thread.onSpinWait();
            }
            spin(killerSpin); // randomised offsets on both sides: the kill lands before, during or after onKill
            boolean killed = t.kill();
            ExitStatus s = ended(t);
            assertThat(s).as("round %d", i).isEqualTo(killed ? ExitStatus.KILLED : ExitStatus.exited(0));
            KillHook h = hook.get();
            // once kill() returned and the task ended, the hook's fate is decided: it fired or never will
            if (h != null && h.isFired()) {
                fired++;
                assertThat(killed).as("round %d: only a kill fires a hook", i).isTrue();
                Await.until("round " + i + ": the fired hook ran", () -> runs.get() == 1);
            } else {
                assertThat(killed && h != null && !closes).as("round %d: killed while registered but not fired", i)
                        .isFalse();
            }
            if (killed && h == null) {
                refused++; // killed before or while registering: onKill threw
            }
            assertThat(runs.get()).as("round %d: at most once", i).isLessThanOrEqualTo(1);
            if (h == null || !h.isFired()) {
                assertThat(runs.get()).as("round %d: an unfired hook never runs", i).isZero();
            }
            t.detach();
        }
        killAndReap(g);
        System.out.printf("kill hook race: %d rounds, %d hooks fired, %d registrations refused%n", ROUNDS, fired,
                refused);
        assertThat(fired).as("the race was exercised: some kills fired a registered hook").isPositive();
    }

    /** Busy-waits about {@code nanos}: a jitter that parks nothing and reaches no safe point. */
    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /** blocking() with no kill: the body's result and exception pass through unchanged; the unblocker never runs. */
    @Test
    void blocking_notKilled_resultAndExceptionPassThrough_unblockerNeverRuns(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        AtomicInteger unblocks = new AtomicInteger();
        IOException thrown = new IOException("from the body");
        CountDownLatch done = new CountDownLatch(1);
        Attempt a = attempt(g, "plain", () -> {
            String v = Tasks.blocking(unblocks::incrementAndGet, () -> "value");
            Throwable caught = null;
            try {
                Tasks.blocking(unblocks::incrementAndGet, () -> {
                    throw thrown;
                });
            } catch (IOException e) {
                caught = e;
            }
            done.countDown();
            try {
                Tasks.sleep(Duration.ofHours(1)); // a kill after blocking() returned runs no unblocker
            } catch (TaskKilledError e) {
                return List.of(v, caught);
            }
            return null;
        });
        await(done);
        a.task().kill();
        assertThat(a.get()).isEqualTo(List.of("value", thrown));
        assertThat(ended(a.task())).isEqualTo(ExitStatus.KILLED);
        killAndReap(g);
        assertThat(unblocks.get()).isZero();
    }

    /**
     * blocking() killed in its body: the unblocker ends the body, and the call throws TaskKilledError with the
     * body's exception suppressed; the task ends Killed.
     */
    @Test
    void blocking_killedInBody_throwsTaskKilledErrorWithBodyExceptionSuppressed(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        CompletableFuture<Void> never = new CompletableFuture<>();
        IOException cause = new IOException("unblocked");
        Attempt a = attempt(g, "joiner", () -> Tasks.blocking(() -> never.completeExceptionally(cause), never::join));
        Await.until("the task blocks in join()", () -> never.getNumberOfDependents() > 0);
        assertThat(a.task().kill()).isTrue();
        Object out = a.get();
        assertThat(out).isInstanceOf(TaskKilledError.class);
        Throwable[] suppressed = ((Throwable) out).getSuppressed();
        assertThat(suppressed).singleElement().isInstanceOf(CompletionException.class);
        assertThat(suppressed[0].getCause()).isSameAs(cause);
        assertThat(ended(a.task())).isEqualTo(ExitStatus.KILLED);
        killAndReap(g);
    }

    /** blocking() killed in a body that then returns normally still throws TaskKilledError: the task is killed. */
    @Test
    void blocking_killedBodyReturns_throwsTaskKilledErrorWithoutSuppressed(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        CompletableFuture<String> never = new CompletableFuture<>();
        Attempt a = attempt(g, "joiner", () -> Tasks.blocking(() -> never.complete("late"), never::join));
        Await.until("the task blocks in join()", () -> never.getNumberOfDependents() > 0);
        a.task().kill();
        Object out = a.get();
        assertThat(out).isInstanceOf(TaskKilledError.class);
        assertThat(((Throwable) out).getSuppressed()).isEmpty();
        assertThat(ended(a.task())).isEqualTo(ExitStatus.KILLED);
        killAndReap(g);
    }

    /** A body that reaches a tasklife wait while killed gets the kill throwable itself, passed through as it is. */
    @Test
    void blocking_bodyInTasklifeWait_killThrowablePassesThrough(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        AtomicInteger unblocks = new AtomicInteger();
        CompletableFuture<TaskKilledError> fromBody = new CompletableFuture<>();
        Attempt a = attempt(g, "sleeper", () -> Tasks.blocking(unblocks::incrementAndGet, () -> {
            try {
                Tasks.sleep(Duration.ofHours(1));
            } catch (TaskKilledError e) {
                fromBody.complete(e);
                throw e;
            }
            return null;
        }));
        Await.state(a.task(), TaskState.BLOCKED);
        a.task().kill();
        assertThat(a.get()).isSameAs(get(fromBody));
        Await.until("the unblocker ran", () -> unblocks.get() == 1);
        killAndReap(g);
    }

    /** A loop of many blocking() calls keeps no registration behind: each one deregisters its hook. */
    @Test
    void blocking_manyCalls_leaveNoHookRegistered(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        AtomicInteger unblocks = new AtomicInteger();
        List<KillHook> seen = new ArrayList<>();
        Attempt a = attempt(g, "loop", () -> {
            for (int i = 0; i < 10_000; i++) {
                Tasks.blocking(unblocks::incrementAndGet, () -> null);
            }
            seen.add(Tasks.onKill(unblocks::incrementAndGet));
            return Tasks.current().tcb().killHooks().size();
        });
        assertThat(a.get()).isEqualTo(1);
        assertThat(ended(a.task())).isEqualTo(ExitStatus.exited(0));
        assertThat(seen.get(0).isRegistered()).as("discarded at exit").isFalse();
        killAndReap(g);
        assertThat(unblocks.get()).isZero();
    }
}
