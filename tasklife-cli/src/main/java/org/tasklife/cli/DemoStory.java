package org.tasklife.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.management.JMException;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.tasklife.ChildSelector;
import org.tasklife.Domain;
import org.tasklife.DomainOptions;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.KernelSnapshot;
import org.tasklife.ShutdownReport;
import org.tasklife.Task;
import org.tasklife.TaskBody;
import org.tasklife.TaskGroup;
import org.tasklife.TaskInfo;
import org.tasklife.TaskKilledException;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.explore.ScheduleExplorer;
import org.tasklife.management.KernelMXBean;
import org.tasklife.sync.Barrier;
import org.tasklife.sync.Condition;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Once;
import org.tasklife.sync.ReadWriteLock;
import org.tasklife.sync.Semaphore;

/**
 * The story {@code tasklife demo} tells, on real work: a domain "shop" whose groups compute, sleep and
 * block in every kind of tasklife wait; a live process table; a kill of a task blocked in a mutex; the stop
 * of "shop"; the stop of a domain of thousands of blocked tasks beside interrupting as many plain virtual
 * threads; and a leak audit. Every claim it prints is checked; a failed check makes it exit 1.
 */
final class DemoStory {
    private static final String[] STEPS = {
        "boot a kernel with a domain 'shop'",
        "spawn groups that compute, sleep and block",
        "watch the process table",
        "kill a task blocked in a mutex",
        "stop the domain 'shop'",
        "stop a domain of thousands of blocked tasks",
        "replay a race from a seed, and find one in every schedule (scheduler mode)",
        "audit for leaks"};
    private static final Duration FOREVER = Duration.ofHours(1);
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final int CROWD_GROUP_SIZE = 100;

    private final PrintWriter out;
    private final Style s;
    private final boolean quiet;
    private final boolean live; // redraw the table in place (a terminal, colors on, not quiet)
    private final int crowd;
    private final Hold hold; // null: no pause
    private final List<Domain> domains = new ArrayList<>(); // created by the story, stopped if it fails
    private final ResourceLedger ledger = new ResourceLedger();
    private final long start = System.nanoTime();
    private int failures;
    private int step;
    private int framedLines; // lines of the last live frame, to redraw over

    /** What the story does while it holds (after the shop's tasks blocked): wait for Enter, or a test's action. */
    @FunctionalInterface
    interface Hold {
        /** Returns when the story may go on. */
        void await() throws Exception;
    }

    DemoStory(PrintWriter out, Style style, boolean quiet, int crowd, Hold hold) {
        this.hold = hold;
        this.out = out;
        this.s = style;
        this.quiet = quiet;
        this.live = style.isOn() && !quiet;
        this.crowd = crowd;
    }

