package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.INVALID_OPERATION;
import static org.tasklife.TaskLifeException.Reason.NOT_PERMITTED;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.mainOf;
import static org.tasklife.testkit.Reasons.reason;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tasklife.sync.Mutex;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.BlockingOp;
import org.tasklife.testkit.BlockingOp.Scenario;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.TrackedResource;

/** Domains (SPEC §10): the tree, stop in every state, notification, free, limits and isolation. */
@ExtendWith(KernelExtension.class)
class DomainTest {

    private static TaskGroup idle(Domain d, String name) {
        return d.spawnGroup(name, Fixtures::sleepForever);
    }

    private static ExitStatus stopped(Domain d) throws Exception {
        return get(d.onStopped());
    }

    // ---- D1: the tree ----

    @Test
    void createDomain_nests_withNamesParentsAndFreshIds(Kernel kernel) {
        Domain a = kernel.createDomain("a");
        Domain b = a.createDomain(DomainOptions.named("b"));

        assertThat(a.parent()).contains(kernel.rootDomain());
        assertThat(b.parent()).contains(a);
        assertThat(kernel.rootDomain().children()).containsExactly(a);
        assertThat(a.children()).containsExactly(b);
        assertThat(b.name()).isEqualTo("b");
        assertThat(b.id()).isGreaterThan(a.id());
        assertThat(a.state()).isEqualTo(DomainState.RUNNING);
        assertThat(a.status()).isEmpty();
        assertThat(kernel.findDomain(b.id())).contains(b);
    }

    @Test
    void groupsSpawnedInADomain_belongToIt_andTheirChildrenToo(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("d");
        TaskGroup g = idle(d, "g");
        TaskGroup child = Fixtures.spawnChild(g, "child", Fixtures::sleepForever);

        assertThat(g.domain()).isEqualTo(d);
        assertThat(child.domain()).isEqualTo(d);
        assertThat(g.parentId()).isEqualTo(d.id());
        assertThat(d.groups()).containsExactly(g);
        Await.until("the two mains live, the spawner gone", () -> d.liveTaskCount() == 2);
        d.stop(0);
        assertThat(stopped(d)).isEqualTo(ExitStatus.exited(0));
        assertThat(d.liveTaskCount()).isZero();
    }

    // ---- D2: stop ----

    /** SPEC D2, K2: a stop ends a task blocked in every way (STYLE G15), frees what it owned, leaves no waiter. */
    @ParameterizedTest
    @EnumSource(BlockingOp.class)
    void stop_endsATaskBlockedInEveryWay(BlockingOp op, Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("tenant");
        TaskGroup home = idle(d, "home");
        Await.state(mainOf(kernel, home), TaskState.BLOCKED);
        Scenario s = op.prepare(kernel, home);
        TrackedResource owned = new TrackedResource(op + " resource");
        Attempt a = attempt(home, op.name(), () -> {
            Tasks.own(owned);
            s.block();
            return "returned without being killed";
        });
        Await.state(a.task(), TaskState.BLOCKED);

        assertThat(d.stop(7)).isTrue();

        assertThat(stopped(d)).isEqualTo(ExitStatus.exited(7));
        assertThat(ended(a.task())).isEqualTo(ExitStatus.KILLED);
        if (!op.obstacleDiesWithHome()) {
            assertThat(a.get()).isInstanceOf(TaskKilledError.class);
        }
        assertThat(ended(home)).isEqualTo(ExitStatus.KILLED);
        assertThat(owned.closeCount()).isEqualTo(1);
        assertThat(d.state()).isEqualTo(DomainState.STOPPED);
        assertThat(d.liveTaskCount()).isZero();
        s.release();
        d.free();
    }

    @Test
    void stop_recordsTheFirstStatus_refusesSpawns_andIsIdempotent(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("d");
        TaskGroup g = idle(d, "g");

        assertThat(d.stop(3)).isTrue();
        assertThat(d.stop(4)).isFalse();
        assertThat(d.status()).contains(ExitStatus.exited(3));
        assertThatThrownBy(() -> d.spawnGroup("late", () -> 0)).isInstanceOf(SpawnRefusedException.class)
                .hasMessageContaining("domain 'd'");
        assertThatThrownBy(() -> g.spawnTask("late", () -> 0)).isInstanceOf(SpawnRefusedException.class);
        assertThatThrownBy(() -> d.createDomain(DomainOptions.named("late"))).isInstanceOf(SpawnRefusedException.class);

        assertThat(stopped(d)).isEqualTo(ExitStatus.exited(3));
        assertThat(d.stop(5)).isFalse();
        assertThat(d.status()).contains(ExitStatus.exited(3));
        assertThat(ended(g)).isEqualTo(ExitStatus.KILLED);
    }

