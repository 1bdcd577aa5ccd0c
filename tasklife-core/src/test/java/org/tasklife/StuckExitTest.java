package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.await;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Fixtures.mainOf;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.OwnerDiedException;
import org.tasklife.sync.TaskLocal;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.TrackedResource;
import org.tasklife.testkit.Fixtures;

/**
 * SPEC K8, last sentence: a task stuck in its own exit sequence (a {@code close()} of what it owns, a
 * task-local destructor) is reported stuck after the kill grace period, killed or not, and the reaper
 * force-closes what it still owns and hands its mutexes on.
 */
class StuckExitTest {
    private static final Duration GRACE = Duration.ofMillis(200);

    private final CompletableFuture<StuckTaskReport> reported = new CompletableFuture<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CountDownLatch unblock = new CountDownLatch(1);
    private final Kernel kernel = Kernel.builder().name("stuck-exit").jmx(false).killGracePeriod(GRACE)
            .onStuckTask(reported::complete).boot();

    @AfterEach
    void closeKernel() {
        unblock.countDown(); // nothing the test started stays blocked
        kernel.close();
    }

    /** A resource whose close() blocks until the test lets it go. */
    static final class BlockingResource implements AutoCloseable {
        private final CountDownLatch closing;
        private final CountDownLatch unblock;
        private final AtomicInteger closes = new AtomicInteger();

        BlockingResource(CountDownLatch closing, CountDownLatch unblock) {
            this.closing = closing;
            this.unblock = unblock;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            closing.countDown();
            Fixtures.awaitUninterruptibly(unblock);
        }

        int closeCount() {
            return closes.get();
        }
    }

    /**
     * SPEC K8, K1: a task that returned normally and whose owned resource's close() blocks is not killed
     * (false for it and its group) but is reported stuck after the grace period, with the blocking close()
     * on its stack; what it still owns is force-closed once, by the reaper.
     */
    @Test
    void exit_ownedCloseBlocks_reportedStuckWithCloseOnStack_killStaysFalse() throws Exception {
        TrackedResource early = new TrackedResource("early"); // registered first: closed after the blocking one
        BlockingResource blocking = new BlockingResource(closing, unblock);
        TaskGroup g = kernel.spawnGroup("exiting", () -> {
            Tasks.own(early);
            Tasks.own(blocking);
            return 0;
        });
        Task<?> t = mainOf(kernel, g);
        await(closing);
        assertThat(t.state()).isEqualTo(TaskState.EXITING);

        assertThat(t.kill()).as("SPEC K1: an exiting task is not killed").isFalse();
        assertThat(g.kill()).as("the group's status is recorded already").isFalse();

        StuckTaskReport r = get(reported);
        assertThat(r.taskId()).isEqualTo(t.id());
        assertThat(r.groupId()).isEqualTo(g.id());
        assertThat(r.state()).isEqualTo(TaskState.EXITING);
        assertThat(r.stack()).anySatisfy(f -> {
            assertThat(f.getClassName()).isEqualTo(BlockingResource.class.getName());
            assertThat(f.getMethodName()).isEqualTo("close");
        });
        assertThat(kernel.stuckTasks()).containsExactly(r);
        assertThat(early.closeCount()).as("force-closed by the reaper").isEqualTo(1);
        assertThat(early.closingThreads()).singleElement().asString().isNotEqualTo(t.name() + "#" + t.id());
        assertThat(t.state()).isEqualTo(TaskState.EXITING);

        unblock.countDown();

        assertThat(ended(t)).isEqualTo(ExitStatus.exited(0));
        assertThat(early.closeCount()).as("exactly once").isEqualTo(1);
        assertThat(blocking.closeCount()).isEqualTo(1);
        assertThat(ended(g)).isEqualTo(ExitStatus.exited(0));
        g.reap();
        KernelExtension.audit(kernel);
    }

    /**
     * SPEC K8: a task never killed whose task-local destructor blocks is reported stuck after the grace
     * period all the same, and the resources it owns are force-closed once.
     */
    @Test
    void exit_destructorBlocks_reportedWithoutAnyKill_resourceForceClosedOnce() throws Exception {
        TaskGroup home = idleGroup(kernel, "home");
        TrackedResource res = new TrackedResource("res");
        TaskLocal<String> local = new TaskLocal<>(v -> {
            closing.countDown();
            Fixtures.awaitUninterruptibly(unblock);
        });
        Task<String> t = home.spawnTask("worker", () -> {
            Tasks.own(res);
            local.set("value");
            return "done";
        });
        await(closing);

        StuckTaskReport r = get(reported);
        assertThat(r.taskId()).isEqualTo(t.id());
        assertThat(r.state()).isEqualTo(TaskState.EXITING);
        assertThat(r.stack()).anySatisfy(f -> assertThat(f.getClassName()).startsWith(StuckExitTest.class.getName()));
        assertThat(res.closeCount()).isEqualTo(1);
        assertThat(t.isKilled()).isFalse();

        unblock.countDown();

        assertThat(ended(t)).isEqualTo(ExitStatus.exited(0));
        assertThat(res.closeCount()).as("exactly once").isEqualTo(1);
        killAndReap(home);
        KernelExtension.audit(kernel);
    }

    /**
     * SPEC K8, §9: a task stuck in its exit sequence holding a mutex: once it is reported, a task waiting
     * for that mutex gets it and is told the owner died, instead of waiting for the close() to return.
     */
    @Test
    void exit_stuckHoldingMutex_waiterGetsItOwnerDiedAfterReport() throws Exception {
        TaskGroup home = idleGroup(kernel, "home");
        Mutex m = new Mutex();
        BlockingResource blocking = new BlockingResource(closing, unblock);
        Task<Object> owner = home.spawnTask("owner", () -> {
            Tasks.own(blocking);
            m.lock(); // no unlock: it ends holding the mutex
            return null;
        });
        await(closing);
        Attempt waiter = attempt(home, "waiter", () -> {
            try {
                m.lock();
                m.unlock();
                return "not told";
            } catch (OwnerDiedException e) {
                m.markConsistent();
                m.unlock();
                return "owner died";
            }
        });

        assertThat(get(reported).taskId()).isEqualTo(owner.id());
        assertThat(waiter.get()).isEqualTo("owner died");
        assertThat(owner.state()).isEqualTo(TaskState.EXITING);

        unblock.countDown();

        assertThat(ended(owner)).isEqualTo(ExitStatus.exited(0));
        killAndReap(home);
        KernelExtension.audit(kernel);
    }

    /** A task whose owned resources close promptly leaves no grace timer armed and no report. */
    @Test
    void exit_ownedResourcesClosePromptly_noTimerLeftNoReport() throws Exception {
        try (Kernel k = Kernel.builder().name("prompt").jmx(false).killGracePeriod(Duration.ofHours(1)).boot()) {
            TrackedResource res = new TrackedResource("res");
            TaskLocal<String> local = new TaskLocal<>(v -> {});
            TaskGroup g = k.spawnGroup("g", () -> {
                Tasks.own(res);
                local.set("value");
                return 0;
            });
            assertThat(ended(g)).isEqualTo(ExitStatus.exited(0));
            g.reap();
            assertThat(res.closeCount()).isEqualTo(1);
            KernelExtension.audit(k); // no armed timer: the exit's grace timer was cancelled
            assertThat(k.stuckTasks()).isEmpty();
        }
    }
}