    /** Runs the story. @return the exit code: 0 if every check passed, else 1 */
    int run() {
        Kernel kernel = Kernel.builder().name("demo").boot();
        ShutdownReport report = null;
        try {
            story(kernel);
            awaitQuiet(kernel);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            check("the story ran to its end", false, "interrupted");
        } catch (Exception e) {
            check("the story ran to its end", false, e.toString());
            abandon(kernel);
        } finally {
            step("audit for leaks");
            long live = kernel.liveTaskCount();
            long waiters = Kernel.queuedWaitersInJvm();
            check("0 live tasks", live == 0, live + " live\n" + kernel.snapshot().renderTable());
            check("0 queued waiters", waiters == 0, waiters + " queued");
            check("0 timers armed", kernel.pendingTimerCount() == 0, kernel.pendingTimerCount() + " armed");
            check("0 owned resources open", kernel.openResourceCount() == 0, kernel.openResourceCount() + " open");
            check(String.format("%,d resources closed exactly once", ledger.opened()),
                    ledger.closedOnce() == ledger.opened(), String.join(", ", ledger.anomalies(5)));
            check("0 stuck tasks", kernel.stuckTasks().isEmpty(), kernel.stuckTasks().size() + " stuck");
            report = kernel.close(Duration.ofSeconds(10));
            check("the kernel closed cleanly", report.isClean(), report.stuck().size() + " tasks did not end");
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (failures == 0) {
            out.println(s.green(s.bold(String.format("audit: OK — 0 live tasks, 0 queued waiters, %,d resources closed "
                    + "exactly once", ledger.opened()))) + s.dim(" (" + ms + " ms)"));
        } else {
            out.println(s.red(s.bold("audit: FAILED — " + failures + " check" + (failures == 1 ? "" : "s") + " failed"))
                    + s.dim(" (" + ms + " ms)"));
        }
        out.flush();
        return failures == 0 ? 0 : 1;
    }

    private void story(Kernel kernel) throws Exception {
        step(STEPS[0]);
        Domain shop = kernel.createDomain(DomainOptions.named("shop").maxTasks(1_000));
        domains.add(shop);
        say("kernel 'demo' booted; domain 'shop' (id " + shop.id() + ") created below the root domain, at most 1,000 tasks");

        step(STEPS[1]);
        Shop work = new Shop(shop);
        work.spawn();
        boolean blocked = await(() -> blockedCount(kernel) >= Shop.BLOCKING_TASKS);
        check(Shop.BLOCKING_TASKS + " tasks blocked, one in each kind of wait; 'render' computes", blocked,
                kernel.snapshot().renderTable());
        say("groups web (with a child group 'batch'), db and pool: " + kernel.liveTaskCount() + " tasks, each owning a resource");

        step(STEPS[2]);
        watch(kernel);
        if (hold != null) {
            out.println(s.bold("  holding: in another terminal, try `bin/tasklife tree --pid " + ProcessHandle.current().pid()
                    + "` (or ps, top, kill writer-1, stop shop); press Enter to go on"));
            out.flush();
            hold.await();
        }

        step(STEPS[3]);
        killWriter(kernel, work);

        step(STEPS[4]);
        long before = shop.liveTaskCount();
        long t0 = System.nanoTime();
        boolean recorded = shop.stop(0);
        boolean stopped = shop.awaitStopped(Duration.ofSeconds(20));
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0);
        check("domain 'shop' stopped", stopped, "still " + shop.state());
        if (recorded) {
            result(String.format("stop(shop): %d tasks — sleeping, joining, waiting for a child, in a mutex, a condition, "
                    + "a read-write lock, a semaphore, a barrier, a once, and one computing — ended in %,d µs", before,
                    micros));
        } else {
            result("stop(shop): the domain was already stopped from outside (status " + shop.status().map(Object::toString)
                    .orElse("pending") + "): nothing left to stop");
        }
        check("every resource of 'shop' closed exactly once", ledger.closedOnce() == ledger.opened(),
                String.join(", ", ledger.anomalies(5)));
        shop.free();

        step(STEPS[5]);
        stopCrowd(kernel);

        step(STEPS[6]);
        replay();
    }

    // ---- step 7: deterministic mode ----

    /** Runs one racy scenario in deterministic mode with two seeds, the first twice: same seed, same trace. */
    private void replay() throws Exception {
        long t0 = System.nanoTime();
        String a = deterministicRun(7);
        String again = deterministicRun(7);
        String other = deterministicRun(8);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        say("200 tasks on one CPU token take a mutex and a semaphore, sleep up to 3 hours of virtual time, and every "
                + "10th is killed by another task; the seed picks every interleaving");
        check("seed 7, run twice: the same interleaving, hand-off by hand-off", a.equals(again), a + " vs " + again);
        check("seed 8: another interleaving", !a.equals(other), other);
        result(String.format("deterministic mode: seed 7 → trace %s (twice), seed 8 → %s; 3 runs with hours of "
                + "virtual sleep in %,d ms", a, other, ms));
        explore();
    }

