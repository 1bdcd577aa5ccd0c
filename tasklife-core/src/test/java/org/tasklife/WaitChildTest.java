package org.tasklife;


import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.NOT_PERMITTED;
import static org.tasklife.testkit.Fixtures.*;
import static org.tasklife.testkit.Reasons.reason;

import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

@ExtendWith(KernelExtension.class)
class WaitChildTest {

    private static final long LONG_MS = Await.LONG.toMillis();
    private static final int RACE_ROUNDS = 200;

    /** The ChildExit inside a waitChild outcome, failing if the outcome is anything else. */
    private static ChildExit childExit(Object outcome) {
        assertThat(outcome).isInstanceOf(Optional.class);
        Optional<?> o = (Optional<?>) outcome;
        assertThat(o).isPresent();
        assertThat(o.get()).isInstanceOf(ChildExit.class);
        return (ChildExit) o.get();
    }

    // ---- W1 ----

    /** SPEC W1: a child belongs to the group: any task of it reaps a child spawned by another, ended, task. */
    @Test
    void waitChild_childSpawnedByAnotherTask_reapedByAnyTaskOfGroup(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        TaskGroup child = spawnChild(parent, "child", () -> 5); // the spawning task has ended
        assertThat(child.parentId()).isEqualTo(parent.id());

        Attempt reaper = attempt(parent, "reaper", () -> Tasks.waitChild(ChildSelector.any()));

        ChildExit exit = childExit(reaper.get());
        assertThat(exit.groupId()).isEqualTo(child.id());
        assertThat(exit.status()).isEqualTo(ExitStatus.exited(5));
        assertThat(child.state()).isEqualTo(GroupState.REAPED);
        end(parent);
    }

    // ---- W2 ----

    /** SPEC W2 (ECHILD): a group with no children gets NoChildException at once, blocking or NO_HANG. */
    @Test
    void waitChild_noChildren_throwsNoChildAtOnce(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");

        Attempt blocking = attempt(parent, "blocking", () -> Tasks.waitChild(ChildSelector.any()));
        Attempt noHang = attempt(parent, "noHang", () -> Tasks.waitChild(ChildSelector.any(), WaitOption.NO_HANG));

        assertThat(blocking.get()).isInstanceOf(NoChildException.class);
        assertThat(noHang.get()).isInstanceOf(NoChildException.class);
        end(parent);
    }

    /** SPEC W2: a grandchild is not a child: selecting it gives NoChildException; the real child is untouched. */
    @Test
    void waitChild_grandchildSelected_throwsNoChild(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        TaskGroup child = spawnChild(parent, "child", Fixtures::sleepForever);
        TaskGroup grandchild = spawnChild(child, "grandchild", Fixtures::sleepForever);
        ChildSelector sel = ChildSelector.group(grandchild.id());

        assertThat(attempt(parent, "w", () -> Tasks.waitChild(sel)).get()).isInstanceOf(NoChildException.class);
        assertThat(attempt(parent, "w", () -> Tasks.waitChild(sel, WaitOption.NO_HANG)).get())
                .isInstanceOf(NoChildException.class);

        assertThat(grandchild.state()).isEqualTo(GroupState.ALIVE);
        assertThat(grandchild.parentId()).isEqualTo(child.id());
        assertThat(attempt(parent, "w", () -> Tasks.waitChild(ChildSelector.group(child.id()), WaitOption.NO_HANG))
                .get()).isEqualTo(Optional.empty());
        end(grandchild, child, parent);
    }

    /** SPEC W2: a sibling group is not a child: selecting it gives NoChildException. */
    @Test
    void waitChild_siblingSelected_throwsNoChild(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        TaskGroup sibling = kernel.spawnGroup("sibling", () -> 3);
        assertThat(ended(sibling)).isEqualTo(ExitStatus.exited(3));
        ChildSelector sel = ChildSelector.group(sibling.id());

        assertThat(attempt(parent, "w", () -> Tasks.waitChild(sel)).get()).isInstanceOf(NoChildException.class);
        assertThat(attempt(parent, "w", () -> Tasks.waitChild(sel, WaitOption.NO_HANG)).get())
                .isInstanceOf(NoChildException.class);

        assertThat(sibling.state()).isEqualTo(GroupState.ZOMBIE);
        assertThat(sibling.reap()).isEqualTo(ExitStatus.exited(3));
        end(parent);
    }

    /** SPEC W2: an id that names no group gives NoChildException, blocking or NO_HANG. */
    @Test
    void waitChild_unknownIdSelected_throwsNoChild(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        TaskGroup child = spawnChild(parent, "child", Fixtures::sleepForever);
        ChildSelector sel = ChildSelector.group(1_000_000_000L);

        assertThat(attempt(parent, "w", () -> Tasks.waitChild(sel)).get()).isInstanceOf(NoChildException.class);
        assertThat(attempt(parent, "w", () -> Tasks.waitChild(sel, WaitOption.NO_HANG)).get())
                .isInstanceOf(NoChildException.class);

        assertThat(child.state()).isEqualTo(GroupState.ALIVE);
        end(child, parent);
    }

