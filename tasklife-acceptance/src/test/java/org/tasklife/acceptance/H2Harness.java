package org.tasklife.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.tasklife.Domain;
import org.tasklife.DomainEvent;
import org.tasklife.DomainOptions;
import org.tasklife.DomainState;
import org.tasklife.ExitStatus;
import org.tasklife.GroupMain;
import org.tasklife.Kernel;
import org.tasklife.SpawnOptions;
import org.tasklife.Task;
import org.tasklife.TaskBody;
import org.tasklife.TaskGroup;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.internal.wait.WaitQueue;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.TrackedResource;

/**
 * One H2 pthread-suite scenario in a fresh {@link Domain}, judged by the H2 harness pass rule
 * (seed-systems §4.6): a scenario passes iff
 * <ol type="a">
 * <li>its domain stops within {@link #STOP_BOUND} (H2: the VM reaches 0 live vCPUs before the
 *     simulator time limit) with the expected status (H2: the booter's {@code --expect_status});</li>
 * <li>no task failed unexpectedly: no task ended {@code Failed}, none closed a resource with an error,
 *     and no scenario code reached a {@link #fail(String)} (H2: nothing printed {@code FAIL});</li>
 * <li>afterwards the domain has 0 live tasks, no wait node is linked in any primitive, no timer is
 *     armed, and every resource a task or group owned was closed exactly once.</li>
 * </ol>
 * The domain reports exactly one {@link DomainEvent.Stopped} event, carrying that status, and is then
 * freed (H2: the booter's {@code VMOP_FREE}).
 *
 * <p>POSIX to tasklife: process = a {@link TaskGroup} of the domain (the "process", see {@link #start});
 * main thread = the group's main task, whose {@link GroupMain} returning {@code n} is {@code exit(n)};
 * {@code exit(n)} from any thread = {@link org.tasklife.Tasks#exitGroup(int)}; {@code pthread_exit} =
 * {@link org.tasklife.Tasks#exit()}; {@code pthread_create} = {@link #spawn}; VM = domain, created with
 * {@link DomainOptions#stopWhenEmpty(boolean)} so that it stops, like H2's VM, when its last task ends.
 *
 * <p>Every task and group spawned through the harness owns a {@link TrackedResource}, registered by
 * the spawner right after the spawn. If the target already ended, the kernel refuses the registration
 * ({@link TaskLifeException(INVALID_OPERATION)}) and that resource must then never be closed.
 *
 * <p>Usage: {@code H2Harness h = H2Harness.create(kernel, "stuck_in_mutex"); h.start(main); ...
 * h.expectStop(ExitStatus.exited(0));}. Not thread-safe for setup: create and start from one thread;
 * {@link #spawn} and {@link #fail} may be called from any task of the scenario.
 */
final class H2Harness {
    /** How long a domain may take to stop (H2: the simulator time limit). */
    static final Duration STOP_BOUND = Await.LONG;
    /** How long timers may take to be cancelled after the stop; below the kill grace period. */
    private static final Duration TIMER_SETTLE = Duration.ofSeconds(1);

    private final Kernel kernel;
    private final String row;
    private final Domain domain;
    private final Queue<DomainEvent> events = new ConcurrentLinkedQueue<>();
    private final Queue<AssertionError> failures = new ConcurrentLinkedQueue<>();
    private final Queue<Task<?>> tasks = new ConcurrentLinkedQueue<>();
    private final Queue<TaskGroup> groups = new ConcurrentLinkedQueue<>();
    private final Queue<TrackedResource> owned = new ConcurrentLinkedQueue<>();   // registered: close once
    private final Queue<TrackedResource> refused = new ConcurrentLinkedQueue<>(); // owner had ended: never close
    private final Semaphore mainGate = new Semaphore(0);                          // releases an idle main
    private volatile TaskGroup process;   // written once by start()
    private volatile Task<?> main;        // written once by start(); null if main ended before lookup

    private H2Harness(Kernel kernel, String row) {
        this.kernel = kernel;
        this.row = row;
        this.domain = kernel.createDomain(DomainOptions.named(row).stopWhenEmpty(true).onEvent(events::add));
    }

    /** A fresh domain for the scenario {@code row} (an H2 test name, possibly with an iteration suffix). */
    static H2Harness create(Kernel kernel, String row) {
        return new H2Harness(kernel, row);
    }

    /** A fresh domain whose process is already started with an idle main: see {@link #startIdle()}. */
    static H2Harness idle(Kernel kernel, String row) {
        H2Harness h = create(kernel, row);
        h.startIdle();
        return h;
    }

    /**
     * Runs {@code body} as the main task of a fresh domain's process, which then returns 0, and applies
     * the pass rule with status {@code Exited(0)}. An assertion failing in {@code body} fails the test.
     */
    static void runAsMain(Kernel kernel, String row, ThrowingRunnable body) {
        H2Harness h = create(kernel, row);
        h.start(() -> {
            body.run();
            return 0;
        });
        h.expectStop(ExitStatus.exited(0));
    }