    /** The schedule explorer: a lost update found by trying every schedule, replayed; the fixed version proven. */
    private void explore() {
        long t0 = System.nanoTime();
        ScheduleExplorer explorer = ScheduleExplorer.exhaustive(2);
        ScheduleExplorer.Result racy = explorer.explore(() -> twoIncrements(null));
        say("two tasks each read a counter, reach a safe point, and write it back + 1; the explorer tries every "
                + "schedule with at most 2 preemptions");
        check("the explorer finds the lost update", racy.failed(), racy.toString());
        if (!racy.failed()) {
            return;
        }
        ScheduleExplorer.Failure f = racy.firstFailure().get();
        Optional<ScheduleExplorer.Failure> again = explorer.replay(f.schedule(), () -> twoIncrements(null));
        check("its schedule replays the same run", again.isPresent() && again.get().trace().equals(f.trace()),
                again.toString());
        ScheduleExplorer.Result locked = explorer.explore(() -> twoIncrements(new Mutex()));
        check("with a mutex around the update, no schedule fails and every one was tried",
                !locked.failed() && locked.exhausted(), locked.toString());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        result(String.format("schedule explorer: lost update found at run %d, schedule \"%s\" replays it; with a mutex "
                + "all %d schedules pass; %,d ms", racy.runs(), f.schedule(), locked.runs(), ms));
    }

