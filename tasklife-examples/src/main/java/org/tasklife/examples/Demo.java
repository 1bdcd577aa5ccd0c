package org.tasklife.examples;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.tasklife.ChildExit;
import org.tasklife.ChildSelector;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.ShutdownReport;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;

/**
 * The README's first command: boots a kernel, spawns groups whose tasks compute, sleep, join and wait
 * for children, kills one blocked in a wait, reaps everything and audits that nothing leaked.
 * Exits non-zero if any check fails.
 */
public final class Demo {
    private static int failures;

    private Demo() {}

    /** Runs the story. */
    public static void main(String[] args) throws Exception {
        AtomicInteger closed = new AtomicInteger();
        try (Kernel kernel = Kernel.builder().name("demo").boot()) {
            say("booted kernel; root domain '" + kernel.rootDomain().name() + "'");

            // 1. a job with a worker that computes and one that sleeps for an hour
            CountDownLatch started = new CountDownLatch(2);
            TaskGroup job = kernel.spawnGroup("job", () -> {
                Tasks.ownByGroup(() -> closed.incrementAndGet());
                Task<Long> sum = Tasks.spawnTask("sum", () -> {
                    long s = 0;
                    for (int i = 1; i <= 1_000_000; i++) {
                        s += i;
                    }
                    return s;
                });
                Tasks.spawnTask("napper", () -> {
                    Tasks.own(() -> closed.incrementAndGet());
                    started.countDown();
                    Tasks.sleep(Duration.ofHours(1));
                    return null;
                });
                say("job: sum computed by task " + sum.id() + " = " + sum.join());
                Tasks.spawnGroup("child", () -> {
                    Tasks.sleep(Duration.ofMillis(20));
                    return 3;
                });
                ChildExit child = Tasks.waitChild(ChildSelector.any()).orElseThrow();
                say("job: reaped child group " + child.groupId() + " with " + child.status());
                started.countDown();
                Tasks.sleep(Duration.ofHours(1)); // blocked here until killed
                return 0;
            });
            started.await(10, TimeUnit.SECONDS);
            awaitBlocked(kernel, job);
            System.out.print(kernel.snapshot().renderTable());

            // 2. kill the whole group while its tasks are blocked in sleep
            long t0 = System.nanoTime();
            check("kill(job) returns true", job.kill());
            ExitStatus status = job.onExit().get(10, TimeUnit.SECONDS);
            say("job ended " + status + " " + TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0) + " µs after kill");
            check("job status is Killed", status.equals(ExitStatus.KILLED));
            check("reap(job) gives Killed", job.reap().equals(ExitStatus.KILLED));

            // 3. a group that fails
            TaskGroup crash = kernel.spawnGroup("crash", () -> {
                throw new IllegalStateException("boom");
            });
            say("crash reaped with " + crash.reap());

            // 4. audit
            check("0 live tasks", kernel.liveTaskCount() == 0);
            check("0 open owned resources", kernel.openResourceCount() == 0);
            check("2 owned resources closed exactly once", closed.get() == 2);
            ShutdownReport report = kernel.close(Duration.ofSeconds(5));
            check("clean shutdown", report.isClean());
        }
        say(failures == 0 ? "audit: OK — 0 live tasks, 0 open resources, everything reaped" : "audit: FAILED (" + failures + ")");
        System.exit(failures == 0 ? 0 : 1);
    }

    private static void awaitBlocked(Kernel kernel, TaskGroup g) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0) {
            if (!g.tasks().isEmpty() && g.tasks().stream().allMatch(t -> t.state() == TaskState.BLOCKED)) {
                return;
            }
            Thread.onSpinWait();
        }
        check("job's tasks all blocked", false);
    }

    private static void check(String what, boolean ok) {
        say((ok ? "ok    " : "FAIL  ") + what);
        if (!ok) {
            failures++;
        }
    }

    private static void say(String s) {
        System.out.println(s);
    }
}
