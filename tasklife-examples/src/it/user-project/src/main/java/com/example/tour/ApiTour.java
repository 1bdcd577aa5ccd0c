package com.example.tour;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;

/** The API tour of tasklife's README, as a user writes it. */
public final class ApiTour {
    private ApiTour() {}

    /**
     * Runs the tour: prints "joined 42", "closed", "status Killed" and the module tasklife was loaded as.
     *
     * @param args not used
     * @throws InterruptedException if interrupted while waiting for the job to start sleeping
     */
    public static void main(String[] args) throws InterruptedException {
        CountDownLatch sleeping = new CountDownLatch(1);
        try (Kernel kernel = Kernel.boot()) {
            TaskGroup job = kernel.spawnGroup("job", () -> {          // a process; its main task runs this
                Tasks.own(() -> System.out.println("closed"));         // closed exactly once when the task ends
                Task<Long> worker = Tasks.spawnTask("sum", () -> 42L); // a thread of the same group
                System.out.println("joined " + worker.join());
                sleeping.countDown();
                Tasks.sleep(Duration.ofHours(1));                      // a tasklife wait: kill ends it at once
                return 0;
            });
            if (!sleeping.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the job did not start");
            }
            job.kill();                                                // asynchronous; every member dies
            ExitStatus status = job.reap();                            // Killed; the zombie is gone
            System.out.println("status " + status);
            System.out.print(kernel.snapshot().renderTable());         // ps-style table: no live task left
            System.out.println("tasklife module: " + Kernel.class.getModule().getName());
        }
    }
}
