package org.tasklife;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.NO_SUCH_TASK;
import static org.tasklife.testkit.Fixtures.*;
import static org.tasklife.testkit.Reasons.reason;

import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

@ExtendWith(KernelExtension.class)
class ZombieReparentTest {

    private static final long LONG_MS = Await.LONG.toMillis();
    private static final int RACE_ROUNDS = 100;
    private static final int MAX_RACE_SPAWNS = 1_000;
    /** Bound for a wake-up that must come at once; used where a lost wake-up would otherwise hang. */
    private static final long SHORT_MS = Await.scaled(Duration.ofSeconds(2)).toMillis();
    private static final String NO_ANSWER = "no answer: the waiter is still blocked";

    // ---- R1 ----

    /** SPEC R1: an ended group stays a findable ZOMBIE with its status until reaped; then REAPED and gone. */
    @Test
    void group_ended_isZombieUntilReaped(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("g", () -> 3);
        assertThat(ended(g)).isEqualTo(ExitStatus.exited(3));

        assertThat(g.state()).isEqualTo(GroupState.ZOMBIE);
        assertThat(g.exitStatus()).contains(ExitStatus.exited(3));
        assertThat(kernel.findGroup(g.id())).contains(g);

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(3));

        assertThat(g.state()).isEqualTo(GroupState.REAPED);
        assertThat(kernel.findGroup(g.id())).isEmpty();
        assertThat(kernel.findTask(g.id())).isEmpty();
    }

    /** SPEC R1, P5: an auto-reap top-level group is never a zombie: REAPED once onExit completes. */
    @Test
    void autoReapGroup_ended_reapedAndInvisibleToDomainWait(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup(SpawnOptions.named("auto").autoReap(true), () -> 4);

        assertThat(ended(g)).isEqualTo(ExitStatus.exited(4));

        assertThat(g.state()).isEqualTo(GroupState.REAPED);
        assertThat(kernel.findGroup(g.id())).isEmpty();
        ChildSelector sel = ChildSelector.group(g.id());
        assertThatThrownBy(() -> kernel.rootDomain().waitChild(sel)).isInstanceOf(NoChildException.class);
        assertThatThrownBy(() -> kernel.rootDomain().waitChild(sel, WaitOption.NO_HANG))
                .isInstanceOf(NoChildException.class);
        assertThatThrownBy(g::reap).isInstanceOf(NoChildException.class);
    }

    /** SPEC R1: an auto-reap child never becomes a zombie: its parent's waitChild gets NoChildException. */
    @Test
    void autoReapChild_ended_parentWaitGetsNoChild(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, SpawnOptions.named("parent"));
        Object spawned = attempt(parent, "spawn",
                () -> Tasks.spawnGroup(SpawnOptions.named("auto").autoReap(true), () -> 5)).get();
        assertThat(spawned).isInstanceOf(TaskGroup.class);
        TaskGroup child = (TaskGroup) spawned;

        assertThat(ended(child)).isEqualTo(ExitStatus.exited(5));

        assertThat(child.state()).isEqualTo(GroupState.REAPED);
        assertThat(attempt(parent, "w", () -> Tasks.waitChild(ChildSelector.any())).get())
                .isInstanceOf(NoChildException.class);
        assertThat(attempt(parent, "w", () -> Tasks.waitChild(ChildSelector.group(child.id()), WaitOption.NO_HANG))
                .get()).isInstanceOf(NoChildException.class);
        end(parent);
    }

    /** SPEC W2, R1: a task blocked in waitChild(any) whose only child is auto-reaped gets ECHILD when it ends. */
    @Test
    void autoReapChild_blockedParentWaiter_getsNoChildWhenItEnds(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, SpawnOptions.named("parent"));
        CountDownLatch go = new CountDownLatch(1);
        Object spawned = attempt(parent, "spawn", () -> Tasks.spawnGroup(SpawnOptions.named("auto").autoReap(true), () -> {
            go.await();
            return 5;
        })).get();
        assertThat(spawned).isInstanceOf(TaskGroup.class);
        TaskGroup child = (TaskGroup) spawned;
        Attempt waiter = attempt(parent, "waiter", () -> Tasks.waitChild(ChildSelector.any()));
        Await.state(waiter.task(), TaskState.BLOCKED);

        go.countDown();

        assertThat(ended(child)).isEqualTo(ExitStatus.exited(5));
        Object outcome = waiter.outcome().completeOnTimeout(NO_ANSWER, SHORT_MS, TimeUnit.MILLISECONDS).get();
        waiter.task().kill(); // a waiter the kernel forgot to wake must not outlive the test
        assertThat(ended(waiter.task())).isNotNull();
        assertThat(outcome).as("waitChild(any) after the only, auto-reaped, child ended")
                .isInstanceOf(NoChildException.class);
        end(parent);
    }

    /** SPEC R4, W5: host code blocked waiting for an orphan adopted by the root gets ECHILD when the root reaps it. */
    @Test
    void orphanAdoptedByRoot_blockedHostWaiter_getsNoChildWhenRootReapsIt(Kernel kernel) throws Exception {
        TaskGroup p = idleGroup(kernel, SpawnOptions.named("p"));
        CompletableFuture<TaskGroup> gRef = new CompletableFuture<>();
        TaskGroup c = spawnChild(p, "c", () -> {
            gRef.complete(Tasks.spawnGroup("g", Fixtures::sleepForever));
            return 0;
        });
        TaskGroup g = get(gRef);
        assertThat(ended(c)).isEqualTo(ExitStatus.exited(0));
        assertThat(g.parentId()).isEqualTo(kernel.rootDomain().id());
        ChildSelector sel = ChildSelector.group(g.id());
        CompletableFuture<Object> hostWait = new CompletableFuture<>();
        Thread host = Thread.ofPlatform().daemon().name("host-waiter").start(() -> {
            try {
                hostWait.complete(kernel.rootDomain().waitChild(sel));
            } catch (Throwable e) {
                hostWait.complete(e);
            }
        });
        Await.until("host waiter parked", () -> host.getState() == Thread.State.WAITING || hostWait.isDone(),
                () -> "it is " + host.getState());

        assertThat(g.kill()).isTrue();

        assertThat(ended(g)).isEqualTo(ExitStatus.KILLED);
        Object outcome = hostWait.completeOnTimeout(NO_ANSWER, SHORT_MS, TimeUnit.MILLISECONDS).get();
        // a host waiter the kernel forgot to wake is woken by the next child exit of the root: provide one
        assertThat(kernel.spawnGroup("nudge", () -> 0).reap()).isEqualTo(ExitStatus.exited(0));
        host.join(LONG_MS);
        assertThat(host.isAlive()).as("host waiter thread after the nudge").isFalse();
        assertThat(outcome).as("root waitChild(group(orphan)) after the root reaped the orphan")
                .isInstanceOf(NoChildException.class);
        end(p);
    }

    // ---- R3 ----

    /** SPEC R3: onExit completes, without reaping, when the main task returns its exit code. */
    @Test
    void onExit_mainReturns_completesWithExitedWithoutReaping(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("g", () -> 21);

        assertThat(ended(g)).isEqualTo(ExitStatus.exited(21));

        assertThat(g.state()).isEqualTo(GroupState.ZOMBIE);
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(21));
    }

    /** SPEC R3: onExit completes, without reaping, when a task calls exitGroup. */
    @Test
    void onExit_exitGroup_completesWithCodeWithoutReaping(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, SpawnOptions.named("g"));
        Task<?> main = kernel.findTask(g.id()).orElseThrow();
        Await.state(main, TaskState.BLOCKED);
        g.spawnTask("exiter", () -> {
            Tasks.exitGroup(22);
            return null;
        });

        assertThat(ended(g)).isEqualTo(ExitStatus.exited(22));

        assertThat(ended(main)).isEqualTo(ExitStatus.KILLED);
        assertThat(g.state()).isEqualTo(GroupState.ZOMBIE);
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(22));
    }

    /** SPEC R3: onExit completes, without reaping, when the group is killed. */
    @Test
    void onExit_kill_completesWithKilledWithoutReaping(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, SpawnOptions.named("g"));
        Await.state(kernel.findTask(g.id()).orElseThrow(), TaskState.BLOCKED);

        assertThat(g.kill()).isTrue();

        assertThat(ended(g)).isEqualTo(ExitStatus.KILLED);
        assertThat(g.state()).isEqualTo(GroupState.ZOMBIE);
        assertThat(g.reap()).isEqualTo(ExitStatus.KILLED);
    }

    /** SPEC R3, E5: onExit completes, without reaping, with Failed(cause) when a task throws. */
    @Test
    void onExit_failure_completesWithFailedWithoutReaping(Kernel kernel) throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        TaskGroup g = kernel.spawnGroup("g", () -> {
            throw boom;
        });

        ExitStatus status = ended(g);

        assertThat(status).isInstanceOf(ExitStatus.Failed.class);
        assertThat(((ExitStatus.Failed) status).cause()).isSameAs(boom);
        assertThat(g.state()).isEqualTo(GroupState.ZOMBIE);
        assertThat(g.reap()).isEqualTo(status);
    }

    // ---- R4 ----

    /** SPEC R4: a live orphan is reparented to the domain root, which reaps it itself when it ends. */
    @Test
    void orphan_parentEnds_reparentedToRootAndAutoReaped(Kernel kernel) throws Exception {
        TaskGroup p = idleGroup(kernel, SpawnOptions.named("p"));
        CompletableFuture<TaskGroup> gRef = new CompletableFuture<>();
        CountDownLatch cGo = new CountDownLatch(1);
        TaskGroup c = spawnChild(p, "c", () -> {
            gRef.complete(Tasks.spawnGroup("g", Fixtures::sleepForever));
            cGo.await();
            return 0;
        });
        TaskGroup g = get(gRef);
        assertThat(g.parentId()).isEqualTo(c.id());

        cGo.countDown();
        assertThat(ended(c)).isEqualTo(ExitStatus.exited(0));

        assertThat(g.parentId()).isEqualTo(kernel.rootDomain().id());
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        assertThat(g.kill()).isTrue();
        assertThat(ended(g)).isEqualTo(ExitStatus.KILLED);
        assertThat(g.state()).isEqualTo(GroupState.REAPED);
        assertThat(kernel.findGroup(g.id())).isEmpty();
        ChildSelector sel = ChildSelector.group(g.id());
        assertThatThrownBy(() -> kernel.rootDomain().waitChild(sel, WaitOption.NO_HANG))
                .isInstanceOf(NoChildException.class);
        assertThatThrownBy(() -> kernel.rootDomain().waitChild(sel)).isInstanceOf(NoChildException.class);
        end(p);
    }

    /** SPEC R4: a zombie orphan is reparented to the domain root and reaped by it at once. */
    @Test
    void zombieOrphan_parentEnds_reapedByRoot(Kernel kernel) throws Exception {
        TaskGroup p = idleGroup(kernel, SpawnOptions.named("p"));
        CompletableFuture<TaskGroup> gRef = new CompletableFuture<>();
        CountDownLatch cGo = new CountDownLatch(1);
        TaskGroup c = spawnChild(p, "c", () -> {
            gRef.complete(Tasks.spawnGroup("g", () -> 9));
            cGo.await();
            return 0;
        });
        TaskGroup g = get(gRef);
        assertThat(ended(g)).isEqualTo(ExitStatus.exited(9));
        assertThat(g.state()).isEqualTo(GroupState.ZOMBIE);

        cGo.countDown();
        assertThat(ended(c)).isEqualTo(ExitStatus.exited(0));

        assertThat(g.state()).isEqualTo(GroupState.REAPED);
        assertThat(g.parentId()).isZero(); // reaped by the root it was reparented to: no parent any more
        assertThat(kernel.findGroup(g.id())).isEmpty();
        end(p);
    }

    /** SPEC R4: with a child-subreaper ancestor, the orphan goes to it, and its tasks reap the orphan. */
    @Test
    void orphan_subreaperAncestor_reparentedToSubreaperWhichReapsIt(Kernel kernel) throws Exception {
        TaskGroup p = idleGroup(kernel, SpawnOptions.named("p").childSubreaper(true));
        CompletableFuture<TaskGroup> gRef = new CompletableFuture<>();
        TaskGroup c = spawnChild(p, "c", () -> {
            gRef.complete(Tasks.spawnGroup("g", Fixtures::sleepForever));
            return 0;
        });
        TaskGroup g = get(gRef);
        assertThat(ended(c)).isEqualTo(ExitStatus.exited(0));

        assertThat(g.parentId()).isEqualTo(p.id());
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        Attempt reaper = attempt(p, "reaper", () -> Tasks.waitChild(ChildSelector.group(g.id())));
        Await.state(reaper.task(), TaskState.BLOCKED);
        assertThat(g.kill()).isTrue();

        Object outcome = reaper.get();
        assertThat(outcome).isInstanceOf(Optional.class);
        assertThat((Optional<?>) outcome).hasValueSatisfying(o -> {
            assertThat(o).isInstanceOf(ChildExit.class);
            ChildExit e = (ChildExit) o;
            assertThat(e.groupId()).isEqualTo(g.id());
            assertThat(e.status()).isEqualTo(ExitStatus.KILLED);
        });
        assertThat(g.state()).isEqualTo(GroupState.REAPED);
        assertThat(attempt(p, "reap-c", c::reap).get()).isEqualTo(ExitStatus.exited(0));
        end(p);
    }

    // ---- P3 ----

    /** SPEC P3: spawning a task into an EXITING group is refused and creates nothing. */
    @Test
    void spawnTask_groupExiting_refusedAndNothingCreated(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, SpawnOptions.named("g"));
        Task<?> main = kernel.findTask(g.id()).orElseThrow();
        CountDownLatch release = new CountDownLatch(1);
        Task<Object> holder = g.spawnTask("holder", () -> {
            try {
                Tasks.sleep(Duration.ofHours(1));
            } finally {
                Fixtures.awaitUninterruptibly(release); // keeps the group EXITING while the test spawns
            }
            return null;
        });
        Await.state(holder, TaskState.BLOCKED);
        Await.state(main, TaskState.BLOCKED);
        assertThat(g.kill()).isTrue();
        assertThat(ended(main)).isEqualTo(ExitStatus.KILLED);
        Await.until("only the holder left", () -> g.liveTaskCount() == 1 && kernel.liveTaskCount() == 1,
                () -> "group " + g.liveTaskCount() + ", kernel " + kernel.liveTaskCount());
        assertThat(g.state()).isEqualTo(GroupState.EXITING);
        int snapshotTasks = kernel.snapshot().tasks().size();

        assertThatThrownBy(() -> g.spawnTask("late", () -> 0)).isInstanceOf(SpawnRefusedException.class)
                .hasMessageContaining(String.valueOf(g.id()));

        assertThat(g.liveTaskCount()).isEqualTo(1);
        assertThat(kernel.liveTaskCount()).isEqualTo(1);
        assertThat(g.tasks()).containsExactly(holder);
        assertThat(kernel.snapshot().tasks()).hasSize(snapshotTasks);
        release.countDown();
        assertThat(ended(g)).isEqualTo(ExitStatus.KILLED);
        assertThat(ended(holder)).isEqualTo(ExitStatus.KILLED);
    }

    /** SPEC P3: spawning a task into a group that already ended (ZOMBIE) is refused. */
    @Test
    void spawnTask_groupEnded_refused(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("g", () -> 0);
        assertThat(ended(g)).isEqualTo(ExitStatus.exited(0));

        assertThatThrownBy(() -> g.spawnTask("late", () -> 0)).isInstanceOf(SpawnRefusedException.class)
                .hasMessageContaining(String.valueOf(g.id()));

        assertThat(g.liveTaskCount()).isZero();
        Await.until("the ended main to leave the kernel's live count (SPEC E6: after the group's status)",
                () -> kernel.liveTaskCount() == 0);
        assertThat(g.state()).isEqualTo(GroupState.ZOMBIE);
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
    }

    /** SPEC P3: a task of an EXITING group cannot spawn a child group; nothing is created. */
    @Test
    void spawnGroup_fromTaskOfExitingGroup_refused(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, SpawnOptions.named("g"));
        CompletableFuture<Object> late = new CompletableFuture<>();
        Task<Object> holder = g.spawnTask("holder", () -> {
            try {
                Tasks.sleep(Duration.ofHours(1));
            } finally {
                try {
                    late.complete(Tasks.spawnGroup("late", () -> 0));
                } catch (Throwable e) {
                    late.complete(e);
                }
            }
            return null;
        });
        Await.state(holder, TaskState.BLOCKED);

        assertThat(g.kill()).isTrue();

        assertThat(get(late)).isInstanceOf(SpawnRefusedException.class);
        assertThat(ended(g)).isEqualTo(ExitStatus.KILLED);
        assertThat(kernel.snapshot().groups()).extracting(GroupInfo::name).doesNotContain("late");
    }

    /** SPEC P3, E3: tasks spawned while exitGroup runs are either refused or killed: none survives. */
    @Test
    void spawnTask_racingExitGroup_refusedOrKilledNeverSurvives(Kernel kernel) throws Exception {
        AtomicInteger refusals = new AtomicInteger();
        for (int round = 0; round < RACE_ROUNDS; round++) {
            ConcurrentLinkedQueue<Task<?>> spawned = new ConcurrentLinkedQueue<>();
            CountDownLatch firstSpawn = new CountDownLatch(1);
            TaskGroup g = kernel.spawnGroup("g" + round, () -> {
                Tasks.spawnTask("spawner", () -> {
                    // no safe point in this loop: the spawner keeps spawning while exitGroup runs
                    for (int i = 0; i < MAX_RACE_SPAWNS; i++) {
                        try {
                            spawned.add(Tasks.spawnTask("s", Fixtures::sleepForever));
                        } catch (SpawnRefusedException expected) {
                            refusals.incrementAndGet();
                            return null;
                        }
                        firstSpawn.countDown();
                        Thread.yield();
                    }
                    return null;
                });
                firstSpawn.await();
                Tasks.exitGroup(7);
                return 0;
            });

            assertThat(ended(g)).as("round %d", round).isEqualTo(ExitStatus.exited(7));

            assertThat(spawned).as("round %d", round).isNotEmpty();
            for (Task<?> t : spawned) {
                assertThat(ended(t)).as("round %d, task %d", round, t.id()).isEqualTo(ExitStatus.KILLED);
            }
            assertThat(g.liveTaskCount()).as("round %d", round).isZero();
            assertThat(g.reap()).isEqualTo(ExitStatus.exited(7));
        }
        Await.until("no live tasks", () -> kernel.liveTaskCount() == 0);
        assertThat(refusals.get()).as("rounds where the spawner saw the refusal (the race was exercised)").isPositive();
    }

    // ---- P5 ----

    /** SPEC P5: a group-only option on spawnTask fails with IllegalArgumentException naming it; nothing spawns. */
    @Test
    void spawnTask_groupOnlyOption_throwsIllegalArgumentNamingIt(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, SpawnOptions.named("g"));
        Await.until("main started", () -> kernel.liveTaskCount() == 1);

        assertThatThrownBy(() -> g.spawnTask(SpawnOptions.named("t").autoReap(true), () -> 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("autoReap");
        assertThatThrownBy(() -> g.spawnTask(SpawnOptions.named("t").childSubreaper(true), () -> 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("childSubreaper");
        assertThatThrownBy(() -> g.spawnTask(SpawnOptions.named("t").failurePolicy(FailurePolicy.FAIL_TASK), () -> 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("failurePolicy");

        assertThat(g.liveTaskCount()).isEqualTo(1);
        assertThat(kernel.liveTaskCount()).isEqualTo(1);
        end(g);
    }

    /** SPEC P5: the task-only option detached on spawnGroup fails with IllegalArgumentException naming it. */
    @Test
    void spawnGroup_detachedOption_throwsIllegalArgumentNamingIt(Kernel kernel) {
        assertThatThrownBy(() -> kernel.spawnGroup(SpawnOptions.named("g").detached(true), () -> 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("detached");
        assertThatThrownBy(() -> kernel.rootDomain().spawnGroup(SpawnOptions.named("g").detached(true), () -> 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("detached");

        assertThat(kernel.liveTaskCount()).isZero();
        assertThat(kernel.rootDomain().groups()).isEmpty();
    }

    /** SPEC P5: a blank name fails with IllegalArgumentException naming the option; nothing spawns. */
    @Test
    void spawn_blankName_throwsIllegalArgument(Kernel kernel) throws Exception {
        assertThatThrownBy(() -> SpawnOptions.named("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> kernel.spawnGroup("", () -> 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        TaskGroup g = idleGroup(kernel, SpawnOptions.named("g"));
        assertThatThrownBy(() -> g.spawnTask(" \t", () -> 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");

        assertThat(g.liveTaskCount()).isEqualTo(1);
        assertThat(kernel.rootDomain().groups()).containsExactly(g);
        end(g);
    }

    // ---- ids ----

    /** SPEC §0: every spawned task and group gets a fresh id, increasing in spawn order; a group's id is its main task's. */
    @Test
    void ids_spawnedTasksAndGroups_freshAndIncreasing(Kernel kernel) throws Exception {
        List<Long> ids = new ArrayList<>();
        TaskGroup g1 = idleGroup(kernel, SpawnOptions.named("g1"));
        ids.add(g1.id());
        ids.add(g1.spawnTask("t1", () -> 0).id());
        TaskGroup g2 = idleGroup(kernel, SpawnOptions.named("g2"));
        ids.add(g2.id());
        ids.add(g2.spawnTask("t2", () -> 0).id());
        ids.add(g1.spawnTask("t3", () -> 0).id());
        ids.add(spawnChild(g2, "child", () -> 0).id()); // after the id of its spawning task

        assertThat(ids).isSorted().doesNotHaveDuplicates().allSatisfy(id -> assertThat(id).isPositive());
        assertThat(kernel.findTask(g1.id())).hasValueSatisfying(t -> assertThat(t.groupId()).isEqualTo(g1.id()));
        assertThat(kernel.findGroup(kernel.rootDomain().id())).isEmpty(); // a domain root is not a group handle
        end(g1, g2);
    }

    /** SPEC §0, J2: an id whose record was disposed is never found again, even after more spawns. */
    @Test
    void ids_disposedId_neverFoundAgain(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, SpawnOptions.named("g"));
        Task<String> joined = g.spawnTask("joined", () -> "x");
        assertThat(attempt(g, "joiner", joined::join).get()).isEqualTo("x");
        TaskGroup reaped = kernel.spawnGroup("reaped", () -> 0);
        assertThat(reaped.reap()).isEqualTo(ExitStatus.exited(0));
        List<Long> disposed = List.of(joined.id(), reaped.id());
        long maxOld = Math.max(joined.id(), reaped.id());

        List<Long> fresh = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fresh.add(g.spawnTask("new" + i, () -> 0).id());
            TaskGroup ng = kernel.spawnGroup("newGroup" + i, () -> 0);
            fresh.add(ng.id());
            assertThat(ng.reap()).isEqualTo(ExitStatus.exited(0));
        }

        assertThat(fresh).allSatisfy(id -> assertThat(id).isGreaterThan(maxOld)).doesNotHaveDuplicates();
        for (long id : disposed) {
            assertThat(kernel.findTask(id)).as("task %d", id).isEmpty();
            assertThat(kernel.findGroup(id)).as("group %d", id).isEmpty();
        }
        assertThat(joined.kill()).isFalse();
        assertThatThrownBy(joined::detach).is(reason(NO_SUCH_TASK));
        end(g);
    }
}
