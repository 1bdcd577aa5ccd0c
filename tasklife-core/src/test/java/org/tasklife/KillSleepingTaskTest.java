package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.TrackedResource;

@ExtendWith(KernelExtension.class)
class KillSleepingTaskTest {

    /** SPEC K2, K4 (awkernel kill_sleeping_task): a task sleeping an hour is killed at once and its resource closed. */
    @Test
    void kill_sleepingTask_endsAtOnceAndClosesResource(Kernel kernel) throws Exception {
        TrackedResource res = new TrackedResource("r");
        TaskGroup g = kernel.spawnGroup("sleeper", () -> {
            Tasks.own(res);
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        Task<?> main = kernel.findTask(g.id()).orElseThrow();
        Await.state(main, TaskState.BLOCKED);
        assertThat(kernel.snapshot().tasks()).singleElement().satisfies(t -> assertThat(t.waitChannel()).startsWith("sleep("));

        assertThat(main.kill()).isTrue();
        assertThat(main.kill()).isFalse();
        assertThat(main.onExit().get(10, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        assertThat(res.closeCount()).isEqualTo(1);
        assertThat(res.closingThreads()).singleElement().asString().startsWith("sleeper#");
        // SPEC E4: killing one task is not exitGroup; the group's last task ended, so Exited(0)
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        assertThat(kernel.findGroup(g.id())).isEmpty();
        assertThat(kernel.findTask(g.id())).isEmpty();
    }

    /** SPEC E2: the main task's return code is the group's status. */
    @Test
    void mainReturn_endsGroupWithCode(Kernel kernel) {
        TaskGroup g = kernel.spawnGroup("seven", () -> 7);
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(7));
    }
}
