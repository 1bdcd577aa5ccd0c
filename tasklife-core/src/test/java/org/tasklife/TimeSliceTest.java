package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.*;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.ManualClock;

/**
 * SPEC K4, last sentence: in default mode CPU-bound tasks that reach safe points share the carrier threads
 * of the virtual-thread scheduler, so as many spinning tasks as there are carriers starve no other task.
 */
@ExtendWith(KernelExtension.class)
class TimeSliceTest {

    /** The safe point a spinning task loops on. */
    enum SafePoint {
        CHECKPOINT {
            @Override
            void reach() {
                Tasks.checkpoint();
            }
        },
        YIELD_NOW {
            @Override
            void reach() {
                Tasks.yieldNow();
            }
        };

        abstract void reach();
    }

    /** The carriers of the JDK's virtual-thread scheduler, read as the JDK reads them. */
    private static int carriers() {
        String p = System.getProperty("jdk.virtualThreadScheduler.parallelism");
        return p != null ? Integer.parseInt(p) : Runtime.getRuntime().availableProcessors();
    }

    /**
     * One task per carrier in a new group, each looping on {@code safePoint} for ever; returns once every one
     * runs, so that each holds a carrier (they never block).
     */
    private static TaskGroup spinOnEveryCarrier(Kernel kernel, SafePoint safePoint) throws Exception {
        TaskGroup spinners = idleGroup(kernel, "spinners");
        int n = carriers();
        CountDownLatch spinning = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            spinners.spawnTask("spinner-" + i, () -> {
                spinning.countDown();
                for (;;) {
                    safePoint.reach();
                }
            });
        }
        await(spinning);
        return spinners;
    }

    /** Kills the spinners and checks that they end (they see the kill at their next safe point). */
    private static void stop(TaskGroup spinners) throws Exception {
        killAndReap(spinners);
        assertThat(spinners.state()).isEqualTo(GroupState.REAPED);
    }

    /** SPEC K4: with a spinning task on every carrier, the main task of another group still runs and returns. */
    @ParameterizedTest
    @EnumSource(SafePoint.class)
    void safePoint_spinnersOnEveryCarrier_otherGroupsMainTaskReturns(SafePoint safePoint, Kernel kernel)
            throws Exception {
        TaskGroup spinners = spinOnEveryCarrier(kernel, safePoint);
        try {
            TaskGroup quick = kernel.spawnGroup("quick", () -> 7);
            assertThat(ended(quick)).isEqualTo(ExitStatus.exited(7));
            quick.reap();
        } finally {
            stop(spinners);
        }
    }

    /** SPEC K4, W1: with a spinning task on every carrier, a parent's waitChild returns once its child ends. */
    @ParameterizedTest
    @EnumSource(SafePoint.class)
    void safePoint_spinnersOnEveryCarrier_parentWaitChildReturns(SafePoint safePoint, Kernel kernel)
            throws Exception {
        Semaphore go = new Semaphore(0);
        AtomicLong childId = new AtomicLong();
        CountDownLatch spawned = new CountDownLatch(1);
        TaskGroup parent = kernel.spawnGroup("parent", () -> {
            TaskGroup child = Tasks.spawnGroup("child", () -> {
                go.acquire();
                return 5;
            });
            childId.set(child.id());
            spawned.countDown();
            Optional<ChildExit> exit = Tasks.waitChild(ChildSelector.group(child.id()));
            return exit.orElseThrow().status() instanceof ExitStatus.Exited e ? e.code() : -1;
        });
        await(spawned);
        Await.state(mainOf(kernel, parent), TaskState.BLOCKED); // in waitChild
        Await.state(kernel.findTask(childId.get()).orElseThrow(), TaskState.BLOCKED); // in acquire
        TaskGroup spinners = spinOnEveryCarrier(kernel, safePoint);
        try {
            go.release(); // from the host: the child needs a carrier to return, then the parent to reap it
            assertThat(ended(parent)).isEqualTo(ExitStatus.exited(5));
            parent.reap();
        } finally {
            stop(spinners);
        }
    }

    /** SPEC K4, K1: with a spinning task on every carrier, the kill of a task blocked in sleep completes. */
    @ParameterizedTest
    @EnumSource(SafePoint.class)
    void safePoint_spinnersOnEveryCarrier_killOfBlockedTaskCompletes(SafePoint safePoint, Kernel kernel)
            throws Exception {
        TaskGroup home = idleGroup(kernel, "home");
        Task<Object> sleeper = home.spawnTask("sleeper", () -> {
            Tasks.sleep(Duration.ofHours(1));
            return null;
        });
        Await.state(sleeper, TaskState.BLOCKED);
        TaskGroup spinners = spinOnEveryCarrier(kernel, safePoint);
        try {
            assertThat(sleeper.kill()).isTrue();
            assertThat(ended(sleeper)).isEqualTo(ExitStatus.KILLED); // it needs a carrier to unwind
        } finally {
            stop(spinners);
        }
        killAndReap(home);
    }

    /**
     * SPEC K4: in default mode the slice is the kernel's {@code timeSlice}, measured on the kernel's clock: with
     * a 1 µs slice, a clock moved by 1 µs at a time, 2 ms in all (a fifth of the 10 ms default), lets another
     * group's main task run beside a spinning task on every carrier.
     */
    @Test
    void timeSlice_defaultModeOnManualClock_configuredSliceEndsTheSpin() throws Exception {
        ManualClock clock = new ManualClock();
        Kernel kernel = Kernel.builder().name("slice").clock(clock).timeSlice(Duration.ofNanos(1_000)).boot();
        try {
            TaskGroup spinners = spinOnEveryCarrier(kernel, SafePoint.CHECKPOINT);
            try {
                TaskGroup quick = kernel.spawnGroup("quick", () -> 7);
                for (int step = 0; step < 2_000 && !quick.onExit().isDone(); step++) {
                    clock.advanceNanos(1_000); // every spinner's slice is over: each gives its carrier up once
                    LockSupport.parkNanos(1_000_000);
                }
                assertThat(quick.onExit()).as("ended after at most 2 ms of kernel time").isDone();
                assertThat(ended(quick)).isEqualTo(ExitStatus.exited(7));
                quick.reap();
            } finally {
                stop(spinners);
            }
            KernelExtension.audit(kernel);
        } finally {
            kernel.close(Await.LONG);
        }
    }
}