    // ---- W3 ----

    /** SPEC W3: NO_HANG with a live child and none ended returns empty, not an error. */
    @Test
    void waitChild_noHangWithLiveChild_returnsEmpty(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        TaskGroup child = spawnChild(parent, "child", Fixtures::sleepForever);

        Object any = attempt(parent, "any", () -> Tasks.waitChild(ChildSelector.any(), WaitOption.NO_HANG)).get();
        Object one = attempt(parent, "one",
                () -> Tasks.waitChild(ChildSelector.group(child.id()), WaitOption.NO_HANG)).get();

        assertThat(any).isEqualTo(Optional.empty());
        assertThat(one).isEqualTo(Optional.empty());
        assertThat(child.state()).isEqualTo(GroupState.ALIVE);
        end(child, parent);
    }

    // ---- W4 ----

    /** SPEC W4: a blocking wait returns the child's id and status once it ends, and reaps it. */
    @Test
    void waitChild_blockedUntilChildEnds_returnsIdAndStatus(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        CountDownLatch go = new CountDownLatch(1);
        TaskGroup child = spawnChild(parent, "child", () -> {
            go.await();
            return 4;
        });
        Attempt waiter = attempt(parent, "waiter", () -> Tasks.waitChild(ChildSelector.group(child.id())));
        Await.state(waiter.task(), TaskState.BLOCKED);
        assertThat(waiter.outcome()).isNotDone();

        go.countDown();

        ChildExit exit = childExit(waiter.get());
        assertThat(exit.groupId()).isEqualTo(child.id());
        assertThat(exit.status()).isEqualTo(ExitStatus.exited(4));
        assertThat(child.state()).isEqualTo(GroupState.REAPED);
        assertThat(kernel.findGroup(child.id())).isEmpty();
        end(parent);
    }

    /** SPEC W4: a reaped child is gone: a second wait for it gets NoChildException. */
    @Test
    void waitChild_secondWaitForReapedChild_throwsNoChild(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        TaskGroup child = spawnChild(parent, "child", () -> 0);
        ChildSelector sel = ChildSelector.group(child.id());
        assertThat(childExit(attempt(parent, "first", () -> Tasks.waitChild(sel)).get()).groupId())
                .isEqualTo(child.id());

        assertThat(attempt(parent, "second", () -> Tasks.waitChild(sel)).get()).isInstanceOf(NoChildException.class);
        assertThat(attempt(parent, "any", () -> Tasks.waitChild(ChildSelector.any(), WaitOption.NO_HANG)).get())
                .isInstanceOf(NoChildException.class);
        end(parent);
    }

    /** SPEC W4: with several ended children, the lowest id is reported first, whatever the end order. */
    @Test
    void waitChild_twoEndedChildren_lowestIdFirst(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        CountDownLatch go1 = new CountDownLatch(1);
        CountDownLatch go2 = new CountDownLatch(1);
        TaskGroup c1 = spawnChild(parent, "c1", () -> {
            go1.await();
            return 1;
        });
        TaskGroup c2 = spawnChild(parent, "c2", () -> {
            go2.await();
            return 2;
        });
        assertThat(c1.id()).isLessThan(c2.id());
        go2.countDown();
        assertThat(ended(c2)).isEqualTo(ExitStatus.exited(2));
        go1.countDown();
        assertThat(ended(c1)).isEqualTo(ExitStatus.exited(1));

        ChildExit first = childExit(attempt(parent, "w1", () -> Tasks.waitChild(ChildSelector.any())).get());
        ChildExit second = childExit(attempt(parent, "w2", () -> Tasks.waitChild(ChildSelector.any())).get());

        assertThat(first.groupId()).isEqualTo(c1.id());
        assertThat(first.status()).isEqualTo(ExitStatus.exited(1));
        assertThat(second.groupId()).isEqualTo(c2.id());
        assertThat(second.status()).isEqualTo(ExitStatus.exited(2));
        assertThat(attempt(parent, "w3", () -> Tasks.waitChild(ChildSelector.any())).get())
                .isInstanceOf(NoChildException.class);
        end(parent);
    }

    // ---- W5 ----