    @Test
    void stop_ofAnEmptyDomain_stopsAtOnce(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("empty");

        d.stop(0);

        assertThat(d.state()).isEqualTo(DomainState.STOPPED);
        assertThat(d.onStopped()).isCompletedWithValue(ExitStatus.exited(0));
    }

    @Test
    void stop_tellsTheListenerExactlyOnce_afterTheLastTaskEnded(Kernel kernel) throws Exception {
        List<DomainEvent> events = new CopyOnWriteArrayList<>();
        AtomicInteger liveWhenTold = new AtomicInteger(-1);
        Domain[] self = new Domain[1];
        Domain d = kernel.createDomain(DomainOptions.named("told").onEvent(e -> {
            events.add(e);
            liveWhenTold.set((int) self[0].liveTaskCount());
        }));
        self[0] = d;
        for (int i = 0; i < 3; i++) {
            idle(d, "g" + i);
        }

        d.stop(2);
        d.stop(9);

        assertThat(stopped(d)).isEqualTo(ExitStatus.exited(2));
        assertThat(events).containsExactly(new DomainEvent.Stopped(d, ExitStatus.exited(2)));
        assertThat(liveWhenTold.get()).isZero();
    }

    /** SPEC D2, H2 HB3: a task stops its own domain; it is killed too, and cannot deadlock on a lock a sibling held. */
    @Test
    void stop_fromInside_killsTheCallerToo_whoseNextWaitThrows(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("self-stopping");
        Mutex m = new Mutex();
        CountDownLatch held = new CountDownLatch(1);
        TaskGroup holder = d.spawnGroup("holder", () -> {
            m.lock();
            held.countDown();
            return Fixtures.sleepForever();
        });
        Fixtures.await(held);
        TaskGroup stopper = d.spawnGroup("stopper", () -> {
            boolean recorded = Tasks.currentDomain().stop(3);
            assertThat(recorded).isTrue();
            m.lock(); // wrong after a stop: must throw the kill, not deadlock
            return 99;
        });

        assertThat(stopped(d)).isEqualTo(ExitStatus.exited(3));
        assertThat(ended(stopper)).isEqualTo(ExitStatus.KILLED);
        assertThat(ended(holder)).isEqualTo(ExitStatus.KILLED);
    }

    @Test
    void stop_stopsNestedDomains_killed_beforeTheParentIsTold(Kernel kernel) throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        Domain parent = kernel.createDomain(DomainOptions.named("parent")
                .onEvent(e -> order.add("parent " + e.getClass().getSimpleName())));
        Domain child = parent.createDomain(DomainOptions.named("child")
                .onEvent(e -> order.add("child " + e.getClass().getSimpleName())));
        Domain grandchild = child.createDomain(DomainOptions.named("grandchild"));
        TaskGroup deep = idle(grandchild, "deep");
        idle(child, "mid");
        assertThat(parent.liveTaskCount()).isEqualTo(2);

        parent.stop(1);

