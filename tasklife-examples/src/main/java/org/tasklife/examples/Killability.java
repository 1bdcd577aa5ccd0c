package org.tasklife.examples;

import java.io.File;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.tasklife.ExitStatus;
import org.tasklife.FailurePolicy;
import org.tasklife.Kernel;
import org.tasklife.ShutdownReport;
import org.tasklife.SpawnOptions;
import org.tasklife.StuckTaskReport;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.interop.Unblockers;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Semaphore;

/**
 * What can and cannot be killed, measured: for each kind of blocking call, starts one task blocked in it,
 * kills it, and measures the time from the kill to the task's end ({@code onExit}), the median of a few
 * rounds. A task the kill cannot end is reported stuck after the (short) kill grace period (docs/contract.md,
 * K8); the program then says what the user sees (the {@code StuckTaskReport}, the force-close of what the task
 * owns), frees the task by hand (releases the lock, sets the flag, closes the socket) and measures how soon it
 * ends after that, so that it always ends clean. Prints a Markdown table (the README's "What can and cannot be
 * killed"); exits 1 if a row's outcome is not the one the contract predicts, or if the kernel does not close
 * clean.
 *
 * <p>Run: {@code scripts/run-example Killability [--rounds N] [--grace-ms M]} (defaults 5 and 300).
 */
public final class Killability {
    private Killability() {}

    /** How a row ends. */
    enum Outcome {
        /** The kill ended the task within the grace period. */
        ENDED("ended"),
        /** Reported stuck after the grace period; the force-close of what it owns ended it. */
        FORCE_CLOSED("stuck, reported; ended by the force-close"),
        /** Reported stuck after the grace period; it ended only when freed by hand. */
        STUCK("stuck, reported; ended only when freed");

        final String text;

        Outcome(String text) {
            this.text = text;
        }
    }

    /** What one row's task blocks in, set up afresh for each round. */
    interface Blocker {
        /** The task's body: the blocking call, as user code would make it. */
        Object call() throws Exception;

        /** Whether the task (running on {@code thread}) is inside the blocking call now. */
        boolean blocked(Task<?> task, Thread thread);

        /** Ends the call from outside, for a task that the kill did not end. */
        default void free() throws Exception {}

        /** Something to say after the task ended (a subprocess still running, ...), or "". */
        default String after() throws Exception {
            return "";
        }

        /** Releases what the round set up (holder threads, sockets, subprocesses). */
        default void release() throws Exception {}
    }

    /** One row of the table. */
    record Case(String name, boolean platform, Outcome expected, Callable<Blocker> setup) {}

    /** What one round measured (times in nanoseconds, -1 when not applicable). */
    record Round(Outcome outcome, long killToEnd, long killToReport, long freeToEnd, String thrown, String where,
            boolean ownedClosed, ExitStatus status, String after) {}

    private static final long LONG_MS = 10_000;
    private static final Map<Long, CompletableFuture<Long>> REPORTED = new ConcurrentHashMap<>();

    private static Kernel kernel;
    private static TaskGroup home;
    private static Duration grace = Duration.ofMillis(300);

