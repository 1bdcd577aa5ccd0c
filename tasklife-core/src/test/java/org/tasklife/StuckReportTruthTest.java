package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.get;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.Await;

/**
 * SPEC K8: a stuck report names the task that really has not reached a safe point, with its real state and
 * stack, never a killed task that merely waits for a carrier; and a crowd kill that is still draining is not
 * reported, while a truly stuck member of it still is, once.
 */
class StuckReportTruthTest {
    private static final Duration GRACE = Await.scaled(Duration.ofMillis(300)); // a member ends every GRACE/3 or so

    private final List<StuckTaskReport> reports = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Kernel kernel = Kernel.builder().name("truth").jmx(false).killGracePeriod(GRACE)
            .onStuckTask(reports::add).boot();

    @AfterEach
    void closeKernel() {
        stop.set(true); // no spinning task outlives the test
        kernel.close();
    }

    /** SPEC K8: killed tasks queued behind busy tasks on every carrier are not blamed; the busy tasks are reported. */
    @Test
    void stuckReport_killedTasksWaitForCarriersHeldByBusyTasks_namesTheBusyTasksOnce() throws Exception {
        int carriers = Runtime.getRuntime().availableProcessors();
        CountDownLatch asleep = new CountDownLatch(1);
        TaskGroup victim = kernel.spawnGroup("victim", () -> {
            Task<Object> child = Tasks.spawnTask("child", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return null;
            });
            asleep.countDown();
            child.join();
            return 0;
        });
        assertThat(asleep.await(Await.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        Await.until("victim's tasks asleep", () -> victim.tasks().stream().allMatch(t -> t.state() == TaskState.BLOCKED));
        CountDownLatch spinning = new CountDownLatch(carriers);
        TaskGroup busy = kernel.spawnGroup("busy", () -> {
            List<Task<Object>> spins = spawnSpinners(carriers, spinning);
            for (Task<Object> s : spins) {
                s.join();
            }
            return 0;
        });
        assertThat(spinning.await(Await.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        assertThat(victim.kill()).isTrue();
        Await.until("a report of each busy task", () -> reports.size() >= carriers, reports::toString);
        stop.set(true);

        assertThat(get(victim.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(get(busy.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(reports).allSatisfy(r -> {
            assertThat(r.groupId()).isEqualTo(busy.id());
            assertThat(r.name()).startsWith("spin-");
            assertThat(r.state()).isEqualTo(TaskState.RUNNING);
            assertThat(r.waitChannel()).contains("without a safe point").contains("waits for a carrier");
            assertThat(r.stack()).anySatisfy(e -> assertThat(e.getClassName()).startsWith(getClass().getName()));
        });
        assertThat(reports.stream().map(StuckTaskReport::taskId).distinct().count()).isEqualTo(reports.size());
    }

    /**
     * SPEC K8: a killed group whose CPU-bound members hold every carrier and whose main waits in a join: the
     * members that never reach a safe point are reported (RUNNING, their own stack), not the main, which only
     * waits for a carrier.
     */
    @Test
    void stuckReport_killedGroupOfBusyTasksAndJoiningMain_reportsTheBusyTasksNotTheMain() throws Exception {
        int carriers = Runtime.getRuntime().availableProcessors();
        CountDownLatch spinning = new CountDownLatch(carriers);
        TaskGroup busy = kernel.spawnGroup("busy-loop", () -> {
            List<Task<Object>> spins = spawnSpinners(carriers, spinning);
            spins.get(0).join();
            return 0;
        });
        assertThat(spinning.await(Await.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        Await.until("the main in its join", () -> busy.tasks().stream()
                .anyMatch(t -> t.id() == busy.id() && t.state() == TaskState.BLOCKED));

        assertThat(busy.kill()).isTrue();
        Await.until("a report of each busy task", () -> reports.size() >= carriers, reports::toString);
        stop.set(true);

        assertThat(get(busy.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(reports).hasSize(carriers).allSatisfy(r -> {
            assertThat(r.taskId()).isNotEqualTo(busy.id());
            assertThat(r.name()).startsWith("spin-");
            assertThat(r.waitChannel()).isEmpty();
            assertThat(r.stack()).anySatisfy(e -> assertThat(e.getClassName()).startsWith(getClass().getName()));
        });
    }

    /** SPEC K8: a group kill whose members take several grace periods to drain, but keep ending, reports nothing. */
    @Test
    void stuckReport_crowdKillStillDraining_reportsNothing() throws Exception {
        int members = 12;
        TaskGroup crowd = crowd(members, false);
        long start = System.nanoTime();

        assertThat(crowd.kill()).isTrue();

        assertThat(get(crowd.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(System.nanoTime() - start).isGreaterThan(2 * GRACE.toNanos()); // the grace was over, twice
        assertThat(reports).isEmpty();
        assertThat(kernel.stuckTasks()).isEmpty();
    }

    /** SPEC K8: in a crowd kill that drains for several grace periods, a member that never unwinds is reported once. */
    @Test
    void stuckReport_crowdKillWithOneTrulyStuckMember_reportsItOnce() throws Exception {
        TaskGroup crowd = crowd(12, true);

        assertThat(crowd.kill()).isTrue();
        Await.until("the stuck member reported and no grace period armed",
                () -> !reports.isEmpty() && kernel.pendingTimerCount() == 0, reports::toString);

        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("stuck");
            assertThat(r.state()).isEqualTo(TaskState.RUNNING);
            assertThat(r.stack()).anySatisfy(e -> assertThat(e.getClassName()).startsWith(getClass().getName()));
        });
        assertThat(crowd.liveTaskCount()).isEqualTo(1); // the others drained
        stop.set(true);
        assertThat(get(crowd.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(reports).hasSize(1);
    }

    /**
     * A group of {@code members} sleeping tasks whose close() of what they own takes GRACE/3 each, one at a time
     * (a slow cleanup: the crowd takes members * GRACE/3 to drain once killed), plus, if {@code withStuck}, a
     * member that spins without a safe point until the test stops it.
     */
    private TaskGroup crowd(int members, boolean withStuck) {
        Semaphore oneAtATime = new Semaphore(1);
        CountDownLatch started = new CountDownLatch(members + (withStuck ? 1 : 0));
        TaskGroup g = kernel.spawnGroup("crowd", () -> {
            for (int i = 0; i < members; i++) {
                Tasks.spawnTask("slow-close-" + i, () -> {
                    Tasks.own(() -> slowWork(oneAtATime));
                    started.countDown();
                    Tasks.sleep(Duration.ofHours(1));
                    return null;
                });
            }
            if (withStuck) {
                Tasks.spawnTask("stuck", () -> {
                    started.countDown();
                    while (!stop.get()) {
                        Thread.onSpinWait(); // ignores its kill: never a safe point
                    }
                    return null;
                });
            }
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        try {
            assertThat(started.await(Await.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return g;
    }

    /** GRACE/3 of work (a slow cleanup), one caller at a time. */
    private static void slowWork(Semaphore oneAtATime) throws InterruptedException {
        oneAtATime.acquire();
        try {
            long end = System.nanoTime() + GRACE.toNanos() / 3;
            while (System.nanoTime() - end < 0) {
                LockSupport.parkNanos(end - System.nanoTime()); // the work's duration, not a synchronisation
            }
        } finally {
            oneAtATime.release();
        }
    }

    /** From a task: spawns {@code n} tasks that spin without a safe point until the test ends; each counts down once running. */
    private List<Task<Object>> spawnSpinners(int n, CountDownLatch spinning) {
        List<Task<Object>> spins = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            spins.add(Tasks.spawnTask("spin-" + i, () -> {
                spinning.countDown();
                while (!stop.get()) {
                    Thread.onSpinWait(); // CPU-bound, never a safe point
                }
                return null;
            }));
        }
        return spins;
    }
}
