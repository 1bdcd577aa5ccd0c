package com.example.tour;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.tasklife.ChildExit;
import org.tasklife.ChildSelector;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.SpawnOptions;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskLifeException;
import org.tasklife.Tasks;

/** The API tour of tasklife's README, as a user writes it. */
public final class ApiTour {
    private ApiTour() {}

    /**
     * Runs the tour: prints "joined 42", "child Exited(7)", "closed", "status Killed", "reason NOT_IN_TASK"
     * and the module tasklife was loaded as.
     *
     * @param args not used
     * @throws InterruptedException if interrupted while waiting for the job to start sleeping
     */
    public static void main(String[] args) throws InterruptedException {
        CountDownLatch sleeping = new CountDownLatch(1);
        try (Kernel kernel = Kernel.boot()) {
            TaskGroup job = kernel.spawnGroup("job", () -> {                // a top-level group (a process) runs this
                Tasks.own(() -> System.out.println("closed"));              // closed exactly once when the task ends
                Task<Long> worker = Tasks.spawnTask("sum", () -> 42L);      // a task (a thread) of the same group
                System.out.println("joined " + worker.join());
                TaskGroup child = Tasks.spawnGroup(SpawnOptions.named("child").platformThread(true),
                        () -> 7);                                           // from a task: a child group (fork)
                ChildExit c = Tasks.waitChild(ChildSelector.group(child.id())).orElseThrow();
                System.out.println("child " + c.status());
                sleeping.countDown();
                Tasks.sleep(Duration.ofHours(1));                           // a tasklife wait: kill ends it at once
                return 0;
            });
            if (!sleeping.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the job did not start");
            }
            job.kill();                                                     // asynchronous; every member dies
            ExitStatus status = job.reap();                                 // Killed; the zombie is gone
            System.out.println("status " + status);
            try {
                Tasks.sleep(Duration.ofSeconds(1));                         // host code is no task: a misuse
            } catch (TaskLifeException e) {
                System.out.println("reason " + e.reason());                 // NOT_IN_TASK: one type, a reason per rule
            }
            System.out.print(kernel.snapshot().renderTable());              // the process table: no live task left
            System.out.println("tasklife module: " + Kernel.class.getModule().getName());
        }
    }
}
