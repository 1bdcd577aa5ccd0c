package org.tasklife.examples;

import java.time.Duration;
import org.tasklife.*;

/** The README's API tour, kept compiling. */
public final class ApiTour {
    private ApiTour() {}

    /** Runs the tour. */
    public static void main(String[] args) {
try (Kernel kernel = Kernel.boot()) {
    TaskGroup job = kernel.spawnGroup("job", () -> {          // a process; its main task runs this
        Tasks.own(() -> System.out.println("closed"));         // closed exactly once when the task ends
        Task<Long> worker = Tasks.spawnTask("sum", () -> 42L); // a thread of the same group
        long v = worker.join();                                // 42
        Tasks.sleep(Duration.ofHours(1));                      // a tasklife wait: kill ends it at once
        return 0;                                              // returning from main = exitGroup(0)
    });
    job.kill();                                                // asynchronous; every member dies
    ExitStatus status = job.reap();                            // Killed; the zombie is gone
    System.out.print(kernel.snapshot().renderTable());         // ps-style table of live tasks
}
    }
}
