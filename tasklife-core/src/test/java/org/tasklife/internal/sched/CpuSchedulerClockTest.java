package org.tasklife.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.ManualClock;

/** The scheduler takes its time from the clock it is given, never from System.nanoTime (STYLE G13). */
class CpuSchedulerClockTest {
    private static final long NO_PREEMPTION = Duration.ofHours(1).toNanos();

    /** A task's CPU time in scheduler mode is what the scheduler's clock moved while the task held its CPU. */
    @Test
    void cpuTime_taskHoldsItsCpu_isMeasuredOnTheInjectedClock() throws Exception {
        ManualClock clock = new ManualClock();
        CpuScheduler sched = CpuScheduler.ofCpus(1, NO_PREEMPTION, false, clock);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            Thread thread = Thread.ofPlatform().daemon().name("holder").unstarted(() -> {
                CpuScheduler.Entity me = sched.current();
                sched.start(me);
                try {
                    running.countDown();
                    Fixtures.await(release); // holds its CPU outside tasklife on purpose
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    sched.exit(me);
                }
            });
            sched.admit(thread, 1, PriorityClass.DEFAULT_PRIORITY, null);
            thread.start();
            sched.started(thread);
            Fixtures.await(running);

            clock.advance(Duration.ofMillis(7));

            assertThat(sched.placement(1).cpuNanos()).isEqualTo(Duration.ofMillis(7).toNanos());
            release.countDown();
            thread.join(Await.LONG.toMillis());
            assertThat(thread.isAlive()).isFalse();
            assertThat(failure.get()).isNull();
        } finally {
            release.countDown();
            sched.close();
        }
    }
}