    private static int twoIncrements(Mutex guard) throws Exception {
        int[] counter = {0};
        List<Task<Object>> ts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ts.add(Tasks.spawnTask("inc" + i, () -> {
                if (guard != null) {
                    guard.lock();
                }
                try {
                    int v = counter[0];
                    Tasks.checkpoint(); // where a preemption loses the other task's write
                    counter[0] = v + 1;
                } finally {
                    if (guard != null) {
                        guard.unlock();
                    }
                }
                return null;
            }));
        }
        for (Task<Object> t : ts) {
            t.join();
        }
        if (counter[0] != 2) {
            throw new AssertionError("lost update: the counter is " + counter[0] + ", not 2");
        }
        return 0;
    }

    private static String deterministicRun(long seed) throws Exception {
        try (Kernel k = Kernel.builder().name("replay").deterministic(seed).jmx(false).boot()) {
            Mutex m = new Mutex();
            Semaphore sem = new Semaphore(2);
            TaskGroup g = k.spawnGroup("race", () -> {
                List<Task<Object>> ts = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    int n = i;
                    ts.add(Tasks.spawnTask("t" + i, () -> {
                        m.lock();
                        m.unlock();
                        sem.acquire();
                        try {
                            Tasks.sleep(Duration.ofMinutes(n % 180));
                        } finally {
                            sem.release();
                        }
                        return null;
                    }));
                    if (i % 10 == 9) {
                        ts.get(i - 3).kill();
                    }
                }
                for (Task<Object> t : ts) {
                    try {
                        t.join();
                    } catch (TaskKilledException expected) {
                        // every 10th
                    }
                }
                return 0;
            });
            g.onExit().get(20, TimeUnit.SECONDS);
            g.reap();
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            for (String line : k.schedulerTrace()) {
                crc.update((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return Long.toHexString(crc.getValue());
        }
    }

    // ---- step 2: the shop ----

    /** The groups of domain 'shop' and the primitives they block in. */
    private final class Shop {
        static final int BLOCKING_TASKS = 16; // every task of the shop but 'render'

        final Domain domain;
        final Mutex table = new Mutex();
        final Mutex flushLock = new Mutex();
        final Condition flushed = flushLock.newCondition();
        final ReadWriteLock schema = new ReadWriteLock();
        final Semaphore connections = new Semaphore(0);
        final Barrier sync = new Barrier(3);
        final Once init = new Once();
        Task<?> writer1;
        TaskGroup db;

        Shop(Domain domain) {
            this.domain = domain;
        }

        void spawn() throws InterruptedException {
            TaskGroup web = domain.spawnGroup("web", () -> {
                own("web");
                Tasks.spawnGroup("batch", () -> {
                    own("batch");
                    Tasks.sleep(FOREVER);
                    return 0;
                });
                Tasks.waitChild(ChildSelector.any()); // blocked until 'batch' ends
                return 0;
            });
            web.spawnTask("render", () -> {
                own("render");
                long x = 1;
                for (;;) {
                    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(15);
                    while (System.nanoTime() - until < 0) {
                        for (int i = 0; i < 1_000; i++) {
                            x = x * 6364136223846793005L + 1442695040888963407L; // real work: an LCG
                        }
                        Tasks.checkpoint(); // a kill lands here
                    }
                    if (x == 42) {
                        return x;
                    }
                    Tasks.sleep(Duration.ofMillis(25));
                }
            });
            web.spawnTask("cache", sleeper("cache"));

            db = domain.spawnGroup("db", () -> {
                own("db");
                table.lock(); // held while it sleeps: the writers queue behind it
                Tasks.sleep(FOREVER);
                return 0;
            });
            awaitBlocked(db.id());
            writer1 = db.spawnTask("writer-1", locker("writer-1"));
            db.spawnTask("writer-2", locker("writer-2"));
            db.spawnTask("flusher", () -> {
                own("flusher");
                flushLock.lock();
                try {
                    flushed.await();
                } finally {
                    flushLock.unlock();
                }
                return null;
            });
            Task<?> migrator = db.spawnTask("migrator", () -> {
                own("migrator");
                schema.writeLock();
                Tasks.sleep(FOREVER);
                return null;
            });
            awaitBlocked(migrator.id());
            db.spawnTask("reader", () -> {
                own("reader");
                schema.readLock();
                return null;
            });

            TaskGroup pool = domain.spawnGroup("pool", () -> {
                own("pool");
                Task<?> conn = Tasks.spawnTask("conn-1", acquirer("conn-1"));
                conn.join(); // blocked in join
                return 0;
            });
            pool.spawnTask("conn-2", acquirer("conn-2"));
            pool.spawnTask("sync-1", barrier("sync-1"));
            pool.spawnTask("sync-2", barrier("sync-2"));
            Task<?> initA = pool.spawnTask("init-a", () -> {
                own("init-a");
                init.run(() -> Tasks.sleep(FOREVER)); // the initialiser never finishes
                return null;
            });
            awaitBlocked(initA.id());
            pool.spawnTask("init-b", () -> {
                own("init-b");
                init.run(() -> {});
                return null;
            });
        }

        private TaskBody<Object> sleeper(String name) {
            return () -> {
                own(name);
                Tasks.sleep(FOREVER);
                return null;
            };
        }

        private TaskBody<Object> locker(String name) {
            return () -> {
                own(name);
                table.lock();
                table.unlock();
                return null;
            };
        }

        private TaskBody<Object> acquirer(String name) {
            return () -> {
                own(name);
                connections.acquire();
                return null;
            };
        }

        private TaskBody<Object> barrier(String name) {
            return () -> {
                own(name);
                return sync.await();
            };
        }

        private void awaitBlocked(long taskId) throws InterruptedException {
            BooleanSupplier isBlocked = () -> domain.snapshot().tasks().stream()
                    .anyMatch(t -> t.id() == taskId && t.state() == TaskState.BLOCKED);
            if (!await(isBlocked)) {
                throw new IllegalStateException("task " + taskId + " did not block within 20 s");
            }
        }
    }

    private void own(String name) {
        Tasks.own(ledger.open(name));
    }

    private static long blockedCount(Kernel kernel) {
        return kernel.snapshot().tasks().stream().filter(t -> t.state() == TaskState.BLOCKED).count();
    }

    // ---- step 3: the live table ----

    private void watch(Kernel kernel) throws InterruptedException {
        if (quiet) {
            return;
        }
        KernelMXBean mx = mxOf(kernel);
        int frames = live ? 12 : 1;
        for (int i = 0; i < frames; i++) {
            if (i > 0) {
                TimeUnit.MILLISECONDS.sleep(250); // the refresh period of the display
            }
            KernelSnapshot snap = mx == null ? kernel.snapshot() : mx.getSnapshot().snapshot();
            String table = ProcessTable.render(snap, snap.tasks(), 20, s, null);
            StringBuilder frame = new StringBuilder();
            if (live && framedLines > 0) {
                frame.append("\u001b[").append(framedLines).append("F\u001b[J");
            }
            frame.append(s.dim("  the same view `tasklife ps --pid " + ProcessHandle.current().pid()
                    + "` shows, refreshed " + (i + 1) + "/" + frames)).append('\n').append(table);
            framedLines = (int) frame.chars().filter(c -> c == '\n').count();
            out.print(frame);
            out.flush();
        }
        framedLines = 0;
    }

    /** This kernel's MXBean, as `tasklife ps` reads it; null if JMX is unavailable. */
    private static KernelMXBean mxOf(Kernel kernel) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName best = server.queryNames(new ObjectName("org.tasklife:type=Kernel,name=demo,*"), null).stream()
                    .max(Comparator.comparingLong(n -> Long.parseLong(n.getKeyProperty("id")))).orElse(null);
            return best == null ? null : JMX.newMXBeanProxy(server, best, KernelMXBean.class);
        } catch (JMException | RuntimeException e) {
            return null;
        }
    }

    // ---- step 4: a kill ----

    /**
     * Kills 'writer-1', queued on the mutex 'db' holds. While the story held, the user may have killed it, its
     * group, or stopped 'shop' from outside: then this says so and checks only what still holds.
     */
    private void killWriter(Kernel kernel, Shop work) throws Exception {
        Task<?> w = work.writer1;
        Optional<TaskInfo> row = kernel.snapshot().tasks().stream().filter(t -> t.id() == w.id()).findFirst();
        boolean dbHolds = !work.db.onExit().isDone() && work.table.isLocked();
        int queued = work.table.queueLength();
        long t0 = System.nanoTime();
        boolean killed = row.isPresent() && w.kill();
        ExitStatus status = w.onExit().get(20, TimeUnit.SECONDS);
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0);
        if (killed) {
            TaskInfo r = row.get();
            result(String.format("kill(task %d '%s', %s in %s): ended %s in %,d µs", w.id(), w.name(), r.state(),
                    r.waitChannel(), status, micros));
            check("the kill took effect and the task ended Killed", status.equals(ExitStatus.KILLED), "" + status);
            if (dbHolds && !work.db.onExit().isDone()) {
                check("the mutex is still held by 'db'; its queue went " + queued + " → " + (queued - 1),
                        work.table.isLocked() && work.table.queueLength() == queued - 1,
                        "locked " + work.table.isLocked() + ", queue " + work.table.queueLength());
            } else {
                say("'db', the mutex's holder, was ended from outside: its queue is not checked");
            }
        } else {
            result(String.format("kill(task %d '%s'): already ended %s before the demo got to it (killed or stopped "
                    + "from outside): nothing to kill", w.id(), w.name(), status));
        }
        check("the " + (killed ? "killed" : "ended") + " task's resource closed exactly once",
                ledger.closesOf("writer-1").equals(List.of(1)), "closes: " + ledger.closesOf("writer-1"));
    }

    /** After a failed step: stops what the story started, so that the audit reports leaks, not an abandoned story. */
    private void abandon(Kernel kernel) {
        try {
            for (Domain d : domains) {
                try {
                    d.stop(0);
                    d.awaitStopped(Duration.ofSeconds(20));
                } catch (RuntimeException e) {
                    say("could not stop domain '" + d.name() + "': " + e);
                }
            }
            awaitQuiet(kernel);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- step 6: the crowd ----

    private void stopCrowd(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain(DomainOptions.named("crowd"));
        domains.add(d);
        Mutex hostHeld = new Mutex();
        hostHeld.lock(); // the host holds it: the crowd's lockers queue forever
        ReadWriteLock hostRead = new ReadWriteLock();
        hostRead.readLock();
        Semaphore empty = new Semaphore(0);
        Mutex m = new Mutex();
        Condition never = m.newCondition();
        Barrier neverFull = new Barrier(crowd + 1);
        List<TaskBody<Object>> kinds = List.of(
                () -> {
                    hostHeld.lock();
                    return null;
                },
                () -> {
                    empty.acquire();
                    return null;
                },
                () -> empty.tryAcquire(FOREVER),
                () -> {
                    m.lock();
                    try {
                        never.await();
                    } finally {
                        m.unlock();
                    }
                    return null;
                },
                () -> {
                    hostRead.writeLock();
                    return null;
                },
                () -> neverFull.await(),
                () -> {
                    Tasks.sleep(FOREVER);
                    return null;
                });
        say(String.format("spawning %,d tasks in %,d groups of domain 'crowd', each owning a resource, blocked in 7 kinds "
                + "of wait (mutex, semaphore, timed semaphore, condition, write lock, barrier, sleep)", crowd,
                (crowd + CROWD_GROUP_SIZE - 1) / CROWD_GROUP_SIZE));
        long spawnStart = System.nanoTime();
        for (int spawned = 0; spawned < crowd; ) {
            TaskBody<Object> mainBody = kinds.get(spawned % kinds.size());
            String gname = "g" + spawned / CROWD_GROUP_SIZE;
            TaskGroup g = d.spawnGroup(gname, () -> {
                own(gname);
                mainBody.run();
                return 0;
            });
            spawned++;
            for (int i = 1; i < CROWD_GROUP_SIZE && spawned < crowd; i++, spawned++) {
                TaskBody<Object> body = kinds.get(spawned % kinds.size());
                g.spawnTask("w", () -> {
                    own(gname + "/w");
                    return body.run();
                });
            }
        }
        boolean ready = await(() -> d.liveTaskCount() == crowd
                && d.snapshot().tasks().stream().allMatch(t -> t.state() == TaskState.BLOCKED));
        check(String.format("%,d tasks blocked", crowd), ready, d.liveTaskCount() + " live");
        say(String.format("spawned and blocked in %,d ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spawnStart)));

        long t0 = System.nanoTime();
        d.stop(0);
        ExitStatus status = d.onStopped().get(20, TimeUnit.SECONDS);
        long stopNanos = System.nanoTime() - t0;
        check("domain 'crowd' stopped with Exited(0)", status.equals(ExitStatus.exited(0)), "" + status);
        check("every resource closed exactly once", ledger.closedOnce() == ledger.opened(),
                String.join(", ", ledger.anomalies(5)));
        d.free();
        hostHeld.unlock();
        hostRead.readUnlock();

        long jdkNanos = interruptVirtualThreads();
        result(String.format("stop(crowd): %,d blocked tasks killed, every group ended, every resource closed: %s",
                crowd, s.bold(millis(stopNanos))));
        result(String.format("baseline:    %,d plain virtual threads blocked in the JDK's equivalents, interrupt() + "
                + "join() each: %s", crowd, s.bold(millis(jdkNanos))));
        say("(the baseline ends threads only: nothing closes what they held, and each blocking call must handle "
                + "InterruptedException correctly)");
    }

    /** The baseline: as many virtual threads in the JDK's blocking calls, each interrupted, then each joined. */
    private long interruptVirtualThreads() throws Exception {
        java.util.concurrent.locks.ReentrantLock held = new java.util.concurrent.locks.ReentrantLock();
        java.util.concurrent.locks.ReentrantReadWriteLock rw = new java.util.concurrent.locks.ReentrantReadWriteLock();
        Thread holder = Thread.ofPlatform().start(() -> {
            held.lock(); // held by a thread that ends: nobody unlocks it
            rw.readLock().lock();
        });
        holder.join();
        java.util.concurrent.Semaphore empty = new java.util.concurrent.Semaphore(0);
        java.util.concurrent.locks.ReentrantLock m = new java.util.concurrent.locks.ReentrantLock();
        java.util.concurrent.locks.Condition never = m.newCondition();
        java.util.concurrent.CyclicBarrier neverFull = new java.util.concurrent.CyclicBarrier(crowd + 1);
        List<Interruptible> kinds = List.of(
                held::lockInterruptibly,
                empty::acquire,
                () -> empty.tryAcquire(1, TimeUnit.HOURS),
                () -> {
                    m.lockInterruptibly();
                    try {
                        never.await();
                    } finally {
                        m.unlock();
                    }
                },
                () -> rw.writeLock().lockInterruptibly(),
                () -> {
                    try {
                        neverFull.await();
                    } catch (java.util.concurrent.BrokenBarrierException broken) {
                        // the first interrupted party breaks the barrier for the others: they end too
                    }
                },
                () -> Thread.sleep(TimeUnit.HOURS.toMillis(1)));
        Thread[] threads = new Thread[crowd];
        for (int i = 0; i < crowd; i++) {
            Interruptible body = kinds.get(i % kinds.size());
            threads[i] = Thread.ofVirtual().start(() -> {
                try {
                    body.run();
                } catch (InterruptedException expected) {
                    // the interrupt is the "kill"
                }
            });
        }
        boolean ready = await(() -> {
            for (Thread t : threads) {
                Thread.State st = t.getState();
                if (st != Thread.State.WAITING && st != Thread.State.TIMED_WAITING) {
                    return false;
                }
            }
            return true;
        });
        check(String.format("%,d virtual threads blocked", crowd), ready, "");
        long t0 = System.nanoTime();
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join();
        }
        return System.nanoTime() - t0;
    }

    /** A blocking call of the JDK that ends by {@link InterruptedException}. */
    private interface Interruptible {
        void run() throws InterruptedException;
    }

    // ---- helpers ----

    /** Waits (bounded) until the kernel has no live task, no armed timer and no open resource. */
    private void awaitQuiet(Kernel kernel) throws InterruptedException {
        await(() -> kernel.liveTaskCount() == 0 && kernel.pendingTimerCount() == 0 && kernel.openResourceCount() == 0
                && Kernel.queuedWaitersInJvm() == 0);
    }

    /** Polls {@code condition} every few ms until true or 20 s passed. @return whether it became true */
    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return true;
    }

    private void step(String title) {
        step++;
        if (quiet) {
            return;
        }
        int width = 21;
        int done = width * step / STEPS.length;
        String bar = s.isOn() ? "█".repeat(done) + s.dim("░".repeat(width - done)) : "#".repeat(done) + ".".repeat(width - done);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        out.println();
        out.println("[" + bar + "] " + s.bold(step + "/" + STEPS.length + " " + title) + s.dim(String.format("  %.1fs", ms / 1000.0)));
        out.flush();
    }

    private void say(String line) {
        if (!quiet) {
            out.println("  " + line);
            out.flush();
        }
    }

    private void result(String line) {
        out.println((quiet ? "" : "  ") + line);
        out.flush();
    }

    private void check(String what, boolean ok, String detail) {
        if (!ok) {
            failures++;
            out.println((quiet ? "" : "  ") + s.red("FAIL ") + what + (detail.isEmpty() ? "" : ": " + detail));
        } else if (!quiet) {
            out.println("  " + s.green("ok   ") + what);
        }
        out.flush();
    }

    private static String millis(long nanos) {
        return String.format("%,.1f ms", nanos / 1e6);
    }
}
