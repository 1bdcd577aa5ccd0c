package org.tasklife.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.SpawnOptions;
import org.tasklife.StuckTaskReport;
import org.tasklife.Task;
import org.tasklife.TaskBody;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.interop.Unblockers;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * The README's "What can and cannot be killed" table, row by row, through the public API (the rows of
 * tasklife-examples' Killability): each test starts one task blocked in one kind of call, kills it, and asserts
 * the row's OUTCOME, never a timing. A row that "ends" must end {@code Killed} within the kill grace period with
 * no stuck report (SPEC K2, K4; docs/contract.md K15 for the hooked rows); a row that is "stuck" must be reported
 * stuck after the (short) grace period (SPEC K8), stay blocked, and end {@code Killed} only when the test frees
 * it by hand, or, for the one row whose blocking socket the task owns, when the report's force-close closes it.
 */
class KillabilityAcceptanceTest {
    /** For rows that end: generous, since they end in microseconds and the grace only bounds the wait. */
    private static final Duration ENDS_GRACE = Await.scaled(Duration.ofSeconds(3));
    /** For rows that are stuck: short, since every one of them waits it out. */
    private static final Duration STUCK_GRACE = Duration.ofMillis(300);

    private final List<StuckTaskReport> stuck = new CopyOnWriteArrayList<>();
    private Kernel kernel;
    private TaskGroup home;
    private Runnable cleanUp = () -> {};

    private void boot(Duration grace) {
        kernel = Kernel.builder().name("killability").jmx(false).killGracePeriod(grace).onStuckTask(stuck::add).boot();
        home = Fixtures.idleGroup(kernel, "home");
    }

    @AfterEach
    void closeKernel() throws Exception {
        cleanUp.run();
        if (kernel != null) {
            Fixtures.killAndReap(home);
            KernelExtension.audit(kernel);
            kernel.close();
        }
    }

    /** A task of the test, blocked in its call and then killed. */
    private record Killed(Task<Void> task, Thread thread, CompletableFuture<Object> outcome) {
        Object got() throws Exception {
            return Fixtures.get(outcome);
        }
    }

