package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;

@ExtendWith(KernelExtension.class)
class TimesAndSnapshotTest {
    private static final long WAIT_S = Await.LONG.toSeconds();
    private static final long BURN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long AT_LEAST_NANOS = TimeUnit.MILLISECONDS.toNanos(30);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static volatile long sink;

    /** Burns ~50 ms of CPU: thread CPU time on a platform thread, wall time of a running loop on a virtual one. */
    private static void burn() {
        boolean cpuClock = !Thread.currentThread().isVirtual() && THREADS.isCurrentThreadCpuTimeSupported();
        long start = cpuClock ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        long x = 0;
        for (int i = 0; ; i++) {
            x += i * 31L ^ (x >>> 3);
            if ((i & 1023) == 0) {
                Tasks.checkpoint();
                long now = cpuClock ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
                if (now - start >= BURN_NANOS) {
                    break;
                }
            }
        }
        sink = x;
    }

    // ---- T2 ----

    /** SPEC T2: a platform-thread task burning ~50 ms of CPU shows up in its group's selfNanos. */
    @Test
    void times_platformThreadBurns50ms_selfAtLeast30ms(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup(SpawnOptions.named("burn-platform").platformThread(true), () -> {
            burn();
            return 0;
        });
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        CpuTimes t = g.times();
        assertThat(t.selfNanos()).isGreaterThanOrEqualTo(AT_LEAST_NANOS);
        assertThat(t.childrenNanos()).isZero();
        g.reap();
    }

    /** SPEC T2: a virtual-thread task running ~50 ms is counted by its run slices in selfNanos. */
    @Test
    void times_virtualThreadBurns50ms_selfAtLeast30ms(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("burn-virtual", () -> {
            burn();
            return 0;
        });
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        assertThat(g.times().selfNanos()).isGreaterThanOrEqualTo(AT_LEAST_NANOS);
        g.reap();
    }

    /** SPEC T2: successive readings of times() never decrease while members run, block and end. */
    @Test
    void times_readWhileTasksRunAndEnd_neverDecreases(Kernel kernel) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch spawned = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("mixed", () -> {
            List<Task<Object>> workers = new ArrayList<>();
            workers.add(Tasks.spawnTask(SpawnOptions.named("plat").platformThread(true), () -> {
                while (!stop.get()) {
                    Tasks.checkpoint();
                }
                return null;
            }));
            for (int i = 0; i < 20; i++) {
                workers.add(Tasks.spawnTask("short-" + i, () -> {
                    burn();
                    return null;
                }));
            }
            workers.add(Tasks.spawnTask("napper", () -> {
                while (!stop.get()) {
                    Tasks.sleep(Duration.ofMillis(1));
                }
                return null;
            }));
            spawned.countDown();
            for (Task<Object> w : workers) {
                w.join();
            }
            return 0;
        });
        try {
            assertThat(spawned.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
            // at least 200 readings, and on until the short members have ended (readings span their exits)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            CpuTimes prev = g.times();
            int readings = 0;
            while (readings < 200 || (g.liveTaskCount() > 3 && System.nanoTime() - deadline < 0)) {
                CpuTimes now = g.times();
                assertThat(now.selfNanos()).as("reading %d", readings).isGreaterThanOrEqualTo(prev.selfNanos());
                assertThat(now.totalNanos()).as("reading %d", readings).isGreaterThanOrEqualTo(prev.totalNanos());
                prev = now;
                readings++;
            }
            assertThat(readings).isGreaterThanOrEqualTo(200);
            assertThat(prev.selfNanos()).isGreaterThan(0);
        } finally {
            stop.set(true);
        }
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        g.reap();
    }

