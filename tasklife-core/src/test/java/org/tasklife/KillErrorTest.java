package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.testkit.Fixtures.*;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;

/** The error a kill throws in its task (contract K2, K5): what it says and what it costs. */
@ExtendWith(KernelExtension.class)
class KillErrorTest {

    /** SPEC K2, K5: a killed wait throws a TaskKilledError naming the task, with no stack trace captured. */
    @Test
    void killedWait_error_namesTaskAndHasNoStackTrace(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Semaphore none = new Semaphore(0);
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Task<?> victim = g.spawnTask("victim", () -> {
            try {
                none.acquire();
            } catch (Throwable e) {
                thrown.complete(e);
                throw e;
            }
            return null;
        });
        Await.state(victim, TaskState.BLOCKED);

        assertThat(victim.kill()).isTrue();

        Throwable e = get(thrown);
        assertThat(e).isInstanceOf(TaskKilledError.class)
                .hasMessage("task " + victim.id() + " (victim) was killed");
        assertThat(e.getStackTrace()).as("a kill is a signal: no stack walk per killed task").isEmpty();
        assertThat(e.toString()).isEqualTo(TaskKilledError.class.getName() + ": task " + victim.id() + " (victim) was killed");
        assertThat(get(victim.onExit())).isEqualTo(ExitStatus.KILLED);
        killAndReap(g);
    }

    /** SPEC K5: a TaskKilledError made by user code keeps its stack trace and message, as any Error. */
    @Test
    void userMadeError_keepsStackTrace() {
        TaskKilledError e = new TaskKilledError("mine");
        assertThat(e.getMessage()).isEqualTo("mine");
        assertThat(e.getStackTrace()).isNotEmpty();
    }

    /** SPEC §12: the kernel-style constructor refuses a task id that can never exist, naming the argument. */
    @Test
    void taskIdConstructor_nonPositiveId_throwsIllegalArgument() {
        for (long id : new long[] {0L, -1L}) {
            assertThatThrownBy(() -> new TaskKilledError(id, "x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("taskId must be positive");
        }
        assertThat(new TaskKilledError(7, "w")).hasMessage("task 7 (w) was killed")
                .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
    }

    /** SPEC K5: an error whose stack trace is not captured still takes suppressed throwables (try-with-resources). */
    @Test
    @SuppressWarnings("try") // the resource exists only to fail its close
    void killedWait_error_keepsSuppressed(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Semaphore none = new Semaphore(0);
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Task<?> victim = g.spawnTask("victim", () -> {
            try (AutoCloseable c = () -> {
                throw new IllegalStateException("close failed");
            }) {
                none.acquire();
            } catch (Throwable e) {
                thrown.complete(e);
                throw e;
            }
            return null;
        });
        Await.state(victim, TaskState.BLOCKED);

        victim.kill();

        Throwable e = get(thrown);
        assertThat(e).isInstanceOf(TaskKilledError.class);
        assertThat(e.getSuppressed()).singleElement().isInstanceOf(IllegalStateException.class);
        killAndReap(g);
    }
}