    /**
     * Runs every row and prints the table.
     *
     * @param args {@code --rounds N} (default 5), {@code --grace-ms M} (the kill grace period, default 300)
     */
    public static void main(String[] args) throws Exception {
        int rounds = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--grace-ms" -> grace = Duration.ofMillis(Long.parseLong(args[++i]));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --rounds N, --grace-ms M)");
            }
        }
        System.out.printf("Killability: %s %s, %d CPUs (load average %.1f), Java %s (%s), kill grace period %d ms,"
                + " median of %d rounds%n%n", System.getProperty("os.name"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                System.getProperty("java.version"), System.getProperty("java.vm.name"), grace.toMillis(), rounds);
        int unexpected = 0;
        kernel = Kernel.builder().name("killability").jmx(false).killGracePeriod(grace)
                .onStuckTask(r -> REPORTED.computeIfAbsent(r.taskId(), id -> new CompletableFuture<>())
                        .complete(System.nanoTime())) // replaces the WARNING log: the table says what it would show
                .boot();
        try {
            home = kernel.spawnGroup(SpawnOptions.named("home").failurePolicy(FailurePolicy.FAIL_TASK), () -> {
                Tasks.sleep(Duration.ofDays(1));
                return 0;
            });
            System.out.println("| case | outcome | kill -> end | what the user sees |");
            System.out.println("| --- | --- | --- | --- |");
            for (Case c : cases()) {
                if (c.setup() == null) {
                    System.out.printf("| %s | not run | | no `sleep` command on this machine |%n", c.name());
                    continue;
                }
                List<Round> measured = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    measured.add(round(c, r));
                }
                boolean asExpected = measured.stream().allMatch(m -> m.outcome() == c.expected()
                        && m.status() instanceof ExitStatus.Killed);
                if (!asExpected) {
                    unexpected++;
                }
                System.out.println(row(c, measured, asExpected));
            }
            home.kill();
            home.reap();
        } finally {
            ShutdownReport report = kernel.close(Duration.ofSeconds(5));
            System.out.printf("%nkernel closed %s in %d ms; stuck reports made during the run: %d (the stuck rows')%n",
                    report.isClean() ? "clean" : "NOT clean " + report.stuck(), report.elapsed().toMillis(),
                    kernel.stuckTasks().size());
            if (!report.isClean()) {
                unexpected++;
            }
        }
        if (unexpected > 0) {
            System.out.println(unexpected + " row(s) not as the contract predicts");
            System.exit(1);
        }
    }

    /** Starts a task blocked as {@code c} says, kills it, and measures what happens. */
    private static Round round(Case c, int round) throws Exception {
        Blocker b = c.setup().call();
        try {
            CompletableFuture<Thread> thread = new CompletableFuture<>();
            CompletableFuture<Object> result = new CompletableFuture<>();
            AtomicLong ownedClosedAt = new AtomicLong();
            Task<Void> t = home.spawnTask(SpawnOptions.named("case-" + round).detached(true).platformThread(c.platform()),
                    () -> {
                        thread.complete(Thread.currentThread());
                        Tasks.own(() -> ownedClosedAt.set(System.nanoTime())); // shows when what it owns is closed
                        try {
                            result.complete(b.call());
                        } catch (Throwable e) {
                            result.complete(e);
                            throw e;
                        }
                        return null;
                    });
            Thread th = thread.get(LONG_MS, TimeUnit.MILLISECONDS);
            await(c.name() + " blocks", () -> b.blocked(t, th));
            AtomicLong endedAt = new AtomicLong();
            CompletableFuture<ExitStatus> end = t.onExit().whenComplete((s, x) -> endedAt.set(System.nanoTime()));
            CompletableFuture<Long> reported = REPORTED.computeIfAbsent(t.id(), id -> new CompletableFuture<>());

            long killedAt = System.nanoTime();
            t.kill();
            CompletableFuture.anyOf(end, reported).get(LONG_MS, TimeUnit.MILLISECONDS);

            // The report is recorded before the force-close, which may end the task before the listener runs.
            boolean wasReported = kernel.stuckTasks().stream().anyMatch(r -> r.taskId() == t.id());
            if (end.isDone() && !wasReported) {
                ExitStatus s = end.get(LONG_MS, TimeUnit.MILLISECONDS);
                return new Round(Outcome.ENDED, endedAt.get() - killedAt, -1, -1, describe(result.get()), "", false, s,
                        b.after());
            }
            long reportedAt = reported.get(LONG_MS, TimeUnit.MILLISECONDS);
            String where = where(kernel.stuckTasks().stream().filter(r -> r.taskId() == t.id()).findFirst().orElseThrow());
            boolean ownedClosed = ownedClosedAt.get() != 0;
            try {
                ExitStatus s = end.get(grace.toMillis(), TimeUnit.MILLISECONDS); // did the force-close end it?
                return new Round(Outcome.FORCE_CLOSED, endedAt.get() - killedAt, reportedAt - killedAt, -1,
                        describe(result.get()), where, ownedClosed, s, b.after());
            } catch (TimeoutException stillStuck) {
                long freedAt = System.nanoTime();
                b.free();
                ExitStatus s = end.get(LONG_MS, TimeUnit.MILLISECONDS);
                return new Round(Outcome.STUCK, -1, reportedAt - killedAt, endedAt.get() - freedAt,
                        describe(result.get()), where, ownedClosed, s, b.after());
            }
        } finally {
            b.release();
        }
    }

    // ---- the rows -------------------------------------------------------------------------------------

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("tasklife `Mutex.lock()`, held by another task", false, Outcome.ENDED, Killability::mutex));
        cases.add(new Case("tasklife `Semaphore.acquire()`, no permit", false, Outcome.ENDED, () -> new Blocker() {
            final Semaphore none = new Semaphore(0);

            @Override
            public Object call() {
                none.acquire();
                return "acquired";
            }

            @Override
            public boolean blocked(Task<?> task, Thread thread) {
                return task.state() == TaskState.BLOCKED;
            }
        }));
        cases.add(new Case("`Tasks.sleep(1 h)`", false, Outcome.ENDED, () -> new Blocker() {
            @Override
            public Object call() {
                Tasks.sleep(Duration.ofHours(1));
                return "slept";
            }

            @Override
            public boolean blocked(Task<?> task, Thread thread) {
                return task.state() == TaskState.BLOCKED;
            }
        }));
        cases.add(new Case("`BlockingQueue.take()` (interruptible JDK call)", false, Outcome.ENDED, () -> new Blocker() {
            final BlockingQueue<String> empty = new LinkedBlockingQueue<>();

            @Override
            public Object call() throws InterruptedException {
                return empty.take();
            }

            @Override
            public boolean blocked(Task<?> task, Thread thread) {
                return thread.getState() == Thread.State.WAITING && inCall(thread, "LinkedBlockingQueue", "take");
            }
        }));
        cases.add(new Case("`Thread.sleep(1 h)` (interruptible JDK call)", false, Outcome.ENDED, () -> new Blocker() {
            @Override
            public Object call() throws InterruptedException {
                Thread.sleep(Duration.ofHours(1));
                return "slept";
            }

            @Override
            public boolean blocked(Task<?> task, Thread thread) {
                return thread.getState() == Thread.State.TIMED_WAITING && inCall(thread, "Thread", "sleep");
            }
        }));
        cases.add(new Case("loop swallowing `InterruptedException`, calls `Tasks.checkpoint()`", false, Outcome.ENDED,
                () -> swallowingLoop(true)));
        cases.add(new Case("the same loop without `Tasks.checkpoint()`", false, Outcome.STUCK, () -> swallowingLoop(false)));
        cases.add(new Case("socket read, no hook, virtual thread", false, Outcome.ENDED, () -> socketRead(Hook.NONE)));
        cases.add(new Case("socket read, no hook, platform thread", true, Outcome.STUCK, () -> socketRead(Hook.NONE)));
        cases.add(new Case("socket read, no hook, platform thread, socket owned (`Tasks.own`)", true, Outcome.FORCE_CLOSED,
                () -> socketRead(Hook.OWNED)));
        cases.add(new Case("socket read under `Tasks.blocking(Unblockers.socket(s), ...)`, platform thread", true,
                Outcome.ENDED, () -> socketRead(Hook.BLOCKING)));
        cases.add(new Case("`CompletableFuture.join()`, no hook", false, Outcome.STUCK, () -> futureJoin(false)));
        cases.add(new Case("`CompletableFuture.join()` under `Tasks.blocking(Unblockers.future(f), ...)`", false,
                Outcome.ENDED, () -> futureJoin(true)));
        boolean sleepCommand = new File("/bin/sleep").canExecute() || new File("/usr/bin/sleep").canExecute();
        cases.add(new Case("`process.waitFor()` on `sleep 60`, no hook", false, Outcome.ENDED,
                sleepCommand ? () -> waitFor(false) : null));
        cases.add(new Case("`process.waitFor()` under `Tasks.blocking(Unblockers.process(p), ...)`", false, Outcome.ENDED,
                sleepCommand ? () -> waitFor(true) : null));
        cases.add(new Case("`ReentrantLock.lock()`, held by another thread", false, Outcome.STUCK,
                () -> reentrantLock(false)));
        cases.add(new Case("`ReentrantLock.lockInterruptibly()`, held by another thread", false, Outcome.ENDED,
                () -> reentrantLock(true)));
        cases.add(new Case("`synchronized`, monitor held by another thread", false, Outcome.STUCK, Killability::monitor));
        cases.add(new Case("busy loop that never reaches a safe point", false, Outcome.STUCK, Killability::busyLoop));
        return cases;
    }

    private static Blocker mutex() throws Exception {
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
        if (!held.await(LONG_MS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the holder did not take the lock");
        }
        return new Blocker() {
            @Override
            public Object call() {
                m.lock();
                try {
                    return "locked";
                } finally {
                    m.unlock();
                }
            }

            @Override
            public boolean blocked(Task<?> task, Thread thread) {
                return task.state() == TaskState.BLOCKED && m.queueLength() == 1;
            }

            @Override
            public void release() throws Exception {
                letGo.countDown();
                holder.onExit().get(LONG_MS, TimeUnit.MILLISECONDS);
            }
        };
    }

    private static Blocker swallowingLoop(boolean checkpoint) {
        AtomicInteger loops = new AtomicInteger();
        return new Blocker() {
            volatile boolean stop;

            @Override
            public Object call() {
                while (!stop) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException swallowed) {
                        // as too much code does
                    }
                    loops.incrementAndGet();
                    if (checkpoint) {
                        Tasks.checkpoint();
                    }
                }
                return "stopped";
            }

            @Override
            public boolean blocked(Task<?> task, Thread thread) {
                return loops.get() > 0;
            }

            @Override
            public void free() {
                stop = true;
            }
        };
    }

    private enum Hook { NONE, OWNED, BLOCKING }

    private static Blocker socketRead(Hook hook) throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
        Socket silent = server.accept(); // never writes
        return new Blocker() {
            @Override
            public Object call() throws Exception {
                InputStream in = client.getInputStream();
                return switch (hook) {
                    case NONE -> in.read();
                    case OWNED -> {
                        Tasks.own(client);
                        yield in.read();
                    }
                    case BLOCKING -> Tasks.blocking(Unblockers.socket(client), in::read);
                };
            }

            @Override
            public boolean blocked(Task<?> task, Thread thread) {
                return inCall(thread, "NioSocketImpl", "read");
            }

            @Override
            public void free() throws Exception {
                client.close();
            }

            @Override
            public void release() throws Exception {
                client.close();
                silent.close();
                server.close();
            }
        };
    }

    private static Blocker futureJoin(boolean hooked) {
        CompletableFuture<String> never = new CompletableFuture<>();
        return new Blocker() {
            @Override
            public Object call() throws Exception {
                return hooked ? Tasks.blocking(Unblockers.future(never), never::join) : never.join();
            }

            @Override
            public boolean blocked(Task<?> task, Thread thread) {
                return never.getNumberOfDependents() > 0;
            }

            @Override
            public void free() {
                never.complete("completed at last");
            }
        };
    }

    private static Blocker waitFor(boolean hooked) throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        return new Blocker() {
            @Override
            public Object call() throws Exception {
                return hooked ? Tasks.blocking(Unblockers.process(p), p::waitFor) : p.waitFor();
            }

            @Override
            public boolean blocked(Task<?> task, Thread thread) {
                return inCall(thread, "Process", "waitFor");
            }

            @Override
            public String after() throws Exception {
                if (hooked) { // the hook destroys it: wait for that
                    return p.waitFor(LONG_MS, TimeUnit.MILLISECONDS) ? "`sleep 60` destroyed" : "`sleep 60` STILL RUNNING";
                }
                return p.isAlive() ? "`sleep 60` still running (destroyed by hand)" : "`sleep 60` gone";
            }

            @Override
            public void release() throws Exception {
                p.destroyForcibly();
                p.waitFor(LONG_MS, TimeUnit.MILLISECONDS);
            }
        };
    }

    private static Blocker reentrantLock(boolean interruptibly) throws Exception {
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
        if (!held.await(LONG_MS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the holder did not take the lock");
        }
        return new Blocker() {
            @Override
            public Object call() throws Exception {
                if (interruptibly) {
                    lock.lockInterruptibly();
                } else {
                    lock.lock();
                }
                try {
                    return "locked";
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public boolean blocked(Task<?> task, Thread thread) {
                return lock.hasQueuedThread(thread);
            }

            @Override
            public void free() {
                letGo.countDown();
            }

            @Override
            public void release() throws Exception {
                letGo.countDown();
                holder.join(LONG_MS);
            }
        };
    }

    private static Blocker monitor() throws Exception {
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
        if (!held.await(LONG_MS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the holder did not take the lock");
        }
        return new Blocker() {
            @Override
            public Object call() {
                synchronized (monitor) {
                    return "entered";
                }
            }

            @Override
            public boolean blocked(Task<?> task, Thread thread) {
                return thread.getState() == Thread.State.BLOCKED;
            }

            @Override
            public void free() {
                letGo.countDown();
            }

            @Override
            public void release() throws Exception {
                letGo.countDown();
                holder.join(LONG_MS);
            }
        };
    }

    private static Blocker busyLoop() {
        return new Blocker() {
            volatile boolean stop;
            volatile boolean spinning;

            @Override
            public Object call() {
                long x = 0;
                spinning = true;
                while (!stop) {
                    x = x * 31 + 1; // no tasklife call, no JDK blocking call: nothing a kill can reach
                }
                return x == 42 ? "unlikely" : "stopped";
            }

            @Override
            public boolean blocked(Task<?> task, Thread thread) {
                return spinning;
            }

            @Override
            public void free() {
                stop = true;
            }
        };
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /** Whether {@code thread}'s stack has a call to {@code method} of a class whose name contains {@code type}. */
    private static boolean inCall(Thread thread, String type, String method) {
        return Arrays.stream(thread.getStackTrace())
                .anyMatch(f -> f.getClassName().contains(type) && f.getMethodName().equals(method));
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LONG_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
    }

    /** What the body got: the exception (with what it suppressed), or "returns normally". */
    private static String describe(Object result) {
        if (!(result instanceof Throwable e)) {
            return "returns normally";
        }
        StringBuilder sb = new StringBuilder("`").append(e.getClass().getSimpleName()).append('`');
        if (e.getSuppressed().length > 0) {
            sb.append(" (suppressed: `").append(e.getSuppressed()[0].getClass().getSimpleName()).append("`)");
        } else if (e.getMessage() != null && !(e instanceof org.tasklife.TaskKilledError)) {
            sb.append(" \"").append(e.getMessage()).append('"');
        }
        return sb.toString();
    }

    /** Where the report says the task is: the call its code made (the frame above the first frame of this class). */
    private static String where(StuckTaskReport r) {
        List<StackTraceElement> s = r.stack();
        for (int i = 0; i < s.size(); i++) {
            if (s.get(i).getClassName().startsWith(Killability.class.getName())) {
                if (i == 0) {
                    return "state " + r.state() + ", in its own code";
                }
                StackTraceElement f = s.get(i - 1);
                String cls = f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1);
                return "state " + r.state() + ", in `" + cls + "." + f.getMethodName() + "`";
            }
        }
        return "state " + r.state();
    }

    private static String row(Case c, List<Round> rs, boolean asExpected) {
        Round first = rs.get(0);
        String outcome = asExpected ? first.outcome().text
                : "UNEXPECTED: " + rs.stream().map(r -> r.outcome().text + " " + r.status()).toList()
                        + " (the contract predicts " + c.expected().text + ")";
        String time = switch (first.outcome()) {
            case ENDED -> fmt(median(rs, Round::killToEnd));
            case FORCE_CLOSED -> fmt(median(rs, Round::killToEnd)) + " (reported after " + fmt(median(rs, Round::killToReport))
                    + ")";
            case STUCK -> "never; reported after " + fmt(median(rs, Round::killToReport)) + ", ended "
                    + fmt(median(rs, Round::freeToEnd)) + " after being freed";
        };
        StringBuilder sees = new StringBuilder();
        switch (first.outcome()) {
            case ENDED -> sees.append(first.thrown()).append(", status `").append(first.status()).append('`');
            case FORCE_CLOSED -> sees.append("`StuckTaskReport` (").append(first.where()).append(
                    "); its owned socket force-closed, so ").append(first.thrown()).append(", status `")
                    .append(first.status()).append('`');
            case STUCK -> sees.append("`StuckTaskReport` (").append(first.where()).append(")")
                    .append(first.ownedClosed() ? "; what it owns force-closed" : "")
                    .append("; once freed, ").append(first.thrown()).append(", status `").append(first.status())
                    .append('`');
        }
        if (!first.after().isEmpty()) {
            sees.append("; ").append(first.after());
        }
        return "| " + c.name() + " | " + outcome + " | " + time + " | " + sees + " |";
    }

    private interface Metric {
        long of(Round r);
    }

    private static long median(List<Round> rs, Metric m) {
        long[] v = rs.stream().mapToLong(m::of).sorted().toArray();
        return v[v.length / 2];
    }

    private static String fmt(long nanos) {
        if (nanos < 0) {
            return "?";
        }
        if (nanos < 1_000_000) {
            return (nanos / 1_000) + " µs";
        }
        if (nanos < 10_000_000) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        return (nanos / 1_000_000) + " ms";
    }
}