    /** SPEC W5: two tasks blocked waiting for the only child: exactly one reaps it, the other gets ECHILD. */
    @Test
    void waitChild_twoBlockedWaitersOneChild_exactlyOneReaps(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        for (int round = 0; round < RACE_ROUNDS; round++) {
            TaskGroup child = spawnChild(parent, "child" + round, Fixtures::sleepForever);
            Attempt w1 = attempt(parent, "w1", () -> Tasks.waitChild(ChildSelector.any()));
            Attempt w2 = attempt(parent, "w2", () -> Tasks.waitChild(ChildSelector.any()));
            Await.state(w1.task(), TaskState.BLOCKED);
            Await.state(w2.task(), TaskState.BLOCKED);

            assertThat(child.kill()).isTrue();

            assertExactlyOneReaped("round " + round, child, w1.get(), w2.get());
        }
        end(parent);
    }

    /** SPEC W5: two NO_HANG waits for the only, ended, child: exactly one reaps it, the other gets ECHILD. */
    @Test
    void waitChild_twoNoHangWaitersOneEndedChild_exactlyOneReaps(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        for (int round = 0; round < RACE_ROUNDS; round++) {
            TaskGroup child = spawnChild(parent, "child" + round, () -> 0);
            assertThat(ended(child)).isEqualTo(ExitStatus.exited(0));
            CountDownLatch start = new CountDownLatch(1);
            TaskBody<Optional<ChildExit>> noHangWait = () -> {
                start.await();
                return Tasks.waitChild(ChildSelector.any(), WaitOption.NO_HANG);
            };
            Attempt w1 = attempt(parent, "w1", noHangWait);
            Attempt w2 = attempt(parent, "w2", noHangWait);

            start.countDown();

            assertExactlyOneReaped("round " + round, child, w1.get(), w2.get());
        }
        end(parent);
    }

    private static void assertExactlyOneReaped(String round, TaskGroup child, Object a, Object b) {
        List<Object> outcomes = List.of(a, b);
        List<Object> reaped = new ArrayList<>();
        List<Object> refused = new ArrayList<>();
        for (Object o : outcomes) {
            if (o instanceof Optional<?> opt && opt.isPresent()) {
                reaped.add(o);
            } else if (o instanceof NoChildException) {
                refused.add(o);
            }
        }
        assertThat(reaped).as("%s: reaping outcomes of %s", round, outcomes).hasSize(1);
        assertThat(refused).as("%s: ECHILD outcomes of %s", round, outcomes).hasSize(1);
        assertThat(childExit(reaped.get(0)).groupId()).as(round).isEqualTo(child.id());
        assertThat(child.state()).as(round).isEqualTo(GroupState.REAPED);
    }

    // ---- W6 ----

    /** SPEC W6 (WNOWAIT): NO_REAP reports an ended child without reaping it; a later wait still gets it. */
    @Test
    void waitChild_noReap_reportsWithoutReaping(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        CountDownLatch go = new CountDownLatch(1);
        TaskGroup child = spawnChild(parent, "child", () -> {
            go.await();
            return 6;
        });
        Attempt peek = attempt(parent, "peek", () -> Tasks.waitChild(ChildSelector.any(), WaitOption.NO_REAP));
        Await.state(peek.task(), TaskState.BLOCKED);

        go.countDown();

        ChildExit peeked = childExit(peek.get());
        assertThat(peeked.groupId()).isEqualTo(child.id());
        assertThat(peeked.status()).isEqualTo(ExitStatus.exited(6));
        assertThat(child.state()).isEqualTo(GroupState.ZOMBIE);
        assertThat(kernel.findGroup(child.id())).contains(child);

        ChildExit again = childExit(attempt(parent, "again",
                () -> Tasks.waitChild(ChildSelector.group(child.id()), WaitOption.NO_REAP, WaitOption.NO_HANG)).get());
        assertThat(again.groupId()).isEqualTo(child.id());
        ChildExit reaped = childExit(attempt(parent, "reap", () -> Tasks.waitChild(ChildSelector.any())).get());
        assertThat(reaped.groupId()).isEqualTo(child.id());
        assertThat(reaped.status()).isEqualTo(ExitStatus.exited(6));
        assertThat(child.state()).isEqualTo(GroupState.REAPED);
        end(parent);
    }

    // ---- W8 (seed-systems): kill of a child waiter ----

    /** SPEC K2, W1: a task killed while blocked in waitChild unwinds with TaskKilledError; the child stays. */
    @Test
    void waitChild_waiterKilledWhileWaiting_throwsKilledErrorAndChildStays(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        TaskGroup child = spawnChild(parent, "child", Fixtures::sleepForever);
        Attempt waiter = attempt(parent, "waiter", () -> Tasks.waitChild(ChildSelector.any()));
        Await.state(waiter.task(), TaskState.BLOCKED);

        assertThat(waiter.task().kill()).isTrue();

        assertThat(waiter.get()).isInstanceOf(TaskKilledError.class);
        assertThat(waiter.task().onExit().get(LONG_MS, TimeUnit.MILLISECONDS)).isEqualTo(ExitStatus.KILLED);
        assertThat(child.state()).isEqualTo(GroupState.ALIVE);
        assertThat(child.kill()).isTrue();
        ChildExit exit = childExit(attempt(parent, "next", () -> Tasks.waitChild(ChildSelector.any())).get());
        assertThat(exit.groupId()).isEqualTo(child.id());
        assertThat(exit.status()).isEqualTo(ExitStatus.KILLED);
        end(parent);
    }

