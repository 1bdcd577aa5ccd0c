package org.tasklife.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.SpawnRefusedException;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.sync.Mutex;

/**
 * The extension fails a test that leaks and passes one that does not. Each case is a sample test class
 * (static nested, so surefire does not run it by itself) run by EngineTestKit.
 */
class TaskLifeExtensionTest {
    /** The kernel the last sample test received, to check what the extension did to it. */
    static final AtomicReference<Kernel> LAST = new AtomicReference<>();

    private static EngineExecutionResults run(Class<?> sample) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample))
                .configurationParameter(TaskLifeExtension.AUDIT_TIMEOUT, "PT0.1S").execute();
    }

    private static EngineExecutionResults runParallel(Class<?> sample) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample))
                .configurationParameter(TaskLifeExtension.AUDIT_TIMEOUT, "PT0.5S")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "3")
                .execute();
    }

    /** The failure of the test named {@code method}, which must have failed. */
    private static Throwable failureOf(EngineExecutionResults results, String method) {
        Event e = results.testEvents().finished().stream()
                .filter(ev -> ev.getTestDescriptor().getDisplayName().startsWith(method + "("))
                .findFirst().orElseThrow(() -> new AssertionError("no test " + method + ": "
                        + results.testEvents().list()));
        TestExecutionResult r = e.getPayload(TestExecutionResult.class).orElseThrow();
        assertThat(r.getStatus()).as("status of %s", method).isEqualTo(TestExecutionResult.Status.FAILED);
        return r.getThrowable().orElseThrow();
    }

    /** A group of {@code kernel} whose main blocks in {@code m.lock()} (a queued waiter) until killed. */
    private static TaskGroup blockedOn(Kernel kernel, Mutex m, String name) {
        TaskGroup g = kernel.spawnGroup(name, () -> {
            m.lock();
            m.unlock();
            return 0;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!kernel.findTask(g.id()).map(t -> t.state() == TaskState.BLOCKED).orElse(false)) {
            if (System.nanoTime() - deadline > 0) { // a poll with a deadline: the samples run outside tasks
                throw new AssertionError("task " + g.id() + " did not block in the mutex");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return g;
    }

    private static Throwable failureOf(EngineExecutionResults results) {
        Event failed = results.testEvents().failed().stream().findFirst()
                .orElseThrow(() -> new AssertionError("no test failed: " + results.testEvents().list()));
        return failed.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable()
                .orElseThrow();
    }

    @TaskLifeTest
    static class Clean {
        @Test
        void spawnsAndReaps(Kernel kernel) {
            LAST.set(kernel);
            TaskGroup g = kernel.spawnGroup("quick", () -> 0);
            assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        }
    }

    /** A test that ends every task it starts passes, and its kernel is closed afterwards. */
    @Test
    void cleanTest_passes_andItsKernelIsClosed() {
        run(Clean.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        assertThatThrownBy(() -> LAST.get().spawnGroup("late", () -> 0)).isInstanceOf(SpawnRefusedException.class);
    }

    @TaskLifeTest
    static class LeaksASleeper {
        @Test
        void forgetsItsGroup(Kernel kernel) {
            LAST.set(kernel);
            kernel.spawnGroup("forgotten-sleeper", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            });
        }
    }

    /** A test that leaves a task blocked fails with the counts and a ps table naming the task. */
    @Test
    void leakingTest_fails_withPsTableOfWhatLeaked() {
        EngineExecutionResults results = run(LeaksASleeper.class);

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        Throwable t = failureOf(results);
        assertThat(t).isInstanceOf(AssertionError.class).hasMessageContaining("the test leaked")
                .hasMessageContaining("1 live task,").hasMessageContaining("1 armed timer")
                .hasMessageContaining("TID").hasMessageContaining("forgotten-sleeper").hasMessageContaining("BLOCKED");
        assertThat(LAST.get().liveTaskCount()).as("the extension closed the kernel: the sleeper was killed").isZero();
    }

    @TaskLifeTest
    static class FailsByItself {
        @Test
        void throwsWhileLeaking(Kernel kernel) {
            LAST.set(kernel);
            kernel.spawnGroup("left-behind", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            });
            throw new IllegalStateException("the test's own failure");
        }
    }

    /** A test that fails by itself keeps its own failure, and its kernel is still closed. */
    @Test
    void failingTest_keepsItsOwnFailure_andKernelIsClosed() {
        EngineExecutionResults results = run(FailsByItself.class);

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        assertThat(failureOf(results)).isInstanceOf(IllegalStateException.class).hasMessage("the test's own failure");
        assertThat(LAST.get().liveTaskCount()).isZero();
    }

    @TaskLifeTest
    static class SharesItsKernel {
        Kernel fromBeforeEach;

        @BeforeEach
        void setUp(Kernel kernel) {
            fromBeforeEach = kernel;
        }

        @Test
        void first(Kernel kernel) {
            assertThat(kernel).isSameAs(fromBeforeEach);
            LAST.set(kernel);
        }

        @Test
        void second(Kernel kernel) {
            assertThat(kernel).isSameAs(fromBeforeEach).isNotSameAs(LAST.get());
            LAST.set(kernel);
        }
    }

    /** @BeforeEach and the test get the same kernel; each test gets a fresh one. */
    @Test
    void kernelParameter_isOnePerTest_sharedWithBeforeEach() {
        run(SharesItsKernel.class).testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    }

    /** By hand, the audit passes on a quiet kernel and fails on a busy one. */
    @Test
    void leakAudit_byHand_reportsLiveTasks() {
        try (Kernel k = Kernel.builder().name("by-hand").boot()) {
            LeakAudit.assertQuiescent(k, Duration.ZERO);
            TaskGroup g = k.spawnGroup("busy", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            });
            assertThatThrownBy(() -> LeakAudit.assertQuiescent(k, Duration.ofMillis(20)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("busy");
            g.kill();
            g.reap();
            LeakAudit.assertQuiescent(k, Duration.ofSeconds(5));
        }
    }

    /** Kernels a sample booted itself and left open, closed by the test that ran the sample. */
    static final java.util.List<Kernel> LEFT_OPEN = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static void closeLeftOpen() {
        for (Kernel k : LEFT_OPEN) {
            k.close(Duration.ofSeconds(5));
        }
        LEFT_OPEN.clear();
    }

    @TaskLifeTest
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class BootsItsOwnKernel {
        static final Mutex HELD = new Mutex();

        @Test
        @Order(1)
        void leavesItsOwnKernelBlocked() {
            Kernel own = Kernel.builder().name("own-kernel").boot();
            LEFT_OPEN.add(own);
            HELD.lock(); // the test thread (host code) holds it; the task below queues for it
            blockedOn(own, HELD, "stuck-on-held");
        }

        @Test
        @Order(2)
        void cleanAfterwards(Kernel kernel) {
            assertThat(kernel.spawnGroup("quick", () -> 0).reap()).isEqualTo(ExitStatus.exited(0));
        }
    }

    /**
     * A test that leaves a kernel it booted itself with a blocked task fails, with that kernel's table; the
     * next test, clean, passes (the leak is not counted against it).
     */
    @Test
    void ownKernelLeak_failsThatTest_notTheNext() {
        try {
            EngineExecutionResults results = run(BootsItsOwnKernel.class);

            results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
            assertThat(failureOf(results, "leavesItsOwnKernelBlocked")).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("outside its kernel").hasMessageContaining("own-kernel")
                    .hasMessageContaining("booted during the test").hasMessageContaining("1 live task")
                    .hasMessageContaining("stuck-on-held").hasMessageContaining("TID");
        } finally {
            closeLeftOpen();
            BootsItsOwnKernel.HELD.unlock();
        }
    }

    @TaskLifeTest
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class BootsAnUnlistedKernel {
        static final Mutex HELD = new Mutex();

        @Test
        @Order(1)
        void leavesAWaiterQueued() {
            Kernel own = Kernel.builder().name("no-jmx").jmx(false).boot();
            LEFT_OPEN.add(own);
            HELD.lock();
            blockedOn(own, HELD, "queued-waiter");
        }

        @Test
        @Order(2)
        void cleanAfterwards(Kernel kernel) {
            assertThat(kernel.spawnGroup("quick", () -> 0).reap()).isEqualTo(ExitStatus.exited(0));
        }
    }

    /**
     * A waiter left queued by a kernel the test booted without JMX fails that test (by the JVM-wide count
     * taken before and after it), not the next one.
     */
    @Test
    void unlistedKernelWaiter_failsThatTest_notTheNext() {
        try {
            EngineExecutionResults results = run(BootsAnUnlistedKernel.class);

            results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
            assertThat(failureOf(results, "leavesAWaiterQueued")).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("outside its kernel").hasMessageContaining("1 tasklife waiter");
        } finally {
            closeLeftOpen();
            BootsAnUnlistedKernel.HELD.unlock();
        }
    }

    @TaskLifeTest
    static class RunsInParallel {
        /** All three tests hold a queued waiter at once before any of them ends. */
        static final CyclicBarrier ALL_BLOCKED = new CyclicBarrier(3);
        static final Mutex HELD = new Mutex();

        private static void run(Kernel kernel, String name, boolean clean) throws Exception {
            TaskGroup g = blockedOn(kernel, HELD, name);
            ALL_BLOCKED.await(10, TimeUnit.SECONDS); // fails unless the three run concurrently
            if (clean) {
                g.kill();
                g.reap();
            }
        }

        @Test
        void a(Kernel kernel) throws Exception {
            run(kernel, "waiter-a", true);
        }

        @Test
        void b(Kernel kernel) throws Exception {
            run(kernel, "waiter-b", true);
        }

        @Test
        void leaky(Kernel kernel) throws Exception {
            run(kernel, "waiter-leaky", false);
        }
    }

    /**
     * With parallel execution each test's own kernel is audited: the leaking test fails with its own
     * table, and the clean tests running at the same time pass although another test's waiter is queued.
     */
    @Test
    void parallelExecution_auditsEachTestsKernel_onlyTheLeakFails() {
        RunsInParallel.HELD.lock();
        try {
            EngineExecutionResults results = runParallel(RunsInParallel.class);

            results.testEvents().assertStatistics(s -> s.started(3).succeeded(2).failed(1));
            assertThat(failureOf(results, "leaky")).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("the test leaked").hasMessageContaining("waiter-leaky")
                    .hasMessageNotContaining("waiter-a").hasMessageNotContaining("waiter-b");
        } finally {
            RunsInParallel.HELD.unlock();
        }
    }
}
