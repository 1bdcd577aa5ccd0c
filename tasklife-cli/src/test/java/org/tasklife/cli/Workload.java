package org.tasklife.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.tasklife.ChildSelector;
import org.tasklife.Domain;
import org.tasklife.DomainOptions;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.sync.Mutex;

/**
 * A small tasklife workload for a second JVM that the CLI tests attach to: a kernel "workload" with a
 * domain "tenant" (groups "api", whose handlers queue on a mutex its main task holds, and "worker") and a
 * nested domain "batch" (a group "jobs" waiting for its child group "job-7"). Prints {@code ready PID} once
 * every task is blocked, then runs until its standard input closes (or 2 minutes pass), so it never
 * outlives the test that started it.
 */
public final class Workload {
    private Workload() {}

    /** Runs the workload. */
    public static void main(String[] args) throws Exception {
        try (Kernel k = Kernel.builder().name("workload").boot()) {
            Domain tenant = k.createDomain("tenant");
            Domain batch = tenant.createDomain(DomainOptions.named("batch"));
            Mutex orders = new Mutex();
            TaskGroup api = tenant.spawnGroup("api", () -> {
                orders.lock();
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            });
            await(k, 1);
            for (int i = 1; i <= 2; i++) {
                api.spawnTask("handler-" + i, () -> {
                    orders.lock();
                    orders.unlock();
                    return null;
                });
            }
            tenant.spawnGroup("worker", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            });
            batch.spawnGroup("jobs", () -> {
                Tasks.spawnGroup("job-7", () -> {
                    Tasks.sleep(Duration.ofHours(1));
                    return 0;
                });
                Tasks.waitChild(ChildSelector.any());
                return 0;
            });
            await(k, 6);
            System.out.println("ready " + ProcessHandle.current().pid());
            System.out.flush();
            Thread stdin = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // consume until the parent closes the pipe (or dies)
                    }
                } catch (IOException e) {
                    // the pipe broke: the parent is gone
                }
            });
            stdin.join(TimeUnit.MINUTES.toMillis(2));
        }
    }

    private static void await(Kernel k, int blocked) throws InterruptedException {
        Poll.until("workload: " + blocked + " tasks blocked", 30, k::snapshot,
                s -> s.tasks().stream().filter(t -> t.state() == TaskState.BLOCKED).count() >= blocked);
    }
}
