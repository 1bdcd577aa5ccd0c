package com.example.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;
import org.tasklife.junit.TaskLifeTest;

/** The README's @TaskLifeTest: a fresh kernel per test, and a leak audit when it ends. */
@TaskLifeTest
class WorkerTest {
    /** A worker blocked in a sleep ends when killed; the test leaves nothing behind. */
    @Test
    void worker_stopsWhenKilled(Kernel kernel) {
        TaskGroup g = kernel.spawnGroup("worker", () -> {
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        g.kill();
        assertEquals(ExitStatus.KILLED, g.reap());
    }
}
