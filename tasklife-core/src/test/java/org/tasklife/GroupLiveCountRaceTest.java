package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * SPEC E4 and P3 at the moment they meet: a group whose main task has ended (pthread_exit) ends when its last task
 * ends, and from then on takes no new task. Spawns race the exits of the members, which end 20 µs after they start
 * while the host spawns one every 30 µs, so the live count keeps reaching 0 under the spawns; two carriers end
 * members at once (the count then drops without the group's lock while others stay live).
 */
@ExtendWith(KernelExtension.class)
class GroupLiveCountRaceTest {
    private static final int ROUNDS = 100;
    private static final int MAX_SPAWNS = 2_000;
    private static final int OPEN_AFTER = 20;
    private static final long MEMBER_NANOS = 20_000;
    private static final long SPAWN_INTERVAL_NANOS = 30_000;

    /**
     * Each spawn is either refused or its task ends before the group does; the group ends once, Exited(0), with no
     * live task left, whatever the interleaving.
     */
    @Test
    void spawnsRacingExits_everyAcceptedTaskEndsBeforeItsGroup(Kernel kernel) throws Exception {
        int refusedRounds = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Semaphore gate = new Semaphore(0);
            TaskGroup g = kernel.spawnGroup("race", () -> {
                gate.acquire(); // keeps the group alive until members are coming and going
                Tasks.exit();   // the main task ends, not its group: the last member to end ends it (E4)
                return 1;
            });
            Queue<Task<Object>> accepted = new ConcurrentLinkedQueue<>();
            AtomicInteger ranInEndedGroup = new AtomicInteger();
            AtomicInteger liveAtGroupEnd = new AtomicInteger();
            g.onExit().whenComplete((s, e) -> accepted.forEach(t -> {
                if (!t.onExit().isDone()) {
                    liveAtGroupEnd.incrementAndGet(); // a member still live when its group ended
                }
            }));
            for (int i = 0; i < MAX_SPAWNS; i++) {
                if (i == OPEN_AFTER) {
                    gate.release(); // from now on the group may end under the spawns
                }
                if (i >= OPEN_AFTER) {
                    spin(SPAWN_INTERVAL_NANOS); // longer than a member lives: the count keeps reaching 0 under the spawns
                }
                try {
                    accepted.add(g.spawnTask("w", () -> {
                        spin(MEMBER_NANOS); // long enough to outlive a group that ended without it
                        if (g.onExit().isDone()) {
                            ranInEndedGroup.incrementAndGet(); // a member running in a group that has ended
                        }
                        return null;
                    }));
                } catch (SpawnRefusedException ending) {
                    refusedRounds++;
                    break;
                }
            }

            assertThat(Fixtures.ended(g)).isEqualTo(ExitStatus.exited(0));
            for (Task<Object> t : accepted) {
                Fixtures.get(t.onExit());
            }
            assertThat(ranInEndedGroup.get()).as("round %d: members that ran after their group ended", round).isZero();
            assertThat(liveAtGroupEnd.get()).as("round %d: members live when their group ended", round).isZero();
            assertThat(g.liveTaskCount()).isZero();
            assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        }
        assertThat(refusedRounds).as("rounds where a spawn met the group ending").isPositive();
        assertThat(kernel.liveTaskCount()).isZero();
    }

    /** Busy for {@code nanos}: a wait that neither parks nor yields, so the interleavings stay tight. */
    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }
}
