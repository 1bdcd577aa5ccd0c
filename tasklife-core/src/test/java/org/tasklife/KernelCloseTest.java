package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.TrackedResource;

/** Kernel shutdown; builds its own kernels (no extension: closing is the subject). */
class KernelCloseTest {
    private static final long WAIT_S = Await.LONG.toSeconds();
    private static final Duration CLOSE = Await.scaled(Duration.ofSeconds(10));

    /** A group-owned resource whose close() takes a while and records when it finished. */
    private static final class SlowResource implements AutoCloseable {
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicBoolean closeFinished = new AtomicBoolean();

        @Override
        public void close() {
            try {
                closed.await(200, TimeUnit.MILLISECONDS); // workload: a close that takes 200 ms
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeFinished.set(true);
        }
    }

    /**
     * SPEC K2, K4, O2, §0: close() kills tasks blocked in sleep, join and waitChild and a running task at its
     * checkpoints, reports clean, and every task-owned resource is closed exactly once.
     */
    @Test
    void close_blockedAndRunningTasks_allKilledCleanReportResourcesClosedOnce() throws Exception {
        Kernel kernel = Kernel.builder().name("close-all").boot();
        List<TrackedResource> resources = new ArrayList<>();
        for (String n : List.of("sleeper", "joiner", "joined", "waiter", "kid", "runner")) {
            resources.add(new TrackedResource(n));
        }
        CountDownLatch running = new CountDownLatch(1);
        AtomicReference<Task<Object>> joinedRef = new AtomicReference<>();
        AtomicReference<TaskGroup> kidRef = new AtomicReference<>();

        TaskGroup sleeper = kernel.spawnGroup("sleeper", () -> {
            Tasks.own(resources.get(0));
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        TaskGroup joiner = kernel.spawnGroup("joiner", () -> {
            Tasks.own(resources.get(1));
            Task<Object> joined = Tasks.spawnTask("joined", () -> {
                Tasks.own(resources.get(2));
                Tasks.sleep(Duration.ofHours(1));
                return null;
            });
            joinedRef.set(joined);
            joined.join();
            return 0;
        });
        TaskGroup waiter = kernel.spawnGroup("waiter", () -> {
            Tasks.own(resources.get(3));
            kidRef.set(Tasks.spawnGroup("kid", () -> {
                Tasks.own(resources.get(4));
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            }));
            Tasks.waitChild(ChildSelector.any());
            return 0;
        });
        TaskGroup runner = kernel.spawnGroup("runner", () -> {
            Tasks.own(resources.get(5));
            running.countDown();
            for (;;) {
                Tasks.checkpoint();
                Thread.onSpinWait();
            }
        });

        Await.state(kernel.findTask(sleeper.id()).orElseThrow(), TaskState.BLOCKED);
        Await.state(kernel.findTask(joiner.id()).orElseThrow(), TaskState.BLOCKED);
        Await.until("joined task spawned", () -> joinedRef.get() != null);
        Await.state(joinedRef.get(), TaskState.BLOCKED);
        Await.state(kernel.findTask(waiter.id()).orElseThrow(), TaskState.BLOCKED);
        Await.until("kid spawned", () -> kidRef.get() != null);
        TaskGroup kid = kidRef.get();
        Await.state(kernel.findTask(kid.id()).orElseThrow(), TaskState.BLOCKED);
        assertThat(running.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        assertThat(kernel.snapshot().tasks()).extracting(TaskInfo::waitChannel)
                .anyMatch(c -> c.startsWith("join(task "))
                .anyMatch(c -> c.startsWith("waitChild("))
                .anyMatch(c -> c.startsWith("sleep("));

        ShutdownReport report = kernel.close(CLOSE);
        assertThat(report.isClean()).as("stuck: %s", report.stuck()).isTrue();
        assertThat(report.stuck()).isEmpty();
        assertThat(kernel.liveTaskCount()).isZero();
        assertThat(resources).allSatisfy(r -> {
            assertThat(r.closeCount()).as("closes of %s", r).isEqualTo(1);
            assertThat(r.closingThreads()).doesNotContain(Thread.currentThread().getName());
        });
        for (TaskGroup g : List.of(sleeper, joiner, waiter, runner, kid)) {
            assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).as("status of %s", g).isEqualTo(ExitStatus.KILLED);
        }
        assertThat(joinedRef.get().exitStatus()).contains(ExitStatus.KILLED);
        assertThat(report.elapsed()).isLessThan(Await.LONG);
    }

    /**
     * SPEC O2, R3: when close() returns a clean report, group-owned resources of the killed groups are closed
     * and the groups' onExit futures are complete (the kernel "stops everything").
     */
    @Test
    void close_cleanReport_groupResourcesClosedAndGroupsEndedBeforeReturn() throws Exception {
        Kernel kernel = Kernel.builder().name("close-group").boot();
        SlowResource slow = new SlowResource();
        TrackedResource tracked = new TrackedResource("group-owned");
        TaskGroup g = kernel.spawnGroup("owner", () -> {
            Tasks.ownByGroup(tracked);
            Tasks.ownByGroup(slow);
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        Await.state(kernel.findTask(g.id()).orElseThrow(), TaskState.BLOCKED);

        ShutdownReport report = kernel.close(CLOSE);
        boolean slowFinished = slow.closeFinished.get();
        int trackedCloses = tracked.closeCount();
        boolean exitDone = g.onExit().isDone();
        // let the group finish before asserting, so a failure leaves nothing behind
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        assertThat(report.isClean()).isTrue();
        assertThat(slowFinished).as("slow group-owned resource closed when close() returned").isTrue();
        assertThat(trackedCloses).as("closes of the group-owned resource when close() returned").isEqualTo(1);
        assertThat(exitDone).as("group onExit complete when close() returned").isTrue();
    }

    /** SPEC P3, §12: after close, every spawn is refused with SpawnRefusedException and nothing is created. */
    @Test
    void spawn_afterClose_refused() {
        Kernel kernel = Kernel.builder().name("closed").boot();
        assertThat(kernel.close(CLOSE).isClean()).isTrue();
        assertThatThrownBy(() -> kernel.spawnGroup("late", () -> 0)).isInstanceOf(SpawnRefusedException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> kernel.rootDomain().spawnGroup("late", () -> 0))
                .isInstanceOf(SpawnRefusedException.class);
        assertThat(kernel.liveTaskCount()).isZero();
        assertThat(kernel.snapshot().tasks()).isEmpty();
        assertThat(kernel.rootDomain().groups()).isEmpty();
    }

    /** Kernel.close is idempotent: a second close is harmless, reports clean and closes nothing twice. */
    @Test
    void close_twice_harmless() throws Exception {
        Kernel kernel = Kernel.builder().name("twice").boot();
        TrackedResource r = new TrackedResource("r");
        TaskGroup g = kernel.spawnGroup("sleeper", () -> {
            Tasks.own(r);
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        Await.state(kernel.findTask(g.id()).orElseThrow(), TaskState.BLOCKED);
        assertThat(kernel.close(CLOSE).isClean()).isTrue();
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        ShutdownReport second = kernel.close(Duration.ofMillis(100));
        assertThat(second.isClean()).isTrue();
        kernel.close();
        assertThat(r.closeCount()).isEqualTo(1);
        assertThat(kernel.liveTaskCount()).isZero();
        assertThatThrownBy(() -> kernel.spawnGroup("late", () -> 0)).isInstanceOf(SpawnRefusedException.class);
    }

    /**
     * SPEC K8, §13: a task stuck in code that ignores kills and interrupts does not hold close(300 ms) past its
     * bound; the report names it and what it owns is force-closed exactly once.
     */
    @Test
    void close_uncooperativeTask_returnsInTimeReportsItAndForceClosesResource() throws Exception {
        Kernel kernel = Kernel.builder().name("stuck").killGracePeriod(Duration.ofSeconds(30)).boot();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch spinning = new CountDownLatch(1);
        TrackedResource r = new TrackedResource("stuck-owned");
        TaskGroup g = kernel.spawnGroup("spinner", () -> {
            Tasks.own(r);
            spinning.countDown();
            while (!stop.get()) {
                Thread.onSpinWait(); // ignores kills and interrupts
            }
            return 0;
        });
        Task<?> main = kernel.findTask(g.id()).orElseThrow();
        try {
            assertThat(spinning.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            ShutdownReport report = kernel.close(Duration.ofMillis(300));
            long tookNanos = System.nanoTime() - start;
            assertThat(tookNanos).isLessThan(Await.scaled(Duration.ofSeconds(2)).toNanos());
            assertThat(report.isClean()).isFalse();
            assertThat(report.stuck()).singleElement().satisfies(s -> {
                assertThat(s.taskId()).isEqualTo(main.id());
                assertThat(s.groupId()).isEqualTo(g.id());
                assertThat(s.name()).isEqualTo("spinner");
                assertThat(s.state()).isEqualTo(TaskState.RUNNING);
                assertThat(s.render()).contains("stuck task " + main.id());
            });
            assertThat(r.closeCount()).as("force-closed by close()").isEqualTo(1);
            assertThat(main.isKilled()).isTrue();
        } finally {
            stop.set(true);
        }
        assertThat(main.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        assertThat(r.closeCount()).as("not closed again when the task finally ends").isEqualTo(1);
    }

    /**
     * SPEC K8, O2 (literal): a stuck task's resources are force-closed by the reaper, never on the thread that
     * called kill, here the thread calling close().
     */
    @Test
    void close_uncooperativeTask_forceCloseNotOnCallerThread() throws Exception {
        Kernel kernel = Kernel.builder().name("stuck2").killGracePeriod(Duration.ofSeconds(30)).boot();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch spinning = new CountDownLatch(1);
        TrackedResource r = new TrackedResource("stuck-owned");
        TaskGroup g = kernel.spawnGroup("spinner", () -> {
            Tasks.own(r);
            spinning.countDown();
            while (!stop.get()) {
                Thread.onSpinWait();
            }
            return 0;
        });
        try {
            assertThat(spinning.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
            assertThat(kernel.close(Duration.ofMillis(300)).isClean()).isFalse();
        } finally {
            stop.set(true);
        }
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        assertThat(r.closeCount()).isEqualTo(1);
        assertThat(r.closingThreads()).doesNotContain(Thread.currentThread().getName());
    }

    /** SPEC K8, O2: close force-closes the group-owned resources of a group that a stuck member keeps from ending. */
    @Test
    void close_groupWithStuckMember_groupResourceForceClosedOnce() throws Exception {
        Kernel kernel = Kernel.builder().name("stuck3").killGracePeriod(Duration.ofSeconds(30)).boot();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch spinning = new CountDownLatch(1);
        TrackedResource groupOwned = new TrackedResource("group-owned");
        TaskGroup g = kernel.spawnGroup(SpawnOptions.named("spinner").platformThread(true), () -> {
            Tasks.ownByGroup(groupOwned);
            spinning.countDown();
            while (!stop.get()) {
                Thread.onSpinWait();
            }
            return 0;
        });
        try {
            assertThat(spinning.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
            assertThat(kernel.close(Duration.ofMillis(300)).stuck()).extracting(StuckTaskReport::taskId)
                    .containsExactly(g.id());
            Await.until("group resource force-closed", () -> groupOwned.closeCount() == 1);
            assertThat(g.state()).isEqualTo(GroupState.EXITING);
        } finally {
            stop.set(true);
        }
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        assertThat(groupOwned.closeCount()).isEqualTo(1);
        assertThat(groupOwned.closingThreads()).doesNotContain(Thread.currentThread().getName());
    }

    /** SPEC §12: killGracePeriod zero or negative is refused with an IllegalArgumentException naming it. */
    @Test
    void builder_nonPositiveKillGracePeriod_illegalArgumentNamingIt() {
        assertThatThrownBy(() -> Kernel.builder().killGracePeriod(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("killGracePeriod");
        assertThatThrownBy(() -> Kernel.builder().killGracePeriod(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("killGracePeriod");
        assertThatThrownBy(() -> Kernel.builder().killGracePeriod(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("killGracePeriod");
    }

    /** SPEC §12: closeTimeout zero or negative and a blank name are refused with messages naming the argument. */
    @Test
    void builder_badCloseTimeoutOrName_illegalArgumentNamingIt() {
        assertThatThrownBy(() -> Kernel.builder().closeTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("closeTimeout");
        assertThatThrownBy(() -> Kernel.builder().closeTimeout(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("closeTimeout");
        assertThatThrownBy(() -> Kernel.builder().name(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> Kernel.builder().onStuckTask(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("listener");
    }
}