    /** Scenario code run in a task; may throw anything. */
    @FunctionalInterface
    interface ThrowingRunnable {
        /** Runs the scenario code. */
        void run() throws Exception;
    }

    // ---------------------------------------------------------------------------------------------
    // Setting up

    /** The scenario's domain. */
    Domain domain() {
        return domain;
    }

    /** The process started by {@link #start} or {@link #startIdle()}. */
    TaskGroup process() {
        assertThat(process).as("%s: the process was started", row).isNotNull();
        return process;
    }

    /** The process's main task. */
    Task<?> mainTask() {
        assertThat(main).as("%s: the main task was found", row).isNotNull();
        return main;
    }

    /** Starts the process: a group "main" of the domain whose main task runs {@code body}. */
    TaskGroup start(GroupMain body) {
        assertThat(process).as("%s: start once", row).isNull();
        TaskGroup g = spawnGroup("main", body);
        process = g;
        main = kernel.findTask(g.id()).orElse(null);
        return g;
    }

    /** Starts a process whose main parks until {@link #returnMain()}, then returns 0 ({@code exit(0)}). */
    TaskGroup startIdle() {
        return start(() -> {
            mainGate.acquire();
            return 0;
        });
    }

    /** Lets an idle main (see {@link #startIdle()}) return 0. */
    void returnMain() {
        mainGate.release();
    }

    /**
     * Spawns a top-level group of the domain (another process), tracked like the process: its main task
     * and the group itself each own a resource.
     */
    TaskGroup spawnGroup(String name, GroupMain body) {
        TaskGroup g = domain.spawnGroup(name, body);
        groups.add(g);
        own(g, name + "(group)");
        kernel.findTask(g.id()).ifPresent(t -> track(t, name + "(main)"));
        return g;
    }

    /** Spawns a task into the process from the test thread, or into the caller's group from a task of the scenario. */
    <T> Task<T> spawn(String name, TaskBody<T> body) {
        return spawn(SpawnOptions.named(name), body);
    }

    /** {@link #spawn(String, TaskBody)} with options (e.g. detached). */
    <T> Task<T> spawn(SpawnOptions options, TaskBody<T> body) {
        // a task spawns into its own group (pthread_create): the process's main may run before start() returns
        TaskGroup g = Tasks.inTask() ? Tasks.currentGroup() : process();
        return track(g.spawnTask(options, body), options.name());
    }

    /**
     * Runs {@code body} in a new task of the process and captures what it returned or threw (the
     * tracked counterpart of {@code Fixtures.attempt}); an {@link Error} is rethrown, so that a killed
     * task ends Killed.
     */
    Attempt attempt(String name, TaskBody<?> body) {
        return attempt(SpawnOptions.named(name), body);
    }

    /** {@link #attempt(String, TaskBody)} with options. */
    Attempt attempt(SpawnOptions options, TaskBody<?> body) {
        CompletableFuture<Object> out = new CompletableFuture<>();
        Task<Void> t = spawn(options, () -> {
            try {
                out.complete(body.run());
            } catch (Throwable e) {
                out.complete(e);
                if (e instanceof Error err) {
                    throw err;
                }
            }
            return null;
        });
        return new Attempt(t, out);
    }

    /** {@link #attempt} and its outcome (bounded): what the body returned or threw. */
    Object run(String name, TaskBody<?> body) throws Exception {
        return attempt(name, body).get();
    }

    /** Records a failure, H2's {@code FAIL(msg)}: the scenario fails however the domain ends. */
    void fail(String message) {
        failures.add(new AssertionError(row + ": FAIL " + message));
    }

    /** H2's "settle": waits until every task is blocked in a tasklife wait (bounded polling, no sleep). */
    static void settle(Task<?>... blocked) {
        for (Task<?> t : blocked) {
            Await.state(t, TaskState.BLOCKED);
        }
    }

    /** Spins {@code count} times with {@link Thread#onSpinWait()}: a delay that is no safe point. */
    static void spin(int count) {
        for (int i = 0; i < count; i++) {
            Thread.onSpinWait();
        }
    }

    /** Events the domain reported so far. */
    List<DomainEvent> events() {
        return List.copyOf(events);
    }

    // ---------------------------------------------------------------------------------------------
    // The pass rule

    /** {@link #returnMain()}, then {@link #expectStop} with {@code Exited(0)}: an idle process's normal end. */
    void finish() {
        returnMain();
        expectStop(ExitStatus.exited(0));
    }

