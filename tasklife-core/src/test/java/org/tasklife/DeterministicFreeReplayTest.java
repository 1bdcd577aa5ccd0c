package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;

/**
 * Deterministic mode replays runs whose tasks free domains and then use the freed ids: nothing the kernel
 * decides may depend on when its reaper thread gets to the freed records.
 */
class DeterministicFreeReplayTest {
    private static final int REPLAYS = 30;
    private static final int WORKERS = 4;
    private static final int ROUNDS = 6;

    /**
     * Issue 7 (replay): with one seed, a run whose tasks create, stop and free domains and then kill by id
     * (freed ids included) gives the same trace every time.
     */
    @Test
    void freeThenKillById_sameSeed_sameTraceEveryReplay() throws Exception {
        List<String> first = run(11);
        assertThat(first).isNotEmpty();
        int diverged = 0;
        StringBuilder where = new StringBuilder();
        for (int i = 1; i < REPLAYS; i++) {
            List<String> again = run(11);
            if (!again.equals(first)) {
                diverged++;
                where.append("\n replay ").append(i).append(": ").append(firstDifference(first, again));
            }
        }
        assertThat(diverged).as("replays (of %d) whose trace differs from the first:%s", REPLAYS - 1, where).isZero();
    }

    private static String firstDifference(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "line " + i + ": '" + a.get(i) + "' vs '" + b.get(i) + "'";
            }
        }
        return "lengths " + a.size() + " vs " + b.size();
    }

    /** One run of the scenario; returns its scheduler trace. */
    private static List<String> run(long seed) throws Exception {
        try (Kernel k = Kernel.builder().name("det-free").jmx(false).deterministic(seed).boot()) {
            List<Long> freedIds = new ArrayList<>(); // only tasks touch it, one at a time (one CPU)
            TaskGroup g = k.spawnGroup("scenario", () -> {
                List<Task<Integer>> workers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    int worker = w;
                    workers.add(Tasks.spawnTask("worker" + w, () -> work(k, worker, freedIds)));
                }
                for (Task<Integer> t : workers) {
                    t.join();
                }
                return 0;
            });
            assertThat(g.onExit().get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(ExitStatus.exited(0));
            g.reap();
            List<String> trace = k.schedulerTrace();
            KernelExtension.audit(k);
            return trace;
        }
    }

    /** Rounds of: a domain with two groups, stopped and freed; then kills by id, the freed ones included. */
    private static int work(Kernel k, int worker, List<Long> freedIds) {
        for (int round = 0; round < ROUNDS; round++) {
            Domain d = k.createDomain("d" + worker + "-" + round);
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                TaskGroup member = d.spawnGroup("m" + i, () -> {
                    Tasks.spawnTask("helper", () -> {
                        Tasks.sleep(Duration.ofHours(1));
                        return 0;
                    });
                    Tasks.sleep(Duration.ofHours(1));
                    return 0;
                });
                ids.add(member.id());
                for (Task<?> t : member.tasks()) {
                    ids.add(t.id());
                }
                Tasks.checkpoint();
            }
            d.stop(0);
            d.awaitStopped(Duration.ofHours(1));
            d.free(); // the records of its tasks are released after this returns
            freedIds.addAll(ids);
            for (long id : List.copyOf(freedIds)) { // a kill is a safe point: other workers add meanwhile
                k.kill(id); // false: freed (disposed or not yet) or ended
            }
            Tasks.checkpoint();
        }
        return 0;
    }
}
