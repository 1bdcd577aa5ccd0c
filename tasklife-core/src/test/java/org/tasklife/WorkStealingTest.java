package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.ended;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tasklife.internal.sched.CpuScheduler;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * Work stealing in scheduler mode, through {@link Kernel.Builder#workStealing(boolean)}: an idle CPU runs a
 * task queued on a busy one when its affinity allows, and only then.
 */
class WorkStealingTest {

    private static Kernel boot(boolean workStealing) {
        return Kernel.builder().name("steal").cpus(2).timeSlice(Duration.ofHours(1)) // no preemption
                .workStealing(workStealing).boot();
    }

    /** Work stealing is on unless turned off, and reaches the scheduler. */
    @Test
    void workStealing_isOnByDefault_andCanBeTurnedOff() {
        try (Kernel byDefault = Kernel.builder().name("steal").cpus(2).boot(); Kernel off = boot(false)) {
            assertThat(byDefault.core().scheduler().workStealing()).isTrue();
            assertThat(off.core().scheduler().workStealing()).isFalse();
        }
    }

    /**
     * A CPU whose queue runs empty takes a task queued behind another CPU's holder (it runs while that holder
     * still holds its CPU), never a task pinned away from it; with stealing off, the task waits for its CPU.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void idleCpu_runsAQueuedTaskItMayRun_onlyWhenStealing(boolean workStealing) throws Exception {
        Kernel k = boot(workStealing);
        CpuScheduler sched = k.core().scheduler();
        AtomicBoolean release0 = new AtomicBoolean();
        AtomicBoolean release1 = new AtomicBoolean();
        try {
            TaskGroup g = Fixtures.idleGroup(k, "home");
            Await.until("the group main sleeps", () -> sched.placement(g.id()).runQueuePosition() == -1,
                    () -> String.valueOf(sched.placement(g.id())));
            // Placement is decided at each spawn: H0 holds CPU 0, H1 holds CPU 1 (both spin without a safe
            // point, on platform threads so the virtual-thread carriers stay free), then least-loaded placement
            // queues P (pinned to 0) on CPU 0, D on CPU 1 and F on CPU 0.
            Task<Object> h0 = g.spawnTask(SpawnOptions.named("h0").affinity(0).platformThread(true), () -> spin(release0));
            Task<Object> h1 = g.spawnTask(SpawnOptions.named("h1").affinity(1).platformThread(true), () -> spin(release1));
            AtomicInteger pCpu = new AtomicInteger(-1);
            AtomicInteger fCpu = new AtomicInteger(-1);
            CountDownLatch pRan = new CountDownLatch(1);
            Task<Boolean> p = g.spawnTask(SpawnOptions.named("p").affinity(0), () -> {
                pCpu.set(sched.current().cpu());
                pRan.countDown();
                return true;
            });
            Task<Boolean> d = g.spawnTask("d", () -> true);
            Task<Boolean> f = g.spawnTask("f", () -> {
                fCpu.set(sched.current().cpu());
                return true;
            });
            assertThat(sched.placement(f.id()).cpu()).as("F queued on CPU 0").isZero();
            assertThat(sched.placement(d.id()).cpu()).as("D queued on CPU 1").isEqualTo(1);

            release1.set(true); // CPU 1 runs D, then its queue is empty
            assertThat(ended(d)).isEqualTo(ExitStatus.exited(0));
            Await.until("D gave CPU 1 up", () -> sched.placement(d.id()) == null);

            if (workStealing) {
                assertThat(ended(f)).as("F ran while H0 held CPU 0").isEqualTo(ExitStatus.exited(0));
                assertThat(fCpu.get()).isEqualTo(1);
                assertThat(sched.steals()).isEqualTo(1);
            } else {
                assertThat(f.onExit()).as("F waits for CPU 0").isNotDone();
                assertThat(sched.placement(f.id()).cpu()).isZero();
                assertThat(sched.steals()).isZero();
            }
            assertThat(pRan.getCount()).as("P, pinned to CPU 0, waits for it").isOne();
            assertThat(sched.placement(p.id()).cpu()).isZero();

            release0.set(true);
            assertThat(ended(p)).isEqualTo(ExitStatus.exited(0));
            assertThat(ended(f)).isEqualTo(ExitStatus.exited(0));
            assertThat(pCpu.get()).isZero();
            assertThat(fCpu.get()).isEqualTo(workStealing ? 1 : 0);
            assertThat(ended(h0)).isEqualTo(ExitStatus.exited(0));
            assertThat(ended(h1)).isEqualTo(ExitStatus.exited(0));
            assertThat(sched.steals()).isEqualTo(workStealing ? 1 : 0);
            assertThat(sched.invariantViolations()).isZero();
            Fixtures.killAndReap(g);
            KernelExtension.audit(k);
        } finally {
            release0.set(true); // on failure too: close() can then end the spinners, which never see a kill
            release1.set(true);
            k.close(Await.LONG);
        }
    }

    private static Object spin(AtomicBoolean release) {
        while (!release.get()) {
            Thread.onSpinWait(); // no safe point: keeps its CPU
        }
        return null;
    }
}