    /** SPEC T2: a child's time counts in childrenNanos only after the parent reaps it, and then in full. */
    @Test
    void times_childEnded_countedOnlyAfterReap(Kernel kernel) throws Exception {
        AtomicLong beforeReap = new AtomicLong(-1);
        AtomicLong childSelf = new AtomicLong(-1);
        AtomicLong afterReap = new AtomicLong(-1);
        AtomicReference<ChildExit> reported = new AtomicReference<>();
        TaskGroup parent = kernel.spawnGroup("parent", () -> {
            TaskGroup child = Tasks.spawnGroup("child", () -> {
                burn();
                return 0;
            });
            Tasks.waitChild(ChildSelector.group(child.id()), WaitOption.NO_REAP).orElseThrow();
            beforeReap.set(Tasks.currentGroup().times().childrenNanos());
            childSelf.set(child.times().selfNanos());
            reported.set(Tasks.waitChild(ChildSelector.group(child.id())).orElseThrow());
            afterReap.set(Tasks.currentGroup().times().childrenNanos());
            return 0;
        });
        assertThat(parent.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        assertThat(beforeReap.get()).isZero();
        assertThat(childSelf.get()).isGreaterThanOrEqualTo(AT_LEAST_NANOS);
        assertThat(afterReap.get()).isGreaterThanOrEqualTo(childSelf.get());
        assertThat(reported.get().times().selfNanos()).isGreaterThanOrEqualTo(childSelf.get());
        assertThat(parent.times().childrenNanos()).isGreaterThanOrEqualTo(childSelf.get());
        parent.reap();
    }

    /** SPEC T2: children's time is transitive: a child that reaped its grandchild passes the grandchild's time up. */
    @Test
    void times_childReapedGrandchild_parentIncludesGrandchild(Kernel kernel) throws Exception {
        AtomicLong grandSelf = new AtomicLong(-1);
        AtomicLong childChildren = new AtomicLong(-1);
        AtomicLong parentChildrenBefore = new AtomicLong(-1);
        TaskGroup parent = kernel.spawnGroup("parent", () -> {
            TaskGroup child = Tasks.spawnGroup("child", () -> {
                TaskGroup grand = Tasks.spawnGroup("grandchild", () -> {
                    burn();
                    return 0;
                });
                Tasks.waitChild(ChildSelector.group(grand.id()), WaitOption.NO_REAP).orElseThrow();
                grandSelf.set(grand.times().selfNanos());
                Tasks.waitChild(ChildSelector.group(grand.id())).orElseThrow();
                childChildren.set(Tasks.currentGroup().times().childrenNanos());
                return 0;
            });
            Tasks.waitChild(ChildSelector.group(child.id()), WaitOption.NO_REAP).orElseThrow();
            parentChildrenBefore.set(Tasks.currentGroup().times().childrenNanos());
            Tasks.waitChild(ChildSelector.group(child.id())).orElseThrow();
            return 0;
        });
        assertThat(parent.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
        assertThat(grandSelf.get()).isGreaterThanOrEqualTo(AT_LEAST_NANOS);
        assertThat(childChildren.get()).isGreaterThanOrEqualTo(grandSelf.get());
        assertThat(parentChildrenBefore.get()).isZero();
        assertThat(parent.times().childrenNanos()).isGreaterThanOrEqualTo(grandSelf.get());
        parent.reap();
    }

    // ---- snapshot (SPEC §11) ----

    /** SPEC §11, §1: blocked tasks show state BLOCKED and a wait channel naming what they wait for, with right ids. */
    @Test
    void snapshot_blockedTasks_showStateWaitChannelAndIds(Kernel kernel) throws Exception {
        AtomicReference<TaskGroup> kidRef = new AtomicReference<>();
        AtomicReference<Task<Object>> sleeperRef = new AtomicReference<>();
        AtomicReference<Task<Object>> joinerRef = new AtomicReference<>();
        TaskGroup top = kernel.spawnGroup("top", () -> {
            kidRef.set(Tasks.spawnGroup("kid", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            }));
            Task<Object> sleeper = Tasks.spawnTask("sleeper", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return null;
            });
            sleeperRef.set(sleeper);
            joinerRef.set(Tasks.spawnTask("joiner", () -> sleeper.join()));
            Tasks.waitChild(ChildSelector.any());
            return 0;
        });
        Task<?> topMain = kernel.findTask(top.id()).orElseThrow();
        Await.until("all tasks spawned", () -> joinerRef.get() != null);
        TaskGroup kid = kidRef.get();
        Task<?> kidMain = kernel.findTask(kid.id()).orElseThrow();
        Task<Object> sleeper = sleeperRef.get();
        Task<Object> joiner = joinerRef.get();
        for (Task<?> t : List.of(topMain, kidMain, sleeper, joiner)) {
            Await.state(t, TaskState.BLOCKED);
        }

        KernelSnapshot snap = kernel.snapshot();
        assertThat(snap.tasks()).extracting(TaskInfo::id)
                .containsExactly(topMain.id(), kidMain.id(), sleeper.id(), joiner.id());
        TaskInfo topRow = row(snap, topMain.id());
        TaskInfo kidRow = row(snap, kidMain.id());
        TaskInfo sleeperRow = row(snap, sleeper.id());
        TaskInfo joinerRow = row(snap, joiner.id());

        assertThat(List.of(topRow, kidRow, sleeperRow, joinerRow)).allSatisfy(r -> {
            assertThat(r.state()).isEqualTo(TaskState.BLOCKED);
            assertThat(r.killed()).isFalse();
            assertThat(r.domain()).isEqualTo(kernel.rootDomain().name());
        });
        assertThat(topRow.waitChannel()).startsWith("waitChild(");
        assertThat(kidRow.waitChannel()).startsWith("sleep(");
        assertThat(sleeperRow.waitChannel()).startsWith("sleep(");
        assertThat(joinerRow.waitChannel()).isEqualTo("join(task " + sleeper.id() + ")");

        assertThat(topRow.groupId()).isEqualTo(top.id());
        assertThat(sleeperRow.groupId()).isEqualTo(top.id());
        assertThat(joinerRow.groupId()).isEqualTo(top.id());
        assertThat(kidRow.groupId()).isEqualTo(kid.id());
        assertThat(kidRow.parentGroupId()).isEqualTo(top.id()).isEqualTo(kid.parentId());
        assertThat(topRow.parentGroupId()).isEqualTo(top.parentId());
        assertThat(snap.groups()).extracting(GroupInfo::id).contains(top.id(), kid.id());
        GroupInfo kidGroup = snap.groups().stream().filter(gi -> gi.id() == kid.id()).findFirst().orElseThrow();
        assertThat(kidGroup.parentId()).isEqualTo(top.id());
        assertThat(kidGroup.liveTasks()).isEqualTo(1);
        assertThat(kidGroup.state()).isEqualTo(GroupState.ALIVE);

        assertThat(top.kill()).isTrue();
        assertThat(top.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        // the kid was reparented to the root (SPEC R4); end it too
        assertThat(kid.kill()).isTrue();
        assertThat(kid.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        top.reap();
    }

    /** SPEC §11, §1: a killed task that is still unwinding shows the sticky killed flag in its row. */
    @Test
    void snapshot_killedTaskUnwinding_showsKilledFlag(Kernel kernel) throws Exception {
        CountDownLatch inFinally = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("unwinder", () -> {
            try {
                Tasks.sleep(Duration.ofHours(1));
            } finally {
                inFinally.countDown();
                release.await(WAIT_S, TimeUnit.SECONDS); // cleanup work while unwinding
            }
            return 0;
        });
        Task<?> main = kernel.findTask(g.id()).orElseThrow();
        Await.state(main, TaskState.BLOCKED);
        assertThat(row(kernel.snapshot(), main.id()).killed()).isFalse();
        assertThat(main.kill()).isTrue();
        assertThat(inFinally.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        try {
            TaskInfo r = row(kernel.snapshot(), main.id());
            assertThat(r.killed()).isTrue();
            assertThat(r.state()).isEqualTo(TaskState.RUNNING);
            assertThat(r.waitChannel()).isEmpty();
            assertThat(kernel.snapshot().renderTable()).contains("RUNNING!");
        } finally {
            release.countDown();
        }
        assertThat(main.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        g.reap();
    }

    /** SPEC §11: renderTable() has a header with TID and one line per live task. */
    @Test
    void renderTable_liveTasks_headerAndOneLinePerTask(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("table", () -> {
            Tasks.spawnTask("w1", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return null;
            });
            Tasks.spawnTask("w2", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return null;
            });
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        Await.until("three blocked tasks", () -> kernel.snapshot().tasks().size() == 3
                && kernel.snapshot().tasks().stream().allMatch(t -> t.state() == TaskState.BLOCKED));
        KernelSnapshot snap = kernel.snapshot();
        String table = snap.renderTable();
        String[] lines = table.split("\\R");
        assertThat(lines).hasSize(1 + snap.tasks().size());
        assertThat(lines[0]).contains("TID").contains("STATE").contains("WCHAN");
        for (int i = 0; i < snap.tasks().size(); i++) {
            TaskInfo t = snap.tasks().get(i);
            assertThat(lines[i + 1].trim()).startsWith(Long.toString(t.id())).contains(t.name()).contains("BLOCKED")
                    .contains("sleep(");
        }
        assertThat(g.kill()).isTrue();
        assertThat(g.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        g.reap();
    }

    /** SPEC §11: renderTree() nests a child group, indented, under its parent group. */
    @Test
    void renderTree_nestedGroups_childIndentedUnderParent(Kernel kernel) throws Exception {
        AtomicReference<TaskGroup> kidRef = new AtomicReference<>();
        TaskGroup top = kernel.spawnGroup("outer", () -> {
            kidRef.set(Tasks.spawnGroup("inner", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            }));
            Tasks.waitChild(ChildSelector.any());
            return 0;
        });
        Await.until("child spawned", () -> kidRef.get() != null);
        TaskGroup kid = kidRef.get();
        Await.state(kernel.findTask(top.id()).orElseThrow(), TaskState.BLOCKED);
        Await.state(kernel.findTask(kid.id()).orElseThrow(), TaskState.BLOCKED);

        List<String> lines = kernel.snapshot().renderTree().lines().toList();
        int outerLine = indexOf(lines, "group " + top.id() + " outer");
        int innerLine = indexOf(lines, "group " + kid.id() + " inner");
        int innerTask = indexOf(lines, "task " + kid.id() + " inner");
        assertThat(outerLine).as("tree:%n%s", String.join("\n", lines)).isNotNegative();
        assertThat(innerLine).as("tree:%n%s", String.join("\n", lines)).isGreaterThan(outerLine);
        assertThat(indent(lines.get(innerLine))).isGreaterThan(indent(lines.get(outerLine)));
        assertThat(innerTask).isGreaterThan(innerLine);
        assertThat(indent(lines.get(innerTask))).isGreaterThan(indent(lines.get(innerLine)));
        assertThat(lines.get(0)).startsWith("domain ");

        assertThat(top.kill()).isTrue();
        assertThat(top.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        assertThat(kid.kill()).isTrue();
        assertThat(kid.onExit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        top.reap();
    }

    private static TaskInfo row(KernelSnapshot snap, long id) {
        return snap.tasks().stream().filter(t -> t.id() == id).findFirst()
                .orElseThrow(() -> new AssertionError("no row for task " + id + " in\n" + snap.renderTable()));
    }

    private static int indexOf(List<String> lines, String needle) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().startsWith(needle)) {
                return i;
            }
        }
        return -1;
    }

    private static int indent(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }
}
