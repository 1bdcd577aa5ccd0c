package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.mainOf;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * A task of one kernel waiting on an object of another kernel (a group to reap, a domain's children, a
 * domain's stop, the other kernel's close): the wait is the task's own, so a kill of the task ends it
 * (SPEC K2), and in scheduler mode the task gives its CPU up while it waits.
 */
class CrossKernelWaitTest {
    private static final Duration HOUR = Duration.ofHours(1);

    private final AtomicBoolean release = new AtomicBoolean();
    private Kernel a;
    private Kernel b;

    @AfterEach
    void closeKernels() {
        release.set(true);
        try {
            if (a != null) {
                a.close();
            }
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }

    /** A wait that a task of kernel A enters on kernel B, and how B is set up for it to block. */
    enum CrossWait {
        /** {@link TaskGroup#reap()} of a live top-level group of B. */
        REAP {
            @Override
            void enter(Kernel b, AtomicBoolean release, CompletableFuture<Runnable> blockOn) {
                TaskGroup live = idleGroup(b, "live");
                blockOn.complete(live::reap);
            }
        },
        /** {@link Domain#waitChild} of B's root domain with a live group in it. */
        DOMAIN_WAIT_CHILD {
            @Override
            void enter(Kernel b, AtomicBoolean release, CompletableFuture<Runnable> blockOn) {
                idleGroup(b, "live");
                blockOn.complete(() -> b.rootDomain().waitChild(ChildSelector.any()));
            }
        },
        /** {@link Domain#awaitStopped} of a running domain of B. */
        AWAIT_STOPPED {
            @Override
            void enter(Kernel b, AtomicBoolean release, CompletableFuture<Runnable> blockOn) {
                Domain d = b.createDomain("running");
                d.spawnGroup("live", Fixtures::sleepForever);
                blockOn.complete(() -> d.awaitStopped(HOUR));
            }
        },
        /** {@link Kernel#close(Duration)} of B while a task of B does not unwind. */
        CLOSE {
            @Override
            void enter(Kernel b, AtomicBoolean release, CompletableFuture<Runnable> blockOn) throws Exception {
                CountDownLatch spinning = new CountDownLatch(1);
                b.spawnGroup(SpawnOptions.named("uncooperative").platformThread(true), () -> {
                    spinning.countDown(); // a task killed before its body starts would end at once
                    while (!release.get()) {
                        Thread.onSpinWait(); // ignores kills and interrupts until the test ends
                    }
                    return 0;
                });
                Fixtures.await(spinning);
                blockOn.complete(() -> b.close(HOUR));
            }
        };

        abstract void enter(Kernel b, AtomicBoolean release, CompletableFuture<Runnable> blockOn) throws Exception;
    }

    /** SPEC K2: a task of kernel A blocked in a wait on kernel B ends at once when killed. */
    @ParameterizedTest
    @EnumSource(CrossWait.class)
    void crossKernelWait_waiterKilled_endsPromptly(CrossWait wait) throws Exception {
        a = Kernel.builder().name("a").jmx(false).boot();
        b = Kernel.builder().name("b").jmx(false).boot();
        CompletableFuture<Runnable> blockOn = new CompletableFuture<>();
        wait.enter(b, release, blockOn);
        Runnable call = get(blockOn);
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        TaskGroup waiter = a.spawnGroup("waiter", () -> {
            try {
                call.run();
                thrown.complete(null);
            } catch (Throwable e) {
                thrown.complete(e);
                throw e;
            }
            return 0;
        });
        Task<?> w = mainOf(a, waiter);
        Await.state(w, TaskState.BLOCKED);

        assertThat(w.kill()).isTrue();

        assertThat(ended(w)).isEqualTo(ExitStatus.KILLED);
        assertThat(get(thrown)).isInstanceOf(TaskKilledError.class);
        waiter.reap();
        KernelExtension.audit(a);
    }

    /** In scheduler mode a task of kernel A blocked in a wait on kernel B gives its only CPU to A's other tasks. */
    @ParameterizedTest
    @EnumSource(CrossWait.class)
    void crossKernelWait_fromSchedulerMode_releasesTheCpu(CrossWait wait) throws Exception {
        a = Kernel.builder().name("a").jmx(false).cpus(1).boot();
        b = Kernel.builder().name("b").jmx(false).boot();
        CompletableFuture<Runnable> blockOn = new CompletableFuture<>();
        wait.enter(b, release, blockOn);
        Runnable call = get(blockOn);
        TaskGroup waiter = a.spawnGroup("waiter", () -> {
            call.run();
            return 0;
        });
        Task<?> w = mainOf(a, waiter);
        Await.state(w, TaskState.BLOCKED);

        TaskGroup other = a.spawnGroup("other", () -> 7);

        assertThat(ended(other)).isEqualTo(ExitStatus.exited(7));
        other.reap();
        assertThat(w.kill()).isTrue();
        assertThat(ended(w)).isEqualTo(ExitStatus.KILLED);
        waiter.reap();
        KernelExtension.audit(a);
    }
}
