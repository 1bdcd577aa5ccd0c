package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Fixtures.mainOf;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tasklife.internal.wait.WaitQueue;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.BlockingOp;
import org.tasklife.testkit.BlockingOp.Scenario;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.TrackedResource;

/** The kernel's kill promises, checked for every way a task can block (STYLE G15, SPEC K2, K3, O1). */
@ExtendWith(KernelExtension.class)
class BlockingOpKillTest {
    /** Kill-vs-entry races per operation (issue 3: at least 1,000), scaled by the stress multiplier. */
    private static final int RACES = 1_000 * Integer.getInteger("tasklife.stressMultiplier", 1);

    /**
     * SPEC K2, O1: a task killed while blocked throws the kill throwable, its queue entry and timer are
     * gone, and what it owned is closed exactly once.
     */
    @ParameterizedTest
    @EnumSource(BlockingOp.class)
    void kill_whileBlocked_throwsKilledAndReleasesEverythingOnce(BlockingOp op, Kernel kernel) throws Exception {
        TaskGroup home = idleGroup(kernel, "home");
        Await.state(mainOf(kernel, home), TaskState.BLOCKED);
        Scenario s = op.prepare(kernel, home);
        try {
            long nodesBefore = WaitQueue.linkedNodesInJvm();
            int timersBefore = kernel.pendingTimerCount();
            TrackedResource owned = new TrackedResource(op + " resource");
            Attempt a = attempt(home, op.name(), () -> {
                Tasks.own(owned);
                s.block();
                return "returned without being killed";
            });
            Await.state(a.task(), TaskState.BLOCKED);
            long linked = op.linksQueueNode() ? 1 : 0;
            Await.until(op + " linked its wait node", () -> WaitQueue.linkedNodesInJvm() == nodesBefore + linked,
                    () -> WaitQueue.linkedNodesInJvm() + " linked, " + nodesBefore + " before");

            assertThat(a.task().kill()).isTrue();

            assertThat(a.get()).isInstanceOf(TaskKilledError.class);
            assertThat(ended(a.task())).isEqualTo(ExitStatus.KILLED);
            assertThat(owned.closeCount()).isEqualTo(1);
            Await.until(op + ": wait node unlinked", () -> WaitQueue.linkedNodesInJvm() == nodesBefore,
                    () -> WaitQueue.linkedNodesInJvm() + " linked, " + nodesBefore + " before");
            Await.until(op + ": no timer of the killed task left armed", () -> kernel.pendingTimerCount() == timersBefore,
                    () -> kernel.pendingTimerCount() + " armed, " + timersBefore + " before");
        } finally {
            s.release();
        }
        killAndReap(home);
    }

    /**
     * SPEC K3 (H2 exit_vs_futex_block): a kill racing the task's entry into the wait, with random delays
     * on both sides, always ends the task; none stays parked.
     */
    @ParameterizedTest
    @EnumSource(BlockingOp.class)
    void kill_racingEntryIntoWait_taskAlwaysEnds(BlockingOp op, Kernel kernel) throws Exception {
        TaskGroup home = idleGroup(kernel, "home");
        Await.state(mainOf(kernel, home), TaskState.BLOCKED);
        Scenario s = op.prepare(kernel, home);
        try {
            for (int i = 0; i < RACES; i++) {
                long taskSpin = ThreadLocalRandom.current().nextLong(0, 20_000);
                Task<Object> t = home.spawnTask(op + "-" + i, () -> {
                    spin(taskSpin); // randomised delay on the task's side
                    s.block();
                    return null;
                });
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(0, 20_000)); // and on the killer's
                t.kill();
                ExitStatus status = t.onExit().get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(status).as("race %d of %s", i, op).isEqualTo(ExitStatus.KILLED);
            }
        } finally {
            s.release();
        }
        killAndReap(home);
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }
}
