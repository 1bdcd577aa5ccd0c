package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.NOT_IN_TASK;
import static org.tasklife.testkit.Fixtures.*;
import static org.tasklife.testkit.Reasons.reason;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.sync.TaskLocal;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.TrackedResource;

/**
 * Lifecycle rules a POSIX programmer expects and an outside conformance run found missing: a task ending
 * with a value from any depth, the child-subreaper mark at run time, children's CPU time, a reaped group's
 * parent, invalid ids, negative sleeps, huge durations, impossible CPU counts and very deep trees.
 */
@ExtendWith(KernelExtension.class)
class LifecycleConformanceTest {

    private static final long LONG_MS = Await.LONG.toMillis();

    // ---- E1: pthread_exit(value) ----

    /** SPEC E1: a task ending itself with a value deep in its call stack gives that value to its joiners. */
    @Test
    void exitWithValue_fromDeepInTheStack_joinerGetsTheValue(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        CopyOnWriteArrayList<String> log = new CopyOnWriteArrayList<>();
        TrackedResource owned = new TrackedResource("owned", log);
        CountDownLatch finallyRan = new CountDownLatch(1);
        CompletableFuture<Task<String>> workerRef = new CompletableFuture<>();
        Attempt joiner = attempt(g, "joiner", () -> {
            Task<String> worker = Tasks.spawnTask("deep", () -> {
                TaskLocal<String> local = new TaskLocal<>(v -> log.add("destructor " + v));
                local.set("x");
                Tasks.own(owned);
                try {
                    return descendAndExit(40, "from depth 40");
                } finally {
                    finallyRan.countDown();
                }
            });
            workerRef.complete(worker);
            return worker.join();
        });

        assertThat(joiner.get()).isEqualTo("from depth 40");
        Task<String> worker = get(workerRef);
        assertThat(get(worker.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(finallyRan.await(LONG_MS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(owned.closeCount()).isEqualTo(1);
        assertThat(log).containsExactly("destructor x", "owned"); // E6: destructors, then owned resources
        killAndReap(g);
    }

    /** SPEC E1: every joiner gets the exit value, and a value of null is delivered as null. */
    @Test
    void exitWithValue_severalJoinersAndNull_allGetTheValue(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        CountDownLatch go = new CountDownLatch(1);
        Task<Object> valued = g.spawnTask("valued", () -> {
            go.await();
            Tasks.exit(List.of(1, 2));
            return "unreachable";
        });
        Task<Object> empty = g.spawnTask("empty", () -> {
            Tasks.exit(null);
            return "unreachable";
        });
        Attempt first = attempt(g, "j1", valued::join);
        Attempt second = attempt(g, "j2", valued::join);
        Await.state(first.task(), TaskState.BLOCKED);
        Await.state(second.task(), TaskState.BLOCKED);
        go.countDown();

        assertThat(first.get()).isEqualTo(List.of(1, 2));
        assertThat(second.get()).isEqualTo(List.of(1, 2));
        assertThat(attempt(g, "j3", () -> Optional.ofNullable(empty.join())).get()).isEqualTo(Optional.empty());
        killAndReap(g);
    }

    /** SPEC E1, K5: a killed task cannot end with a value: exit(value) unwinds it Killed and joiners are told. */
    @Test
    void exitWithValue_afterKill_unwindsKilled(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        CountDownLatch killed = new CountDownLatch(1);
        Task<Object> t = g.spawnTask("victim", () -> {
            try {
                Tasks.sleep(Duration.ofHours(1));
            } catch (TaskKilledError swallowed) {
                killed.countDown(); // swallowed on purpose: exit(value) must not turn the kill into a result
            }
            Tasks.exit("value");
            return "unreachable";
        });
        Await.state(t, TaskState.BLOCKED);
        assertThat(t.kill()).isTrue();
        assertThat(get(t.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(attempt(g, "joiner", t::join).get()).isInstanceOf(TaskKilledException.class);
        killAndReap(g);
    }

    private static String descendAndExit(int depth, String value) {
        if (depth == 0) {
            Tasks.exit(value);
            throw new AssertionError("exit returned");
        }
        return descendAndExit(depth - 1, value) + "unreachable";
    }

    // ---- R4: child subreaper at run time ----

    /** SPEC R4: a group that marks itself subreaper at run time adopts orphans made after the mark. */
    @Test
    void setChildSubreaper_atRunTime_laterOrphansComeToIt(Kernel kernel) throws Exception {
        CountDownLatch marked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> before = new CompletableFuture<>();
        TaskGroup p = kernel.spawnGroup("p", () -> {
            before.complete(Tasks.currentGroup().isChildSubreaper());
            Tasks.setChildSubreaper(true);
            marked.countDown();
            release.await();
            return 0;
        });
        assertThat(get(before)).isFalse();
        assertThat(marked.await(LONG_MS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(p.isChildSubreaper()).isTrue();
        CompletableFuture<TaskGroup> gRef = new CompletableFuture<>();
        TaskGroup c = spawnChild(p, "c", () -> {
            gRef.complete(Tasks.spawnGroup("g", Fixtures::sleepForever));
            return 0;
        });
        TaskGroup orphan = get(gRef);
        assertThat(ended(c)).isEqualTo(ExitStatus.exited(0));

        assertThat(orphan.parentId()).isEqualTo(p.id());
        Attempt reaper = attempt(p, "reaper", () -> Tasks.waitChild(ChildSelector.group(orphan.id())));
        Await.state(reaper.task(), TaskState.BLOCKED);
        assertThat(orphan.kill()).isTrue();
        assertThat(reaper.get()).isInstanceOfSatisfying(Optional.class,
                o -> assertThat(((ChildExit) o.orElseThrow()).status()).isEqualTo(ExitStatus.KILLED));
        assertThat(attempt(p, "reap-c", c::reap).get()).isEqualTo(ExitStatus.exited(0));
        release.countDown();
        assertThat(get(p.onExit())).isEqualTo(ExitStatus.exited(0));
        p.reap();
    }

    /** SPEC R4: clearing the mark sends orphans made afterwards on up, to the domain root, which reaps them. */
    @Test
    void setChildSubreaper_cleared_laterOrphansGoOnUp(Kernel kernel) throws Exception {
        CompletableFuture<Boolean> afterClear = new CompletableFuture<>();
        TaskGroup p = kernel.spawnGroup(SpawnOptions.named("p").childSubreaper(true), () -> {
            Tasks.setChildSubreaper(false);
            afterClear.complete(Tasks.currentGroup().isChildSubreaper());
            return Fixtures.sleepForever();
        });
        assertThat(get(afterClear)).isFalse();
        assertThat(p.isChildSubreaper()).isFalse();
        CompletableFuture<TaskGroup> gRef = new CompletableFuture<>();
        TaskGroup c = spawnChild(p, "c", () -> {
            gRef.complete(Tasks.spawnGroup("g", Fixtures::sleepForever));
            return 0;
        });
        TaskGroup orphan = get(gRef);
        assertThat(ended(c)).isEqualTo(ExitStatus.exited(0));

        assertThat(orphan.parentId()).isEqualTo(kernel.rootDomain().id());
        assertThat(orphan.kill()).isTrue();
        assertThat(get(orphan.onExit())).isEqualTo(ExitStatus.KILLED);
        Await.until("the root to reap the orphan", () -> orphan.state() == GroupState.REAPED);
        assertThat(attempt(p, "reap-c", c::reap).get()).isEqualTo(ExitStatus.exited(0));
        killAndReap(p);
    }

    /** SPEC R4: the mark is the calling group's own (prctl acts on the caller): outside a task it is refused. */
    @Test
    void setChildSubreaper_outsideTask_notInTask() {
        assertThatThrownBy(() -> Tasks.setChildSubreaper(true)).is(reason(NOT_IN_TASK));
        assertThatThrownBy(() -> Tasks.currentGroup().isChildSubreaper()).is(reason(NOT_IN_TASK));
    }

    // ---- T2: children's time counts only children reaped by a wait ----

    /** SPEC T2: an auto-reaped child's CPU time is not added to the parent's children time. */
    @Test
    void times_autoReapedChild_addsNothing(Kernel kernel) throws Exception {
        AtomicLong childSelf = new AtomicLong(-1);
        AtomicLong parentChildren = new AtomicLong(-1);
        TaskGroup parent = kernel.spawnGroup("parent", () -> {
            TaskGroup child = Tasks.spawnGroup(SpawnOptions.named("child").autoReap(true), () -> {
                burn(Duration.ofMillis(20));
                return 0;
            });
            child.onExit().join();
            Await.until("the auto-reaped child to be reaped", () -> child.state() == GroupState.REAPED);
            childSelf.set(child.times().selfNanos());
            parentChildren.set(Tasks.currentGroup().times().childrenNanos());
            return 0;
        });
        assertThat(get(parent.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(childSelf.get()).isPositive();
        assertThat(parentChildren.get()).isZero();
        parent.reap();
    }

    private static void burn(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    // ---- R4: a reaped group has no parent ----

    /** SPEC R4: once reaped, a group has no parent: parentId() is 0, and reaping it again is ECHILD. */
    @Test
    void parentId_afterReap_isZero(Kernel kernel) throws Exception {
        TaskGroup p = idleGroup(kernel, "p");
        TaskGroup c = spawnChild(p, "c", () -> 0);
        assertThat(ended(c)).isEqualTo(ExitStatus.exited(0));
        assertThat(c.parentId()).isEqualTo(p.id()); // a zombie still has its parent: it waits for it
        assertThat(attempt(p, "reap", c::reap).get()).isEqualTo(ExitStatus.exited(0));

        assertThat(c.state()).isEqualTo(GroupState.REAPED);
        assertThat(c.parentId()).isZero();
        assertThat(attempt(p, "reap-again", c::reap).get()).isInstanceOf(NoChildException.class);

        TaskGroup top = kernel.spawnGroup("top", () -> 0);
        assertThat(top.reap()).isEqualTo(ExitStatus.exited(0));
        assertThat(top.parentId()).isZero();
        killAndReap(p);
    }

    // ---- §12: ids that can never exist ----

    /** SPEC §12: an id <= 0 is an invalid argument, distinct from a valid id that is unknown. */
    @Test
    void lookups_nonPositiveId_illegalArgumentNamingTheRule(Kernel kernel) {
        for (long bad : new long[] {0, -1, Long.MIN_VALUE}) {
            assertThatThrownBy(() -> kernel.findTask(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be positive").hasMessageContaining(Long.toString(bad));
            assertThatThrownBy(() -> kernel.findGroup(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be positive");
            assertThatThrownBy(() -> kernel.findDomain(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be positive");
            assertThatThrownBy(() -> kernel.kill(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("taskId must be positive");
        }
        long unknown = Long.MAX_VALUE;
        assertThat(kernel.findTask(unknown)).isEmpty();
        assertThat(kernel.findGroup(unknown)).isEmpty();
        assertThat(kernel.findDomain(unknown)).isEmpty();
        assertThat(kernel.kill(unknown)).isFalse(); // SPEC K1
    }

    // ---- T1: a negative sleep ----

    /** SPEC T1: sleep of a zero or negative Duration returns at once, as Thread.sleep(Duration) does. */
    @Test
    void sleep_negativeDuration_returnsAtOnce(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("sleeper", () -> {
            Tasks.sleep(Duration.ofSeconds(-5));
            Tasks.sleep(Duration.ZERO);
            Tasks.sleep(Duration.ofSeconds(Long.MIN_VALUE));
            return 7;
        });
        assertThat(get(g.onExit())).isEqualTo(ExitStatus.exited(7));
        g.reap();
    }

    /** SPEC K5: a negative sleep is still a safe point: a killed task that swallowed its kill unwinds there. */
    @Test
    void sleep_negativeDurationWhenKilled_throws(Kernel kernel) throws Exception {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        TaskGroup g = kernel.spawnGroup("sleeper", () -> {
            try {
                Tasks.sleep(Duration.ofHours(1));
            } catch (TaskKilledError swallowed) {
                // swallowed on purpose
            }
            try {
                Tasks.sleep(Duration.ofSeconds(-1));
            } catch (Throwable e) {
                thrown.complete(e);
                throw e;
            }
            thrown.complete(null);
            return 0;
        });
        Await.until("the sleeper to block", () -> g.tasks().stream().allMatch(t -> t.state() == TaskState.BLOCKED));
        g.kill();
        assertThat(get(thrown)).isInstanceOf(TaskKilledError.class);
        assertThat(g.reap()).isEqualTo(ExitStatus.KILLED);
    }

    /** Domain.awaitStopped with a negative timeout answers at once, as the JDK's timed waits do. */
    @Test
    void awaitStopped_negativeTimeout_answersAtOnce(Kernel kernel) {
        Domain d = kernel.createDomain("d");
        assertThat(d.awaitStopped(Duration.ofSeconds(-1))).isFalse();
        d.stop(0);
        assertThat(d.awaitStopped(Duration.ofSeconds(Long.MIN_VALUE))).isTrue();
        d.free();
    }

    // ---- §12: durations too large to represent, impossible CPU counts ----

    /** SPEC §12: durations too large for nanoseconds saturate: boot, use and close work, nothing overflows. */
    @Test
    void builder_hugeDurations_saturateInsteadOfOverflowing() throws Exception {
        Duration huge = Duration.ofSeconds(Long.MAX_VALUE);
        try (Kernel k = Kernel.builder().name("huge").jmx(false).killGracePeriod(huge).timeSlice(huge).cpus(1)
                .closeTimeout(huge).boot()) {
            TaskGroup g = k.spawnGroup("g", Fixtures::sleepForever);
            Await.until("the sleeper to block", () -> g.tasks().stream().allMatch(t -> t.state() == TaskState.BLOCKED));
            assertThat(g.kill()).isTrue();
            assertThat(get(g.onExit())).isEqualTo(ExitStatus.KILLED);
            g.reap();
            TaskGroup left = k.spawnGroup("left", Fixtures::sleepForever);
            Await.until("the second sleeper to block",
                    () -> left.tasks().stream().allMatch(t -> t.state() == TaskState.BLOCKED));
            ShutdownReport r = k.close(huge); // kills the sleeper and waits for it: returns once it ended
            assertThat(r.stuck()).isEmpty();
        }
        try (Kernel k = Kernel.builder().name("huge-default").jmx(false).killGracePeriod(huge).closeTimeout(huge)
                .boot()) {
            TaskGroup g = k.spawnGroup("g", () -> 3);
            assertThat(g.reap()).isEqualTo(ExitStatus.exited(3));
        }
    }

    /** SPEC §12: an impossible CPU count is refused at the builder with the limit in the message. */
    @Test
    void builder_impossibleCpuCount_refusedNamingTheLimit() {
        assertThatThrownBy(() -> Kernel.builder().cpus(Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpus").hasMessageContaining(Integer.toString(Kernel.Builder.MAX_CPUS))
                .hasMessageContaining(Integer.toString(Integer.MAX_VALUE));
        assertThatThrownBy(() -> Kernel.builder().cpus(Kernel.Builder.MAX_CPUS + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Kernel.builder().cpus(0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- §11: very deep trees ----

    /** SPEC §11: a chain of 10,000 nested groups snapshots and renders, from host code and from a task. */
    @Test
    void renderTree_chainOf10000Groups_rendersWithoutOverflow(Kernel kernel) throws Exception {
        int depth = 10_000;
        CountDownLatch bottom = new CountDownLatch(1);
        Domain deep = kernel.createDomain("deep"); // its stop ends every level at once (orphans are not killed)
        deep.spawnGroup("level-0", () -> nest(1, depth, bottom));
        assertThat(bottom.await(LONG_MS * 3, TimeUnit.MILLISECONDS)).isTrue();

        String tree = kernel.snapshot().renderTree();
        assertThat(tree.lines().filter(l -> l.contains("group ")).count()).isEqualTo(depth);
        assertThat(tree).contains("level-" + (depth - 1)).contains("(level ");
        assertThat((long) tree.length()).isLessThan(200L * 2 * (depth + 2)); // linear in rows, not depth squared

        CompletableFuture<String> fromTask = new CompletableFuture<>();
        deep.spawnGroup("viewer", () -> {
            fromTask.complete(Tasks.currentDomain().snapshot().renderTree());
            return 0;
        });
        assertThat(get(fromTask)).contains("level-" + (depth - 1));
        deep.stop(0);
        assertThat(deep.awaitStopped(Await.LONG.multipliedBy(3))).isTrue();
        deep.free();
    }

    private static int nest(int level, int depth, CountDownLatch bottom) {
        if (level == depth) {
            bottom.countDown();
            return Fixtures.sleepForever();
        }
        TaskGroup child = Tasks.spawnGroup("level-" + level, () -> nest(level + 1, depth, bottom));
        return child.reap().isSuccess() ? 0 : 1;
    }
}
