package org.tasklife.examples;

import java.time.Duration;
import org.tasklife.*;

/** The README's API tour, kept compiling. */
public final class ApiTour {
    private ApiTour() {}

    /** Runs the tour. */
    public static void main(String[] args) {
try (Kernel kernel = Kernel.boot()) {
    TaskGroup job = kernel.spawnGroup("job", () -> {           // a top-level group (a process) runs this
        Tasks.own(() -> System.out.println("closed"));          // closed exactly once when the task ends
        Task<Long> worker = Tasks.spawnTask("sum", () -> 42L);  // a task (a thread) of the same group
        long v = worker.join();                                 // 42
        TaskGroup child = Tasks.spawnGroup(SpawnOptions.named("child").platformThread(true),
                () -> 7);                                       // from a task: a child group (fork)
        ChildExit c = Tasks.waitChild(ChildSelector.group(child.id())).orElseThrow(); // Exited(7), reaped
        Tasks.sleep(Duration.ofHours(1));                       // a tasklife wait: kill ends it at once
        return 0;                                               // returning from main = exitGroup(0)
    });
    job.kill();                                                 // asynchronous; every member dies
    ExitStatus status = job.reap();                             // Killed; the zombie is gone
    try {
        Tasks.sleep(Duration.ofSeconds(1));                     // host code is no task: a misuse
    } catch (TaskLifeException e) {
        System.out.println(e.reason());                         // NOT_IN_TASK: one type, a reason per rule
    }
    System.out.print(kernel.snapshot().renderTable());          // the process table `tasklife ps` prints
}
    }
}
