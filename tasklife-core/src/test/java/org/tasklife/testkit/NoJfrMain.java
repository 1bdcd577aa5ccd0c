package org.tasklife.testkit;

import java.time.Duration;
import org.tasklife.Domain;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;

/**
 * Run in a child JVM by {@code JfrOptionalTest}, with or without {@code jdk.jfr} in the module graph: boots a
 * kernel and goes through every traced act (spawn, exit, task kill, group kill, domain stop), then prints
 * {@code ok jfr=<whether jdk.jfr is in the boot layer>}. Uses the public API only, so it runs with
 * {@code org.tasklife} on the module path too.
 */
public final class NoJfrMain {
    private NoJfrMain() {}

    /** Exits 0 after printing the ok line; any failure propagates (exit 1, stack trace on stderr). */
    public static void main(String[] args) throws Exception {
        try (Kernel kernel = Kernel.builder().name("nojfr").boot()) {
            TaskGroup g = kernel.spawnGroup("g", () -> {
                Task<Object> sleeper = Tasks.spawnTask("sleeper", () -> {
                    Tasks.sleep(Duration.ofHours(1));
                    return null;
                });
                while (sleeper.state() != org.tasklife.TaskState.BLOCKED) {
                    Tasks.sleep(Duration.ofMillis(1));
                }
                sleeper.kill(); // a task kill: the TaskKill hook
                sleeper.onExit().join();
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            });
            Domain d = kernel.createDomain("d");
            d.spawnGroup("in-d", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            });
            g.kill();
            if (g.reap() != ExitStatus.KILLED) {
                throw new AssertionError("group status " + g.exitStatus());
            }
            d.stop(ExitStatus.KILLED); // the DomainStop hook
            d.awaitStopped(Duration.ofSeconds(30));
            d.free();
        }
        System.out.println("ok jfr=" + ModuleLayer.boot().findModule("jdk.jfr").isPresent());
    }
}