    // ---- host side (SPEC R2) ----

    /** SPEC R2: host code reaps an ended top-level group through the root domain; it is then gone. */
    @Test
    void domainWaitChild_endedTopLevelGroup_reapsIt(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("top", () -> 9);
        assertThat(g.parentId()).isEqualTo(kernel.rootDomain().id());
        assertThat(ended(g)).isEqualTo(ExitStatus.exited(9));
        ChildSelector sel = ChildSelector.group(g.id());

        Optional<ChildExit> exit = kernel.rootDomain().waitChild(sel);

        assertThat(exit).hasValueSatisfying(e -> {
            assertThat(e.groupId()).isEqualTo(g.id());
            assertThat(e.status()).isEqualTo(ExitStatus.exited(9));
        });
        assertThat(g.state()).isEqualTo(GroupState.REAPED);
        assertThat(kernel.findGroup(g.id())).isEmpty();
        assertThatThrownBy(() -> kernel.rootDomain().waitChild(sel)).isInstanceOf(NoChildException.class);
    }

    /** SPEC R2, W3, W4: the root domain's wait says "none yet" with NO_HANG, and blocks until the group ends. */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void domainWaitChild_liveTopLevelGroup_blocksUntilItEnds(Kernel kernel) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("top", () -> {
            go.await();
            Tasks.sleep(Duration.ofMillis(50)); // workload: still live when the host starts waiting
            return 8;
        });
        ChildSelector sel = ChildSelector.group(g.id());
        Optional<ChildExit> none = kernel.rootDomain().waitChild(sel, WaitOption.NO_HANG);
        go.countDown();

        Optional<ChildExit> exit = kernel.rootDomain().waitChild(sel);

        assertThat(none).as("NO_HANG while the group waits").isEmpty();
        assertThat(exit).hasValueSatisfying(e -> assertThat(e.status()).isEqualTo(ExitStatus.exited(8)));
        assertThat(g.state()).isEqualTo(GroupState.REAPED);
    }

    /** SPEC R2: TaskGroup.reap() from host code reaps a top-level zombie and returns its status. */
    @Test
    void reap_fromHostOnTopLevelZombie_returnsStatus(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("top", () -> 11);
        assertThat(ended(g)).isEqualTo(ExitStatus.exited(11));
        assertThat(g.state()).isEqualTo(GroupState.ZOMBIE);

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(11));

        assertThat(g.state()).isEqualTo(GroupState.REAPED);
        assertThatThrownBy(g::reap).isInstanceOf(NoChildException.class);
    }

    /** SPEC R2: a task of the parent group reaps a child through its handle. */
    @Test
    void reap_fromTaskOfParentGroup_returnsStatus(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        TaskGroup child = spawnChild(parent, "child", () -> 12);

        assertThat(attempt(parent, "reaper", child::reap).get()).isEqualTo(ExitStatus.exited(12));

        assertThat(child.state()).isEqualTo(GroupState.REAPED);
        end(parent);
    }

    /** SPEC R2: a task of another group may not reap a group; the group stays reapable by its parent. */
    @Test
    void reap_fromTaskOfOtherGroup_throwsNotPermitted(Kernel kernel) throws Exception {
        TaskGroup stranger = idleGroup(kernel, "stranger");
        TaskGroup top = kernel.spawnGroup("top", () -> 13);
        assertThat(ended(top)).isEqualTo(ExitStatus.exited(13));

        assertThat(attempt(stranger, "reaper", top::reap).get()).is(reason(NOT_PERMITTED))
                .asString().contains(String.valueOf(top.id()));

        assertThat(top.state()).isEqualTo(GroupState.ZOMBIE);
        assertThat(top.reap()).isEqualTo(ExitStatus.exited(13));
        end(stranger);
    }

    /** SPEC R2: host code may not reap a group whose parent is not the domain root. */
    @Test
    void reap_fromHostOnNestedGroup_throwsNotPermitted(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        TaskGroup child = spawnChild(parent, "child", () -> 14);
        assertThat(ended(child)).isEqualTo(ExitStatus.exited(14));

        assertThatThrownBy(child::reap).is(reason(NOT_PERMITTED))
                .hasMessageContaining(String.valueOf(child.id()));

        assertThat(child.state()).isEqualTo(GroupState.ZOMBIE);
        assertThat(attempt(parent, "reaper", child::reap).get()).isEqualTo(ExitStatus.exited(14));
        end(parent);
    }
}