    /** Applies the pass rule (see the class comment), then frees the domain. */
    void expectStop(ExitStatus expected) {
        // (a) the domain stops in bounded time
        boolean stopped = domain.awaitStopped(STOP_BOUND);
        assertThat(stopped).as("%s: domain stopped within %s; still live:%n%s", row, STOP_BOUND,
                stopped ? "" : domain.snapshot().renderTable()).isTrue();

        // (b) nothing failed: scenario FAILs first, then tasks and groups that ended Failed
        AssertionError fail = failures.peek();
        if (fail != null) {
            failures.stream().skip(1).forEach(fail::addSuppressed);
            throw fail;
        }
        for (Task<?> t : tasks) {
            assertThat(t.exitStatus()).as("%s: task %s has ended", row, t).isPresent();
            if (t.exitStatus().get() instanceof ExitStatus.Failed f) {
                throw new AssertionError(row + ": task " + t + " failed", f.cause());
            }
            assertThat(t.closeFailures()).as("%s: close failures of task %s", row, t).isEmpty();
        }
        for (TaskGroup g : groups) {
            assertThat(g.exitStatus()).as("%s: group %s has ended", row, g).isPresent();
            if (g.exitStatus().get() instanceof ExitStatus.Failed f) {
                throw new AssertionError(row + ": group " + g + " failed", f.cause());
            }
            assertThat(g.closeFailures()).as("%s: close failures of group %s", row, g).isEmpty();
        }

        // (a) ... with the expected status, reported exactly once
        assertThat(domain.status()).as("%s: domain status", row).hasValue(expected);
        assertThat(domain.state()).as("%s: domain state", row).isEqualTo(DomainState.STOPPED);
        Await.until(row + ": Stopped event", () -> !stoppedEvents().isEmpty(), () -> "events: " + events);
        assertThat(stoppedEvents()).as("%s: Stopped events (all events: %s)", row, events).hasSize(1);
        assertThat(stoppedEvents().get(0).status()).as("%s: status of the Stopped event", row).isEqualTo(expected);

        // (c) nothing left behind
        assertThat(domain.liveTaskCount()).as("%s: live tasks after stop", row).isZero();
        // the only internal the acceptance tests read: the JVM-wide count of linked wait nodes, the same
        // counter KernelExtension's audit uses (test classpath; tests run one at a time in this JVM)
        assertThat(WaitQueue.linkedNodesInJvm()).as("%s: wait nodes still linked after stop", row).isZero();
        // A stop started by host code arms its kill grace timer after killing the tasks, so the timer
        // may be cancelled a moment after the last task ended: poll, but for less than the kill grace
        // period (5 s in KernelExtension), so that a leaked grace timer cannot expire meanwhile and pass.
        long timersDeadline = System.nanoTime() + TIMER_SETTLE.toNanos();
        while (kernel.pendingTimerCount() != 0 && System.nanoTime() - timersDeadline < 0) {
            Thread.onSpinWait();
            LockSupport.parkNanos(100_000);
        }
        assertThat(kernel.pendingTimerCount()).as("%s: timers still armed after stop", row).isZero();
        for (TrackedResource r : owned) {
            assertThat(r.closeCount()).as("%s: %s closed exactly once", row, r).isEqualTo(1);
        }
        for (TrackedResource r : refused) {
            assertThat(r.closeCount()).as("%s: %s (registration refused) never closed", row, r).isZero();
        }

        // H2's VMOP_FREE by the booter: the domain and every group it had are gone
        domain.free();
        assertThat(domain.state()).as("%s: domain state after free", row).isEqualTo(DomainState.FREED);
        assertThat(kernel.rootDomain().children()).as("%s: domains after free", row).doesNotContain(domain);
        for (TaskGroup g : groups) {
            assertThat(kernel.findGroup(g.id())).as("%s: group %s reaped by free", row, g).isEmpty();
        }
    }

    private List<DomainEvent.Stopped> stoppedEvents() {
        List<DomainEvent.Stopped> out = new ArrayList<>();
        for (DomainEvent e : events) {
            if (e instanceof DomainEvent.Stopped s) {
                out.add(s);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------

    private <T> Task<T> track(Task<T> t, String name) {
        tasks.add(t);
        TrackedResource r = new TrackedResource(row + "/" + name + "#" + t.id());
        try {
            t.own(r);
            owned.add(r);
        } catch (TaskLifeException alreadyEnded) {
            if (alreadyEnded.reason() != TaskLifeException.Reason.INVALID_OPERATION) {
                throw alreadyEnded;
            }
            refused.add(r);
        }
        return t;
    }

    private void own(TaskGroup g, String name) {
        TrackedResource r = new TrackedResource(row + "/" + name + "#" + g.id());
        try {
            g.own(r);
            owned.add(r);
        } catch (TaskLifeException alreadyEnded) {
            if (alreadyEnded.reason() != TaskLifeException.Reason.INVALID_OPERATION) {
                throw alreadyEnded;
            }
            refused.add(r);
        }
    }

    @Override
    public String toString() {
        return "H2Harness[" + row + ", " + domain + "]";
    }
}
