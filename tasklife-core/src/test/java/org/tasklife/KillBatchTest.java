package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.await;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;

/**
 * Every kill is one batch with one grace timer (SPEC K8), and the batch owns that timer: it is cancelled when
 * the last task the batch killed has ended, whatever else its group or domain is still doing.
 */
@ExtendWith(KernelExtension.class)
class KillBatchTest {

    /**
     * exitGroup kills the other members as one batch; once they have all ended its grace timer is gone, while
     * the caller (spared by the batch) is still closing what it owns under its own exit watch.
     */
    @Test
    void exitGroup_killedMembersEnded_batchTimerCancelledWhileCallerStillExits(Kernel kernel) throws Exception {
        CountDownLatch closing = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        CompletableFuture<Task<?>> worker = new CompletableFuture<>();
        Semaphore never = new Semaphore(0);
        TaskGroup g = kernel.spawnGroup("g", () -> {
            worker.complete(Tasks.spawnTask("worker", () -> {
                never.acquire(); // untimed: no timer of its own
                return null;
            }));
            Tasks.own(() -> { // its close() holds the caller in its exit sequence
                closing.countDown();
                await(unblock);
            });
            Await.state(worker.join(), TaskState.BLOCKED);
            Tasks.exitGroup(3);
            return 0;
        });
        Task<?> w = worker.get();
        await(closing);
        w.onExit().get();

        // one timer left: the caller's exit watch (its close() runs user code); the batch's is cancelled
        Await.until("the batch's grace timer is cancelled", () -> kernel.pendingTimerCount() == 1,
                () -> kernel.pendingTimerCount() + " armed");
        assertThat(g.state()).isEqualTo(GroupState.EXITING);
        assertThat(w.exitStatus()).contains(ExitStatus.KILLED);

        unblock.countDown();
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(3));
        assertThat(kernel.pendingTimerCount()).isZero();
    }

    /** A domain stop kills every task of the domain as one batch: one grace timer, gone once they ended. */
    @Test
    void domainStop_manyTasks_oneGraceTimerCancelledWhenAllEnded(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("d");
        Semaphore never = new Semaphore(0);
        CountDownLatch blocked = new CountDownLatch(4);
        for (int i = 0; i < 2; i++) {
            d.spawnGroup("g" + i, () -> {
                Tasks.spawnTask("w", () -> {
                    blocked.countDown();
                    never.acquire();
                    return null;
                });
                blocked.countDown();
                never.acquire();
                return 0;
            });
        }
        await(blocked);
        int before = kernel.pendingTimerCount();

        d.stop(ExitStatus.exited(1));

        assertThat(kernel.pendingTimerCount()).isLessThanOrEqualTo(before + 1);
        assertThat(d.awaitStopped(Await.LONG)).isTrue();
        Await.until("the stop's grace timer is cancelled", () -> kernel.pendingTimerCount() == before,
                () -> kernel.pendingTimerCount() + " armed, " + before + " before");
        d.free();
    }

    /** A single kill's timer is the task's batch of one: gone once the task has ended. */
    @Test
    void taskKill_taskEnds_graceTimerCancelled(Kernel kernel) throws Exception {
        Semaphore never = new Semaphore(0);
        CompletableFuture<Task<?>> worker = new CompletableFuture<>();
        TaskGroup g = kernel.spawnGroup("g", () -> {
            Task<?> t = Tasks.spawnTask("w", () -> {
                never.acquire();
                return null;
            });
            worker.complete(t);
            t.onExit().join();
            return 0;
        });
        Task<?> w = worker.get();
        Await.state(w, TaskState.BLOCKED);

        assertThat(w.kill()).isTrue();

        w.onExit().get();
        Await.until("the kill's grace timer is cancelled", () -> kernel.pendingTimerCount() == 0,
                () -> kernel.pendingTimerCount() + " armed");
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
    }
}