    /**
     * Runs {@code body} in a task of {@code home}, waits until {@code blocked} says it is in its call (given the
     * task and its thread), and kills it.
     */
    private Killed startBlockedAndKill(boolean platform, TaskBody<?> body, Blocked blocked) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Task<Void> t = home.spawnTask(SpawnOptions.named("blocked").platformThread(platform), () -> {
            thread.complete(Thread.currentThread());
            try {
                outcome.complete(body.run());
            } catch (Throwable e) {
                outcome.complete(e);
                throw e;
            }
            return null;
        });
        Thread th = Fixtures.get(thread);
        Await.until("the task is in its blocking call", () -> blocked.test(t, th),
                () -> "state " + t.state() + ", stack " + Arrays.toString(th.getStackTrace()));
        assertThat(t.kill()).isTrue();
        return new Killed(t, th, outcome);
    }

    @FunctionalInterface
    private interface Blocked {
        boolean test(Task<?> task, Thread thread);
    }

    /** The row "ended": Killed within the grace period, not reported; returns what the body got. */
    private Object assertEndsWithinGrace(Killed k) throws Exception {
        ExitStatus s = k.task().onExit().get(ENDS_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(s).isEqualTo(ExitStatus.KILLED);
        assertThat(stuck).as("no stuck report").isEmpty();
        return k.got();
    }

    /**
     * The row "stuck": reported stuck once the grace period is over, where {@code where} says, still blocked
     * then; ends Killed only after {@code free}. Returns what the body got.
     */
    private Object assertStuckUntilFreed(Killed k, Predicate<List<StackTraceElement>> where, Runnable free)
            throws Exception {
        StuckTaskReport r = awaitReport(k);
        assertThat(where.test(r.stack())).as("the report shows where it is stuck: %s", r.render()).isTrue();
        assertThat(kernel.stuckTasks()).contains(r);
        assertThat(k.task().onExit()).as("still blocked after its report").isNotDone();
        free.run();
        assertThat(Fixtures.ended(k.task())).isEqualTo(ExitStatus.KILLED);
        return k.got();
    }

    private StuckTaskReport awaitReport(Killed k) {
        Await.until("task " + k.task().id() + " reported stuck", () -> stuck.stream()
                .anyMatch(r -> r.taskId() == k.task().id()));
        return stuck.stream().filter(r -> r.taskId() == k.task().id()).findFirst().orElseThrow();
    }

    /** Whether {@code thread}'s stack has a call to {@code method} of a class whose name contains {@code type}. */
    private static boolean inCall(Thread thread, String type, String method) {
        return Arrays.stream(thread.getStackTrace())
                .anyMatch(f -> f.getClassName().contains(type) && f.getMethodName().equals(method));
    }

    /** A report's stack that has a call to {@code method} of a class whose name contains {@code type}. */
    private static Predicate<List<StackTraceElement>> calls(String type, String method) {
        return stack -> stack.stream().anyMatch(f -> f.getClassName().contains(type) && f.getMethodName().equals(method));
    }

    /** A report's stack whose top frame is this class's own code (a lambda of a test). */
    private static Predicate<List<StackTraceElement>> inOwnCode() {
        return stack -> !stack.isEmpty() && stack.get(0).getClassName().equals(KillabilityAcceptanceTest.class.getName());
    }

    /** A report's stack that runs this class's own code (the loop, or the Thread.sleep it calls). */
    private static Predicate<List<StackTraceElement>> inLoop() {
        return stack -> stack.stream().anyMatch(f -> f.getClassName().equals(KillabilityAcceptanceTest.class.getName()));
    }

    private static boolean inTasklifeWait(Task<?> task, Thread thread) {
        return task.state() == TaskState.BLOCKED;
    }

    // ---- tasklife waits ---------------------------------------------------------------------------------

    /** A task in Mutex.lock() behind another task's hold ends Killed within the grace, with TaskKilledError. */
    @Test
    void mutexLock_heldByAnotherTask_endsWithinGrace() throws Exception {
        boot(ENDS_GRACE);
        Mutex m = new Mutex();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Task<Void> holder = home.spawnTask(SpawnOptions.named("holder").detached(true), () -> {
            m.lock();
            try {
                held.countDown();
                letGo.await();
            } finally {
                m.unlock();
            }
            return null;
        });
        cleanUp = letGo::countDown;
        Fixtures.await(held);

        Killed k = startBlockedAndKill(false, () -> {
            m.lock();
            m.unlock();
            return "locked";
        }, (t, th) -> t.state() == TaskState.BLOCKED && m.queueLength() == 1);

        assertThat(assertEndsWithinGrace(k)).isInstanceOf(TaskKilledError.class);
        letGo.countDown();
        assertThat(Fixtures.ended(holder)).isInstanceOf(ExitStatus.Exited.class);
    }

    /** A task in Semaphore.acquire() with no permit ends Killed within the grace, with TaskKilledError. */
    @Test
    void semaphoreAcquire_noPermit_endsWithinGrace() throws Exception {
        boot(ENDS_GRACE);
        Semaphore none = new Semaphore(0);
        Killed k = startBlockedAndKill(false, () -> {
            none.acquire();
            return "acquired";
        }, KillabilityAcceptanceTest::inTasklifeWait);
        assertThat(assertEndsWithinGrace(k)).isInstanceOf(TaskKilledError.class);
    }

    /** A task in Tasks.sleep(1 h) ends Killed within the grace, with TaskKilledError. */
    @Test
    void tasksSleep_anHour_endsWithinGrace() throws Exception {
        boot(ENDS_GRACE);
        Killed k = startBlockedAndKill(false, () -> {
            Tasks.sleep(Duration.ofHours(1));
            return "slept";
        }, KillabilityAcceptanceTest::inTasklifeWait);
        assertThat(assertEndsWithinGrace(k)).isInstanceOf(TaskKilledError.class);
    }

    // ---- interruptible JDK calls ------------------------------------------------------------------------

    /** A task in BlockingQueue.take() is interrupted by the kill and ends Killed within the grace. */
    @Test
    void blockingQueueTake_interruptedByTheKill_endsWithinGrace() throws Exception {
        boot(ENDS_GRACE);
        BlockingQueue<String> empty = new LinkedBlockingQueue<>();
        Killed k = startBlockedAndKill(false, empty::take,
                (t, th) -> th.getState() == Thread.State.WAITING && inCall(th, "LinkedBlockingQueue", "take"));
        assertThat(assertEndsWithinGrace(k)).isInstanceOf(InterruptedException.class);
    }

    /** A task in Thread.sleep(1 h) is interrupted by the kill and ends Killed within the grace. */
    @Test
    void threadSleep_interruptedByTheKill_endsWithinGrace() throws Exception {
        boot(ENDS_GRACE);
        Killed k = startBlockedAndKill(false, () -> {
            Thread.sleep(Duration.ofHours(1));
            return "slept";
        }, (t, th) -> th.getState() == Thread.State.TIMED_WAITING && inCall(th, "Thread", "sleep"));
        assertThat(assertEndsWithinGrace(k)).isInstanceOf(InterruptedException.class);
    }

    /** A loop that swallows InterruptedException but calls Tasks.checkpoint() ends at that checkpoint. */
    @Test
    void swallowingLoop_withCheckpoint_endsWithinGrace() throws Exception {
        boot(ENDS_GRACE);
        AtomicInteger loops = new AtomicInteger();
        Killed k = startBlockedAndKill(false, () -> {
            for (;;) {
                try {
                    Thread.sleep(5); // the user code under test (a loop that swallows interrupts), not synchronisation
                } catch (InterruptedException swallowed) {
                    // swallowed on purpose
                }
                loops.incrementAndGet();
                Tasks.checkpoint();
            }
        }, (t, th) -> loops.get() > 0);
        assertThat(assertEndsWithinGrace(k)).isInstanceOf(TaskKilledError.class);
    }

    /** The same loop without Tasks.checkpoint() outlives the kill: reported stuck, ends only when told to stop. */
    @Test
    void swallowingLoop_withoutCheckpoint_reportedStuck_endsOnlyWhenStopped() throws Exception {
        boot(STUCK_GRACE);
        AtomicInteger loops = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        cleanUp = () -> stop.set(true);
        Killed k = startBlockedAndKill(false, () -> {
            while (!stop.get()) {
                try {
                    Thread.sleep(5); // the user code under test (a loop that swallows interrupts), not synchronisation
                } catch (InterruptedException swallowed) {
                    // swallowed on purpose
                }
                loops.incrementAndGet();
            }
            return "stopped";
        }, (t, th) -> loops.get() > 0);
        assertThat(assertStuckUntilFreed(k, inLoop(), () -> stop.set(true)))
                .isEqualTo("stopped");
    }

    /** A task in ReentrantLock.lockInterruptibly() is interrupted by the kill and ends Killed within the grace. */
    @Test
    void reentrantLockInterruptibly_heldByAnotherThread_endsWithinGrace() throws Exception {
        boot(ENDS_GRACE);
        ReentrantLock lock = heldByAnotherThread();
        Killed k = startBlockedAndKill(false, () -> {
            lock.lockInterruptibly();
            lock.unlock();
            return "locked";
        }, (t, th) -> lock.hasQueuedThread(th));
        assertThat(assertEndsWithinGrace(k)).isInstanceOf(InterruptedException.class);
    }

    // ---- sockets ----------------------------------------------------------------------------------------

    /** A loopback connection whose server side never writes; closed after the test. */
    private Socket silentConnection() throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
        Socket silent = server.accept();
        cleanUp = () -> {
            for (AutoCloseable c : List.of(client, silent, server)) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // best effort
                }
            }
        };
        return client;
    }

    private static boolean inSocketRead(Task<?> task, Thread thread) {
        return inCall(thread, "NioSocketImpl", "read");
    }

    /** On a virtual thread, a socket read without a hook is ended by the kill's interrupt (the JDK closes it). */
    @Test
    void socketRead_virtualThreadNoHook_endsWithinGrace() throws Exception {
        boot(ENDS_GRACE);
        Socket s = silentConnection();
        Killed k = startBlockedAndKill(false, () -> s.getInputStream().read(),
                KillabilityAcceptanceTest::inSocketRead);
        assertThat(assertEndsWithinGrace(k)).isInstanceOf(SocketException.class);
        assertThat(s.isClosed()).isTrue();
    }

    /** On a platform thread, a socket read without a hook is reported stuck and ends only when the socket is closed. */
    @Test
    void socketRead_platformThreadNoHook_reportedStuck_endsOnlyWhenClosed() throws Exception {
        boot(STUCK_GRACE);
        Socket s = silentConnection();
        Killed k = startBlockedAndKill(true, () -> s.getInputStream().read(),
                KillabilityAcceptanceTest::inSocketRead);
        assertThat(assertStuckUntilFreed(k, calls("Socket", "read"), () -> close(s))).isInstanceOf(SocketException.class);
    }

    /**
     * The same read of a socket the task owns (Tasks.own): reported stuck, and the report's force-close of what
     * the task owns closes the socket, which ends the read without any help (SPEC K8).
     */
    @Test
    void socketRead_platformThreadOwnedSocket_reportedStuck_endedByTheForceClose() throws Exception {
        boot(STUCK_GRACE);
        Socket s = silentConnection();
        Killed k = startBlockedAndKill(true, () -> {
            Tasks.own(s);
            return s.getInputStream().read();
        }, KillabilityAcceptanceTest::inSocketRead);
        awaitReport(k);
        assertThat(Fixtures.ended(k.task())).isEqualTo(ExitStatus.KILLED);
        assertThat(k.got()).isInstanceOf(SocketException.class);
        assertThat(s.isClosed()).isTrue();
    }

    /** A platform-thread socket read under Tasks.blocking(Unblockers.socket(s), ...) ends within the grace. */
    @Test
    void socketRead_platformThreadUnderBlocking_endsWithinGrace() throws Exception {
        boot(ENDS_GRACE);
        Socket s = silentConnection();
        Killed k = startBlockedAndKill(true, () -> Tasks.blocking(Unblockers.socket(s), s.getInputStream()::read),
                KillabilityAcceptanceTest::inSocketRead);
        Object got = assertEndsWithinGrace(k);
        assertThat(got).isInstanceOf(TaskKilledError.class);
        assertThat(((Throwable) got).getSuppressed()).singleElement().isInstanceOf(SocketException.class);
    }

    // ---- CompletableFuture.join -------------------------------------------------------------------------

    /** CompletableFuture.join() ignores the interrupt: reported stuck, ends only when the future completes. */
    @Test
    void futureJoin_noHook_reportedStuck_endsOnlyWhenCompleted() throws Exception {
        boot(STUCK_GRACE);
        CompletableFuture<String> never = new CompletableFuture<>();
        cleanUp = () -> never.complete("cleanup");
        Killed k = startBlockedAndKill(false, never::join, (t, th) -> never.getNumberOfDependents() > 0);
        assertThat(assertStuckUntilFreed(k, calls("CompletableFuture", "join"), () -> never.complete("late"))).isEqualTo("late");
    }

    /** CompletableFuture.join() under Tasks.blocking(Unblockers.future(f), ...) ends within the grace. */
    @Test
    void futureJoin_underBlocking_endsWithinGrace() throws Exception {
        boot(ENDS_GRACE);
        CompletableFuture<String> never = new CompletableFuture<>();
        Killed k = startBlockedAndKill(false, () -> Tasks.blocking(Unblockers.future(never), never::join),
                (t, th) -> never.getNumberOfDependents() > 0);
        Object got = assertEndsWithinGrace(k);
        assertThat(got).isInstanceOf(TaskKilledError.class);
        assertThat(((Throwable) got).getSuppressed()).singleElement().isInstanceOf(CancellationException.class);
        assertThat(never.isCancelled()).isTrue();
    }

    // ---- Process.waitFor --------------------------------------------------------------------------------

    private Process sleep60() throws Exception {
        assumeTrue(new File("/bin/sleep").canExecute() || new File("/usr/bin/sleep").canExecute(), "needs sleep");
        Process p = new ProcessBuilder("sleep", "60").start();
        cleanUp = p::destroyForcibly;
        return p;
    }

    /** process.waitFor() is interrupted by the kill: the task ends within the grace, but the subprocess lives on. */
    @Test
    void processWaitFor_noHook_endsWithinGrace_subprocessSurvives() throws Exception {
        Process p = sleep60();
        boot(ENDS_GRACE);
        Killed k = startBlockedAndKill(false, p::waitFor, (t, th) -> inCall(th, "Process", "waitFor"));
        assertThat(assertEndsWithinGrace(k)).isInstanceOf(InterruptedException.class);
        assertThat(p.isAlive()).as("nothing destroyed the subprocess").isTrue();
        p.destroyForcibly();
        assertThat(p.waitFor(Await.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }

    /** process.waitFor() under Tasks.blocking(Unblockers.process(p), ...): the task ends and the subprocess is gone. */
    @Test
    void processWaitFor_underBlocking_endsWithinGrace_subprocessDestroyed() throws Exception {
        Process p = sleep60();
        boot(ENDS_GRACE);
        Killed k = startBlockedAndKill(false, () -> Tasks.blocking(Unblockers.process(p), p::waitFor),
                (t, th) -> inCall(th, "Process", "waitFor"));
        assertThat(assertEndsWithinGrace(k)).isInstanceOf(TaskKilledError.class);
        assertThat(p.waitFor(Await.LONG.toMillis(), TimeUnit.MILLISECONDS)).as("the hook destroyed it").isTrue();
    }

    // ---- what no kill reaches ---------------------------------------------------------------------------

    /** A ReentrantLock held by a plain thread until the test's clean-up (or the row's own release). */
    private ReentrantLock heldByAnotherThread() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().name("lock-holder").start(() -> {
            lock.lock();
            try {
                held.countDown();
                letGo.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        cleanUp = () -> release(letGo, holder);
        Fixtures.await(held);
        return lock;
    }

    /** ReentrantLock.lock() ignores the interrupt: reported stuck, ends only when the holder unlocks. */
    @Test
    void reentrantLock_heldByAnotherThread_reportedStuck_endsOnlyWhenUnlocked() throws Exception {
        boot(STUCK_GRACE);
        ReentrantLock lock = heldByAnotherThread();
        Killed k = startBlockedAndKill(false, () -> {
            lock.lock();
            lock.unlock();
            return "locked";
        }, (t, th) -> lock.hasQueuedThread(th));
        assertThat(assertStuckUntilFreed(k, calls("ReentrantLock", "lock"), cleanUp)).isEqualTo("locked");
    }

    /** A task waiting to enter a synchronized block whose monitor another thread holds: reported stuck, ends on release. */
    @Test
    void synchronizedBlock_monitorHeldByAnotherThread_reportedStuck_endsOnlyWhenReleased() throws Exception {
        boot(STUCK_GRACE);
        Object monitor = new Object();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().name("monitor-holder").start(() -> {
            synchronized (monitor) {
                held.countDown();
                try {
                    letGo.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        cleanUp = () -> release(letGo, holder);
        Fixtures.await(held);
        Killed k = startBlockedAndKill(false, () -> {
            synchronized (monitor) {
                return "entered";
            }
        }, (t, th) -> th.getState() == Thread.State.BLOCKED);
        assertThat(assertStuckUntilFreed(k, inOwnCode(), cleanUp)).isEqualTo("entered");
    }

    /** A busy loop that never reaches a safe point: reported stuck, ends only when its flag is set. */
    @Test
    void busyLoop_noSafePoint_reportedStuck_endsOnlyWhenStopped() throws Exception {
        boot(STUCK_GRACE);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean spinning = new AtomicBoolean();
        cleanUp = () -> stop.set(true);
        Killed k = startBlockedAndKill(false, () -> {
            long x = 0;
            spinning.set(true);
            while (!stop.get()) {
                x = x * 31 + 1;
            }
            return x == 42 ? "unlikely" : "stopped";
        }, (t, th) -> spinning.get());
        assertThat(assertStuckUntilFreed(k, inOwnCode(), () -> stop.set(true))).isEqualTo("stopped");
    }

    private static void release(CountDownLatch letGo, Thread holder) {
        letGo.countDown();
        try {
            holder.join(Await.LONG.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
