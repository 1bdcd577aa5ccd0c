package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.INVALID_OPERATION;
import static org.tasklife.testkit.Reasons.reason;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.TrackedResource;

@ExtendWith(KernelExtension.class)
class OwnedResourceTest {
    private static final long WAIT_S = Await.LONG.toSeconds();

    /** Every way a task (and with it its group) can end (SPEC O2). */
    enum EndPath {
        BODY_RETURN(ExitStatus.exited(0)),
        EXIT(ExitStatus.exited(0)),
        FAILURE(null),
        TASK_KILL_FROM_HOST(ExitStatus.exited(0)),
        TASK_KILL_FROM_TASK(ExitStatus.exited(0)),
        GROUP_KILL(ExitStatus.KILLED),
        EXIT_GROUP_FROM_OTHER_TASK(ExitStatus.exited(3)),
        KERNEL_CLOSE(ExitStatus.KILLED);

        final ExitStatus expectedGroupStatus; // null: Failed

        EndPath(ExitStatus expected) {
            this.expectedGroupStatus = expected;
        }

        boolean blocks() {
            return ordinal() >= TASK_KILL_FROM_HOST.ordinal();
        }
    }

    // ---- O1 ----

    /** SPEC O1: a task-owned resource released before the end is not closed at exit; release is true once. */
    @Test
    void taskOwned_releasedEarly_notClosedAtExit(Kernel kernel) throws Exception {
        TrackedResource r = new TrackedResource("r");
        AtomicReference<Boolean> first = new AtomicReference<>();
        AtomicReference<Boolean> second = new AtomicReference<>();
        AtomicReference<Boolean> openAfter = new AtomicReference<>();
        TaskGroup g = kernel.spawnGroup("releaser", () -> {
            Owned o = Tasks.own(r);
            first.set(o.release());
            second.set(o.release());
            openAfter.set(o.isOpen());
            return 0;
        });
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        assertThat(first.get()).isTrue();
        assertThat(second.get()).isFalse();
        assertThat(openAfter.get()).isFalse();
        assertThat(r.closeCount()).isZero();
        assertThat(kernel.openResourceCount()).isZero();
        g.reap();
    }

    /** SPEC O1: a group-owned resource released before the end is not closed when the group ends. */
    @Test
    void groupOwned_releasedEarly_notClosedAtGroupEnd(Kernel kernel) throws Exception {
        TrackedResource r = new TrackedResource("r");
        AtomicReference<Boolean> first = new AtomicReference<>();
        AtomicReference<Boolean> second = new AtomicReference<>();
        TaskGroup g = kernel.spawnGroup("releaser", () -> {
            Owned o = Tasks.ownByGroup(r);
            first.set(o.release());
            second.set(o.release());
            return 0;
        });
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        assertThat(first.get()).isTrue();
        assertThat(second.get()).isFalse();
        assertThat(r.closeCount()).isZero();
        g.reap();
    }

    /** SPEC O1: closeNow() closes a task-owned resource once, and the task's exit does not close it again. */
    @Test
    void taskOwned_closeNow_closedOnceNotAgainAtExit(Kernel kernel) throws Exception {
        TrackedResource r = new TrackedResource("r");
        AtomicInteger countAfterCloseNow = new AtomicInteger(-1);
        AtomicReference<Boolean> releaseAfterClose = new AtomicReference<>();
        TaskGroup g = kernel.spawnGroup("closer", () -> {
            Owned o = Tasks.own(r);
            o.closeNow();
            o.closeNow(); // no-op: already closed
            countAfterCloseNow.set(r.closeCount());
            releaseAfterClose.set(o.release());
            return 0;
        });
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        assertThat(countAfterCloseNow.get()).isEqualTo(1);
        assertThat(releaseAfterClose.get()).isFalse();
        assertThat(r.closeCount()).isEqualTo(1);
        g.reap();
    }