        assertThat(stopped(parent)).isEqualTo(ExitStatus.exited(1));
        assertThat(child.onStopped()).isCompletedWithValue(ExitStatus.KILLED);
        assertThat(grandchild.onStopped()).isCompletedWithValue(ExitStatus.KILLED);
        assertThat(ended(deep)).isEqualTo(ExitStatus.KILLED);
        assertThat(order).containsExactly("child Stopped", "parent Stopped");
    }

    @Test
    void stopOfAChild_leavesTheParentRunning(Kernel kernel) throws Exception {
        Domain parent = kernel.createDomain("parent");
        Domain child = parent.createDomain(DomainOptions.named("child"));
        TaskGroup survivor = idle(parent, "survivor");
        idle(child, "victim");

        child.stop(0);

        assertThat(stopped(child)).isEqualTo(ExitStatus.exited(0));
        assertThat(parent.state()).isEqualTo(DomainState.RUNNING);
        assertThat(survivor.state()).isEqualTo(GroupState.ALIVE);
        parent.stop(0);
        stopped(parent);
    }

    /** SPEC D2 under races: a spawn racing a stop is either refused or killed; the stop always completes. */
    @Test
    void stop_racingSpawns_alwaysCompletes(Kernel kernel) throws Exception {
        for (int i = 0; i < 200; i++) {
            Domain d = kernel.createDomain("race-" + i);
            TaskGroup g = idle(d, "g");
            Attempt spawner = attempt(kernel.spawnGroup("spawner", Fixtures::sleepForever), "spawner", () -> {
                int refused = 0;
                for (int k = 0; k < 50; k++) {
                    try {
                        g.spawnTask("t", Fixtures::sleepForever);
                        d.spawnGroup("h", Fixtures::sleepForever);
                    } catch (SpawnRefusedException e) {
                        refused++;
                    }
                }
                return refused;
            });
            d.stop(0);
            assertThat(stopped(d)).isEqualTo(ExitStatus.exited(0));
            assertThat(d.liveTaskCount()).isZero();
            assertThat(spawner.get()).isInstanceOf(Integer.class);
            spawner.task().group().kill();
            ended(spawner.task().group());
            spawner.task().group().reap();
            d.free();
        }
    }

    // ---- stopWhenEmpty and the early notification (H2 HA4) ----

    @Test
    void stopWhenEmpty_threeTasksExitingZero_oneStoppedEventWithStatusZero(Kernel kernel) throws Exception {
        List<DomainEvent> events = new CopyOnWriteArrayList<>();
        Domain d = kernel.createDomain(DomainOptions.named("vm").stopWhenEmpty(true).onEvent(events::add));
        CountDownLatch go = new CountDownLatch(1);
        TaskGroup g = d.spawnGroup("process", () -> {
            for (int i = 0; i < 2; i++) {
                Tasks.spawnTask("worker" + i, () -> {
                    go.await();
                    return 0;
                });
            }
            go.await();
            return 0;
        });
        Await.until("3 live tasks", () -> d.liveTaskCount() == 3);
        assertThat(events).isEmpty();

        go.countDown();

        assertThat(stopped(d)).isEqualTo(ExitStatus.exited(0));
        assertThat(ended(g)).isEqualTo(ExitStatus.exited(0));
        assertThat(events).containsExactly(new DomainEvent.Stopped(d, ExitStatus.exited(0)));
    }

    @Test
    void abnormalGroupEnd_tellsTheParentEarly_thenTheFinalStop(Kernel kernel) throws Exception {
        List<DomainEvent> events = new CopyOnWriteArrayList<>();
        Domain d = kernel.createDomain(DomainOptions.named("vm").stopWhenEmpty(true).onEvent(events::add));
        CountDownLatch release = new CountDownLatch(1);
        TaskGroup survivor = d.spawnGroup("survivor", () -> {
            release.await();
            return 0;
        });
        TaskGroup failing = d.spawnGroup("failing", () -> 2);
        assertThat(ended(failing)).isEqualTo(ExitStatus.exited(2));
        Await.until("early event", () -> !events.isEmpty());

        assertThat(events).containsExactly(new DomainEvent.AbnormalExit(d, failing.id(), ExitStatus.exited(2), 1));
        assertThat(d.state()).isEqualTo(DomainState.RUNNING);
        release.countDown();

        assertThat(stopped(d)).isEqualTo(ExitStatus.exited(0)); // the last group to end decides
        assertThat(ended(survivor)).isEqualTo(ExitStatus.exited(0));
        assertThat(events).hasSize(2).last().isEqualTo(new DomainEvent.Stopped(d, ExitStatus.exited(0)));
    }

    @Test
    void stopWhenEmpty_theLastGroupsStatusIsTheDomains(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain(DomainOptions.named("vm").stopWhenEmpty(true));
        d.spawnGroup("process", () -> {
            Tasks.exitGroup(1);
            return 0;
        });

        assertThat(stopped(d)).isEqualTo(ExitStatus.exited(1));
        assertThatThrownBy(() -> d.spawnGroup("late", () -> 0)).isInstanceOf(SpawnRefusedException.class);
    }

    @Test
    void stopWhenEmpty_aFreshDomainRunsUntilItsFirstTask(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain(DomainOptions.named("vm").stopWhenEmpty(true));
        assertThat(d.state()).isEqualTo(DomainState.RUNNING);
        d.spawnGroup("p", () -> 0);
        assertThat(stopped(d)).isEqualTo(ExitStatus.exited(0));
    }

    // ---- D3: free ----

    @Test
    void free_ofARunningDomain_isRefused_andChangesNothing(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("d");
        TaskGroup g = idle(d, "g");

        assertThatThrownBy(d::free).is(reason(INVALID_OPERATION))
                .hasMessageContaining("RUNNING");
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        d.stop(0);
        stopped(d);
        d.free();
        assertThat(d.state()).isEqualTo(DomainState.FREED);
        assertThatThrownBy(d::free).is(reason(INVALID_OPERATION)).hasMessageContaining("already");
    }

    @Test
    void free_fromInsideTheDomain_isNotPermitted(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("d");
        Domain inner = d.createDomain(DomainOptions.named("inner"));
        inner.stop(0);
        TaskGroup g = idle(d, "g");

        Object r = attempt(g, "freer", () -> {
            inner.free(); // d is inner's parent: allowed
            try {
                Tasks.currentDomain().free();
                return "freed itself";
            } catch (TaskLifeException e) {
                if (e.reason() != TaskLifeException.Reason.NOT_PERMITTED) {
                    throw e;
                }
                return e;
            }
        }).get();

        assertThat(r).is(reason(NOT_PERMITTED));
        assertThat(inner.state()).isEqualTo(DomainState.FREED);
        d.stop(0);
        stopped(d);
    }

    @Test
    void free_reapsTheGroups_andReleasesTheRecords_idsNeverReused(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("d");
        TaskGroup g = idle(d, "g");
        TaskGroup child = Fixtures.spawnChild(g, "child", Fixtures::sleepForever);
        long mainId = g.id();
        d.stop(0);
        stopped(d);
        assertThat(kernel.findGroup(g.id())).isPresent(); // zombie until freed
        assertThat(d.groupCount()).isEqualTo(1); // the child, orphaned, was reaped by the domain root (SPEC R4)

        d.free();

        assertThat(kernel.findGroup(g.id())).isEmpty();
        assertThat(kernel.findGroup(child.id())).isEmpty();
        assertThat(kernel.findDomain(d.id())).isEmpty();
        assertThat(d.groupCount()).isZero();
        assertThat(kernel.rootDomain().children()).doesNotContain(d);
        assertThat(kernel.snapshot().groups()).noneMatch(r -> r.domain().equals("d"));
        Await.until("records released by the reaper", () -> kernel.findTask(mainId).isEmpty());
        TaskGroup later = kernel.spawnGroup("later", () -> 0);
        assertThat(later.id()).isGreaterThan(child.id());
        ended(later);
        later.reap();
        assertThatThrownBy(() -> d.waitChild(ChildSelector.any())).isInstanceOf(NoChildException.class);
    }

    @Test
    void autoFree_freesAsSoonAsStopped(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain(DomainOptions.named("d").autoFree(true));
        TaskGroup g = idle(d, "g");

        d.stop(0);

        Await.until("freed", () -> d.state() == DomainState.FREED);
        assertThat(kernel.findGroup(g.id())).isEmpty();
    }

    @Test
    void rootDomain_cannotBeStoppedOrFreed(Kernel kernel) {
        assertThatThrownBy(() -> kernel.rootDomain().stop(0)).is(reason(NOT_PERMITTED))
                .hasMessageContaining("Kernel.close()");
        assertThatThrownBy(() -> kernel.rootDomain().free()).is(reason(NOT_PERMITTED));
        assertThat(kernel.rootDomain().state()).isEqualTo(DomainState.RUNNING);
    }

    // ---- awaitStopped ----

    @Test
    void awaitStopped_fromHostAndTask_timesOutOrSeesTheStop(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("d");
        idle(d, "g");
        assertThat(d.awaitStopped(Duration.ofMillis(1))).isFalse();
        TaskGroup watcher = kernel.spawnGroup("watcher", Fixtures::sleepForever);
        Attempt waiting = attempt(watcher, "waiting", () -> d.awaitStopped(Duration.ofHours(1)));
        Await.state(waiting.task(), TaskState.BLOCKED);
        assertThat(kernel.snapshot().tasks()).anyMatch(t -> t.waitChannel().contains("awaitStopped(domain d)"));

        d.stop(0);

        assertThat(d.awaitStopped(Await.LONG)).isTrue();
        assertThat(waiting.get()).isEqualTo(true);
        Fixtures.killAndReap(watcher);
        assertThat(d.awaitStopped(Duration.ofSeconds(-1))).isTrue(); // JDK idiom: a negative timeout does not wait
    }

    @Test
    void kernelClose_stopsEveryDomain_killed(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain("d");
        Domain inner = d.createDomain(DomainOptions.named("inner"));
        idle(inner, "g");
        kernel.rootDomain().createDomain(DomainOptions.named("empty"));

        kernel.close(Await.LONG);

        assertThat(stopped(d)).isEqualTo(ExitStatus.KILLED);
        assertThat(stopped(inner)).isEqualTo(ExitStatus.KILLED);
    }

    // ---- D4: limits ----

    @Test
    void maxTasks_refusesTheSpawnOverTheLimit_andCreatesNothing(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain(DomainOptions.named("small").maxTasks(2));
        TaskGroup g = idle(d, "g");
        Task<Integer> second = g.spawnTask("second", Fixtures::sleepForever);
        long groupsBefore = d.groupCount();
        long liveBefore = kernel.liveTaskCount();

        assertThatThrownBy(() -> g.spawnTask("third", () -> 0)).isInstanceOf(DomainLimitExceededException.class)
                .hasMessageContaining("limit of 2 live tasks").satisfies(e -> {
                    assertThat(((DomainLimitExceededException) e).domainName()).isEqualTo("small");
                    assertThat(((DomainLimitExceededException) e).limit()).isEqualTo(2);
                });
        assertThatThrownBy(() -> d.spawnGroup("another", () -> 0)).isInstanceOf(DomainLimitExceededException.class);

        assertThat(d.liveTaskCount()).isEqualTo(2);
        assertThat(d.groupCount()).isEqualTo(groupsBefore);
        assertThat(kernel.liveTaskCount()).isEqualTo(liveBefore);
        assertThat(g.tasks()).hasSize(2);
        second.kill();
        ended(second);
        Await.until("slot given back", () -> d.liveTaskCount() == 1);
        g.spawnTask("now fits", () -> 0);
        d.stop(0);
        stopped(d);
    }

    @Test
    void limits_countAcrossNestedDomains(Kernel kernel) throws Exception {
        Domain outer = kernel.createDomain(DomainOptions.named("outer").maxTasks(2).maxGroups(3));
        Domain inner = outer.createDomain(DomainOptions.named("inner"));
        idle(inner, "a");
        idle(inner, "b");

        assertThatThrownBy(() -> idle(inner, "c")).isInstanceOf(DomainLimitExceededException.class)
                .hasMessageContaining("domain 'outer' is at its limit of 2 live tasks");
        assertThat(inner.groupCount()).isEqualTo(2);
        assertThat(outer.groupCount()).isEqualTo(2);
        outer.stop(0);
        stopped(outer);
    }

    @Test
    void maxGroups_countsZombiesUntilReaped(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain(DomainOptions.named("d").maxGroups(1));
        TaskGroup first = d.spawnGroup("first", () -> 0);
        ended(first);

        assertThatThrownBy(() -> d.spawnGroup("second", () -> 0)).isInstanceOf(DomainLimitExceededException.class)
                .hasMessageContaining("until it is reaped");
        first.reap();
        TaskGroup second = d.spawnGroup("second", () -> 0);
        ended(second);
        second.reap();
    }

    @Test
    void options_rejectBadLimits() {
        assertThatThrownBy(() -> DomainOptions.named("d").maxTasks(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTasks must be at least 1, was 0");
        assertThatThrownBy(() -> DomainOptions.named("d").maxGroups(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxGroups must be at least 1, was -1");
        assertThatThrownBy(() -> DomainOptions.named(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    /** SPEC D4: a fork bomb is contained by the limit, the host stays responsive and the stop is clean. */
    @Test
    void forkBomb_isContained_andStopsCleanly(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain(DomainOptions.named("bomb").maxTasks(500));
        AtomicInteger refused = new AtomicInteger();
        TaskBody<Integer> bomb = new TaskBody<>() {
            @Override
            public Integer run() {
                for (;;) {
                    try {
                        Tasks.spawnTask("fork", this);
                    } catch (DomainLimitExceededException e) {
                        refused.incrementAndGet();
                        Tasks.yieldNow();
                    }
                }
            }
        };
        d.spawnGroup("bomb", () -> bomb.run());
        Await.until("the bomb hit its limit", () -> refused.get() > 100);

        long t0 = System.nanoTime();
        // a tenant that spins hogs the shared virtual-thread carriers (they are not preempted): the
        // neighbour runs on its own platform thread, and the host's own calls must not wait for the bomb
        TaskGroup other = kernel.createDomain("neighbour").spawnGroup(SpawnOptions.named("probe").platformThread(true),
                () -> 42);
        assertThat(ended(other)).isEqualTo(ExitStatus.exited(42));
        assertThat(kernel.snapshot().tasks().size()).isLessThanOrEqualTo(500);
        assertThat(d.liveTaskCount()).isLessThanOrEqualTo(500);
        Duration hostLatency = Duration.ofNanos(System.nanoTime() - t0);

        d.stop(9);

        assertThat(stopped(d)).isEqualTo(ExitStatus.exited(9));
        assertThat(hostLatency).isLessThan(Await.LONG);
        other.reap();
    }

    // ---- D5: isolation ----

    @Test
    void aTask_cannotSeeOrTouchAnotherDomain(Kernel kernel) throws Exception {
        Domain mine = kernel.createDomain("mine");
        Domain theirs = kernel.createDomain("theirs");
        TaskGroup victim = idle(theirs, "victim");
        TaskGroup home = idle(mine, "home");
        long victimId = victim.id();

        List<Object> outcomes = new CopyOnWriteArrayList<>();
        Object r = attempt(home, "intruder", () -> {
            for (Runnable op : List.<Runnable>of(
                    () -> kernel.findTask(victimId),
                    () -> kernel.findGroup(victimId),
                    () -> kernel.kill(victimId),
                    () -> victim.kill(),
                    () -> victim.spawnTask("implant", () -> 0),
                    () -> theirs.stop(1),
                    () -> theirs.spawnGroup("implant", () -> 0),
                    () -> theirs.snapshot(),
                    () -> theirs.createDomain(DomainOptions.named("x")),
                    () -> theirs.waitChild(ChildSelector.any(), WaitOption.NO_HANG),
                    () -> kernel.createDomain("sibling"),
                    () -> kernel.findDomain(theirs.id()))) {
                try {
                    op.run();
                    outcomes.add("allowed");
                } catch (DomainAccessException e) {
                    outcomes.add(e);
                }
            }
            return kernel.snapshot();
        }).get();

        assertThat(outcomes).hasSize(12).allSatisfy(o -> assertThat(o).isInstanceOf(SecurityException.class));
        assertThat(((DomainAccessException) outcomes.get(2)).getMessage())
                .contains("domain 'mine'", "kill task " + victimId);
        KernelSnapshot seen = (KernelSnapshot) r;
        assertThat(seen.groups()).allMatch(g -> g.domain().equals("mine"));
        assertThat(seen.tasks()).isNotEmpty().allMatch(t -> t.domain().equals("mine"));
        assertThat(victim.state()).isEqualTo(GroupState.ALIVE);
        assertThat(theirs.state()).isEqualTo(DomainState.RUNNING);
        assertThat(kernel.snapshot().groups()).anyMatch(g -> g.domain().equals("theirs")); // host sees all
        mine.stop(0);
        theirs.stop(0);
        stopped(mine);
        stopped(theirs);
    }

    @Test
    void aTask_seesAndStopsTheDomainsBelowIts(Kernel kernel) throws Exception {
        Domain mine = kernel.createDomain("mine");
        TaskGroup home = idle(mine, "home");

        Object r = attempt(home, "parent", () -> {
            Domain sub = Tasks.currentDomain().createDomain(DomainOptions.named("sub"));
            TaskGroup g = sub.spawnGroup("g", Fixtures::sleepForever);
            assertThat(kernel.findGroup(g.id())).contains(g);
            assertThat(sub.snapshot().groups()).extracting(GroupInfo::name).contains("g");
            sub.stop(4);
            assertThat(sub.awaitStopped(Await.LONG)).isTrue();
            sub.free();
            return sub.status().orElseThrow();
        }).get();

        assertThat(r).isEqualTo(ExitStatus.exited(4));
        mine.stop(0);
        stopped(mine);
    }
}
