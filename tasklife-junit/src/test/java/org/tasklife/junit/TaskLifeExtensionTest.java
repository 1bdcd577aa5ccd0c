package org.tasklife.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.SpawnRefusedException;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;

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
}
