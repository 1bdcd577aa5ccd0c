package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.Fixtures;

/**
 * Spawn + join in a task (issue 18): what the spawning task allocates per spawn and join, counted in bytes
 * allocated on its own (platform) thread, which does not depend on the machine's load; and the shared values
 * the exit path hands out instead of new ones.
 */
@ExtendWith(KernelExtension.class)
class SpawnFootprintTest {
    private static final int WARM_UP = 3_000;
    private static final int MEASURED = 3_000;
    private static final TaskBody<Object> RETURN = () -> null;


    /** Spawns a task by name, waits (spinning, allocation-free, bounded) until it has ended, then joins it. */
    private static void spawnWaitJoin() {
        Task<Object> t = Tasks.spawnTask("t", RETURN);
        long deadline = System.nanoTime() + Await.LONG.toNanos();
        while (t.state() != TaskState.TERMINATED) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("task " + t.id() + " did not end within " + Await.LONG);
            }
            Thread.onSpinWait();
        }
        t.join();
    }

    /**
     * SPEC P2, J1: spawning a task by name and joining it once it ended allocates, on the spawner's thread, no
     * options object, no message strings and no wait objects (no joiners queue for an ended task).
     */
    @Test
    void spawnByNameThenJoinEnded_inTask_allocatesNoOptionsStringsOrWaitObjects(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        CompletableFuture<Double> perSpawn = new CompletableFuture<>();
        g.spawnTask(SpawnOptions.named("driver").platformThread(true), () -> {
            try {
                for (int i = 0; i < WARM_UP; i++) { // class loading and JIT out of the measured loop
                    spawnWaitJoin();
                }
                long before = Fixtures.allocatedBytes();
                for (int i = 0; i < MEASURED; i++) {
                    spawnWaitJoin();
                }
                perSpawn.complete((double) (Fixtures.allocatedBytes() - before) / MEASURED);
            } catch (Throwable e) {
                perSpawn.completeExceptionally(e);
            }
            return null;
        });
        double bytes = perSpawn.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
        killAndReap(g);
        // Measured on JDK 25: 883 B after (the task record, its Task handle, its virtual thread with its name and the
        // inherited thread-local map, the task table and thread container nodes, the body adapter); 1,208 B before
        // (also a SpawnOptions and a deadline wrapper per spawn, three message strings built eagerly: "spawn into
        // group 7" and "task 't'" twice; and, for the join, a joiners queue with its lock, a wait context, a channel
        // and two lambdas).
        assertThat(bytes).as("bytes the spawner allocates per spawn + join of an ended task").isLessThan(960);
    }

    /** Spawns a group whose main returns 0 and reaps it with waitChild. */
    private static void spawnReap() {
        TaskGroup child = Tasks.spawnGroup("g", () -> 0);
        Tasks.waitChild(ChildSelector.group(child.id())).orElseThrow();
    }

    /** SPEC R1, W1: reaping a child group with waitChild reads its (final) CPU times once, without copying its members. */
    @Test
    void spawnGroupThenWaitChild_inTask_readsZombieTimesOnceWithoutCopies(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        CompletableFuture<Double> perGroup = new CompletableFuture<>();
        g.spawnTask(SpawnOptions.named("driver").platformThread(true), () -> {
            try {
                for (int i = 0; i < WARM_UP; i++) {
                    spawnReap();
                }
                long before = Fixtures.allocatedBytes();
                for (int i = 0; i < MEASURED; i++) {
                    spawnReap();
                }
                perGroup.complete((double) (Fixtures.allocatedBytes() - before) / MEASURED);
            } catch (Throwable e) {
                perGroup.completeExceptionally(e);
            }
            return null;
        });
        double bytes = perGroup.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
        killAndReap(g);
        // Measured on JDK 25: 2,034 B after; 2,181 B before: the zombie's times were read twice, for the answer and
        // again for the reap (2,126 B once read once), and each reading copied the group's record list under its
        // lock to look for live members, which a zombie has none of
        assertThat(bytes).as("bytes the parent allocates per group spawn + waitChild").isLessThan(2_080);
    }

    /** SPEC E1: tasks whose bodies return normally end Exited(0); the status value is shared, not made per task. */
    @Test
    void bodiesReturnNormally_twoTasks_shareOneExitedZero(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        ExitStatus a = g.spawnTask(SpawnOptions.named("a").detached(true), RETURN).onExit()
                .get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
        ExitStatus b = g.spawnTask(SpawnOptions.named("b").detached(true), RETURN).onExit()
                .get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
        killAndReap(g);
        assertThat(a).isEqualTo(ExitStatus.exited(0));
        assertThat(b).isSameAs(a);
    }
}