    /** SPEC O1: closeNow() closes a group-owned resource once, and the group's end does not close it again. */
    @Test
    void groupOwned_closeNow_closedOnceNotAgainAtGroupEnd(Kernel kernel) throws Exception {
        TrackedResource r = new TrackedResource("r");
        TaskGroup g = kernel.spawnGroup("closer", () -> {
            Owned o = Tasks.ownByGroup(r);
            o.closeNow();
            return 0;
        });
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        assertThat(r.closeCount()).isEqualTo(1);
        g.reap();
    }

    /** SPEC O1: host code can make a live task own a resource through its handle; it closes when the task ends. */
    @Test
    void taskHandleOwn_fromHost_closedWhenTaskEnds(Kernel kernel) throws Exception {
        TrackedResource r = new TrackedResource("r");
        TaskGroup g = kernel.spawnGroup("owner", () -> {
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        Task<?> main = kernel.findTask(g.id()).orElseThrow();
        Await.state(main, TaskState.BLOCKED);
        Owned o = main.own(r);
        assertThat(o.isOpen()).isTrue();
        assertThat(kernel.snapshot().tasks()).singleElement().satisfies(t -> assertThat(t.ownedResources()).isEqualTo(1));
        main.kill();
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        assertThat(r.closeCount()).isEqualTo(1);
        assertThat(o.isOpen()).isFalse();
        g.reap();
    }

    /** SPEC O1, §12: owning on an ended task fails with TaskLifeException(INVALID_OPERATION) and leaves the resource open. */
    @Test
    void own_onEndedTask_throwsAndDoesNotClose(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("short", () -> 0);
        Task<?> main = kernel.findTask(g.id()).orElseThrow();
        assertThat(main.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        TrackedResource r = new TrackedResource("late");
        assertThatThrownBy(() -> main.own(r)).is(reason(INVALID_OPERATION))
                .hasMessageContaining("task " + main.id());
        assertThat(r.closeCount()).isZero();
        assertThat(kernel.openResourceCount()).isZero();
        g.reap();
        assertThat(r.closeCount()).isZero();
    }

    /** SPEC O1, §12: owning on an ended group fails with TaskLifeException(INVALID_OPERATION) and leaves the resource open. */
    @Test
    void own_onEndedGroup_throwsAndDoesNotClose(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("short", () -> 0);
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        TrackedResource r = new TrackedResource("late");
        assertThatThrownBy(() -> g.own(r)).is(reason(INVALID_OPERATION))
                .hasMessageContaining("group " + g.id());
        assertThat(r.closeCount()).isZero();
        assertThat(kernel.openResourceCount()).isZero();
        g.reap();
    }

    // ---- O2 ----

    /**
     * SPEC O2, E6: on every end path, task-owned then group-owned resources close exactly once, each list in
     * reverse registration order, on the ending group's own threads, never on a killer's thread.
     */
    @ParameterizedTest
    @EnumSource(EndPath.class)
    void ownedResources_everyEndPath_closedOnceInReverseOrderOffKillerThread(EndPath path, Kernel extKernel)
            throws Exception {
        Kernel kernel = path == EndPath.KERNEL_CLOSE ? Kernel.builder().name("own").boot() : extKernel;
        CopyOnWriteArrayList<String> log = new CopyOnWriteArrayList<>();
        TrackedResource g1 = new TrackedResource("g1", log);
        TrackedResource g2 = new TrackedResource("g2", log);
        TrackedResource t1 = new TrackedResource("t1", log);
        TrackedResource t2 = new TrackedResource("t2", log);
        TrackedResource t3 = new TrackedResource("t3", log);
        List<TrackedResource> all = List.of(g1, g2, t1, t2, t3);
        TaskGroup g = kernel.spawnGroup("victim", () -> {
            Tasks.ownByGroup(g1);
            Tasks.ownByGroup(g2);
            Tasks.own(t1);
            Tasks.own(t2);
            Tasks.own(t3);
            switch (path) {
                case BODY_RETURN -> {
                    return 0;
                }
                case EXIT -> Tasks.exit();
                case FAILURE -> throw new IllegalStateException("boom");
                default -> Tasks.sleep(Duration.ofHours(1));
            }
            return 99;
        });
        Task<?> victim = kernel.findTask(g.id()).orElseThrow();
        String victimThread = "victim#" + victim.id();
        String testThread = Thread.currentThread().getName();
        String otherThread = null; // the thread of a killer/exiter task, if any
        if (path.blocks()) {
            Await.state(victim, TaskState.BLOCKED);
            assertThat(log).isEmpty();
        }
        switch (path) {
            case TASK_KILL_FROM_HOST -> assertThat(victim.kill()).isTrue();
            case TASK_KILL_FROM_TASK -> {
                TaskGroup killer = kernel.spawnGroup("killer", () -> victim.kill() ? 1 : 2);
                otherThread = "killer#" + killer.id();
                assertThat(killer.reap()).isEqualTo(ExitStatus.exited(1));
            }
            case GROUP_KILL -> assertThat(g.kill()).isTrue();
            case EXIT_GROUP_FROM_OTHER_TASK -> {
                Task<Object> exiter = g.spawnTask("exiter", () -> {
                    Tasks.exitGroup(3);
                    return null;
                });
                otherThread = "exiter#" + exiter.id();
            }
            case KERNEL_CLOSE -> assertThat(kernel.close(Await.scaled(Duration.ofSeconds(5))).isClean()).isTrue();
            default -> { }
        }
        ExitStatus status = g.onExit().get(WAIT_S, TimeUnit.SECONDS);
        if (path.expectedGroupStatus == null) {
            assertThat(status).isInstanceOf(ExitStatus.Failed.class);
        } else {
            assertThat(status).isEqualTo(path.expectedGroupStatus);
        }
        assertThat(log).as("close order").containsExactly("t3", "t2", "t1", "g2", "g1");
        for (TrackedResource r : all) {
            assertThat(r.closeCount()).as("closes of %s", r).isEqualTo(1);
            assertThat(r.closingThreads()).as("closing thread of %s", r).doesNotContain(testThread);
            if (otherThread != null && path != EndPath.EXIT_GROUP_FROM_OTHER_TASK) {
                assertThat(r.closingThreads()).as("closing thread of %s", r).doesNotContain(otherThread);
            }
        }
        for (TrackedResource r : List.of(t1, t2, t3)) {
            assertThat(r.closingThreads()).as("task-owned %s closes on its task's thread", r).containsExactly(victimThread);
        }
        if (path == EndPath.EXIT_GROUP_FROM_OTHER_TASK) {
            // the group's resources close on its LAST task's thread: the victim or the exiter, both members
            assertThat(g1.closingThreads()).singleElement().isIn(victimThread, otherThread);
        } else {
            assertThat(g1.closingThreads()).containsExactly(victimThread);
            assertThat(g2.closingThreads()).containsExactly(victimThread);
        }
        assertThat(victim.closeFailures()).isEmpty();
        assertThat(g.closeFailures()).isEmpty();
        if (path != EndPath.KERNEL_CLOSE) {
            g.reap();
        } else {
            assertThat(kernel.openResourceCount()).isZero();
        }
    }

    /** SPEC O2, E6: group-owned resources stay open while any member lives and close after the last task's own. */
    @Test
    void groupOwned_lastTaskEnds_closedAfterTaskOwned(Kernel kernel) throws Exception {
        CopyOnWriteArrayList<String> log = new CopyOnWriteArrayList<>();
        TrackedResource grp = new TrackedResource("group", log);
        TrackedResource mainRes = new TrackedResource("main", log);
        TrackedResource workerRes = new TrackedResource("worker", log);
        AtomicReference<Task<Object>> worker = new AtomicReference<>();
        TaskGroup g = kernel.spawnGroup("grp", () -> {
            Tasks.ownByGroup(grp);
            Tasks.own(mainRes);
            worker.set(Tasks.spawnTask("worker", () -> {
                Tasks.own(workerRes);
                Tasks.sleep(Duration.ofHours(1));
                return null;
            }));
            Tasks.exit(); // SPEC E1: ends only main; the group lives on
            return 1;
        });
        Task<?> main = kernel.findTask(g.id()).orElseThrow();
        assertThat(main.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        // SPEC E6: onExit completes when main publishes its status, before its thread leaves the group's
        // live count. Wait for that too, or main's thread (not the worker's) may be the last to leave.
        Await.until("main to leave the group", () -> g.liveTaskCount() == 1, () -> "live: " + g.liveTaskCount());
        Task<Object> w = worker.get();
        Await.state(w, TaskState.BLOCKED);
        assertThat(log).containsExactly("main");
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        assertThat(grp.closeCount()).isZero();

        assertThat(w.kill()).isTrue();
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        assertThat(log).containsExactly("main", "worker", "group");
        assertThat(grp.closingThreads()).containsExactly("worker#" + w.id());
        assertThat(grp.closeCount()).isEqualTo(1);
        g.reap();
    }

    // ---- O3 ----

    /** SPEC O3: a task-owned resource whose close throws is recorded, the others still close, the kernel works on. */
    @Test
    void taskOwned_closeThrows_recordedOthersCloseKernelWorks(Kernel kernel) throws Exception {
        CopyOnWriteArrayList<String> log = new CopyOnWriteArrayList<>();
        IllegalStateException boom = new IllegalStateException("close failed");
        TrackedResource a = new TrackedResource("a", log);
        TrackedResource bad = new TrackedResource("bad", log, boom);
        TrackedResource c = new TrackedResource("c", log);
        TaskGroup g = kernel.spawnGroup("failing-close", () -> {
            Tasks.own(a);
            Tasks.own(bad);
            Tasks.own(c);
            return 0;
        });
        Task<?> main = kernel.findTask(g.id()).orElseThrow();
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        assertThat(log).containsExactly("c", "bad", "a");
        assertThat(List.of(a, bad, c)).allSatisfy(r -> assertThat(r.closeCount()).isEqualTo(1));
        assertThat(main.closeFailures()).containsExactly(boom);
        assertThat(g.closeFailures()).isEmpty();
        assertThat(kernel.openResourceCount()).isZero();
        g.reap();

        TaskGroup later = kernel.spawnGroup("later", () -> 5);
        assertThat(later.reap()).isEqualTo(ExitStatus.exited(5));
    }

    /** SPEC O3: a group-owned resource whose close throws is recorded on the group, the others still close. */
    @Test
    void groupOwned_closeThrows_recordedOthersCloseKernelWorks(Kernel kernel) throws Exception {
        CopyOnWriteArrayList<String> log = new CopyOnWriteArrayList<>();
        RuntimeException boom = new UnsupportedOperationException("group close failed");
        TrackedResource a = new TrackedResource("a", log);
        TrackedResource bad = new TrackedResource("bad", log, boom);
        TrackedResource c = new TrackedResource("c", log);
        AtomicBoolean started = new AtomicBoolean();
        TaskGroup g = kernel.spawnGroup("failing-group-close", () -> {
            started.set(true);
            Tasks.ownByGroup(a);
            Tasks.ownByGroup(bad);
            Tasks.ownByGroup(c);
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        Task<?> main = kernel.findTask(g.id()).orElseThrow();
        Await.state(main, TaskState.BLOCKED);
        assertThat(g.kill()).isTrue();
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        assertThat(started).isTrue();
        assertThat(log).containsExactly("c", "bad", "a");
        assertThat(List.of(a, bad, c)).allSatisfy(r -> assertThat(r.closeCount()).isEqualTo(1));
        assertThat(g.closeFailures()).containsExactly(boom);
        assertThat(main.closeFailures()).isEmpty();
        g.reap();

        TaskGroup later = kernel.spawnGroup("later", () -> {
            Task<Integer> t = Tasks.spawnTask("helper", () -> 6);
            return t.join();
        });
        assertThat(later.reap()).isEqualTo(ExitStatus.exited(6));
    }
}
