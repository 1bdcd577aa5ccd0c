package org.tasklife.cli;

import java.time.Duration;
import org.tasklife.Domain;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;

/** What the in-process CLI tests set up in a kernel of their own JVM for the commands to see and act on. */
final class InProcessKernels {
    private InProcessKernels() {}

    /** A group of {@code d} whose main task sleeps an hour (until killed). */
    static TaskGroup sleeper(Domain d, String name) {
        return d.spawnGroup(name, () -> {
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
    }

    /** Waits (10 s at most) until at least {@code n} tasks of {@code k} are BLOCKED. */
    static void awaitBlocked(Kernel k, int n) throws InterruptedException {
        Poll.until(n + " tasks blocked", 10, k::snapshot,
                s -> s.tasks().stream().filter(t -> t.state() == TaskState.BLOCKED).count() >= n);
    }
}
