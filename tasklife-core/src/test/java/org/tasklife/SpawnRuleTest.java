package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.NOT_IN_TASK;
import static org.tasklife.testkit.Reasons.reason;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * SPEC P1: which call spawns decides a new group's parent, never who calls it. {@code Kernel.spawnGroup} and
 * {@code Domain.spawnGroup} make a top-level group (its parent a domain root: of the caller's domain, or of
 * the given one); {@code Tasks.spawnGroup} makes a child of the calling task's group.
 */
@ExtendWith(KernelExtension.class)
class SpawnRuleTest {

    /** Kernel.spawnGroup from host code makes a top-level group of the root domain. */
    @Test
    void kernelSpawnGroup_fromHost_topLevelGroupOfTheRootDomain(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("top", Fixtures::sleepForever);

        assertThat(g.parentId()).isEqualTo(kernel.rootDomain().id());
        assertThat(g.domain()).isEqualTo(kernel.rootDomain());
        Fixtures.killAndReap(g);
    }

    /**
     * Kernel.spawnGroup from a task makes a top-level group of the task's own domain, as from host code: not a
     * child of the caller's group, which therefore has no child to wait for, while its domain's root does.
     */
    @Test
    void kernelSpawnGroup_fromTask_topLevelGroupOfTheTasksDomain_notAChild(Kernel kernel) throws Exception {
        Domain shop = kernel.createDomain("shop");
        CompletableFuture<TaskGroup> spawned = new CompletableFuture<>();
        CompletableFuture<Throwable> callersWait = new CompletableFuture<>();
        TaskGroup caller = shop.spawnGroup("caller", () -> {
            spawned.complete(kernel.spawnGroup("sibling", Fixtures::sleepForever));
            try {
                Tasks.waitChild(ChildSelector.any(), WaitOption.NO_HANG);
                callersWait.complete(null);
            } catch (NoChildException e) {
                callersWait.complete(e);
            }
            return 0;
        });
        TaskGroup sibling = Fixtures.get(spawned);

        assertThat(sibling.parentId()).isEqualTo(shop.id()).isNotEqualTo(caller.id());
        assertThat(sibling.domain()).isEqualTo(shop);
        assertThat(Fixtures.get(callersWait)).isInstanceOf(NoChildException.class);
        assertThat(Fixtures.ended(caller)).isEqualTo(ExitStatus.exited(0));
        assertThat(sibling.state()).as("the caller's end does not touch it").isEqualTo(GroupState.ALIVE);
        sibling.kill();
        assertThat(Fixtures.ended(sibling)).isEqualTo(ExitStatus.KILLED);
        assertThat(shop.waitChild(ChildSelector.group(sibling.id()))).get().extracting(ChildExit::groupId)
                .isEqualTo(sibling.id());
        caller.reap();
    }

    /** Tasks.spawnGroup makes a child of the calling task's group, which waits for it. */
    @Test
    void tasksSpawnGroup_childOfTheCallersGroup(Kernel kernel) throws Exception {
        CompletableFuture<Long> childParent = new CompletableFuture<>();
        TaskGroup parent = kernel.spawnGroup("parent", () -> {
            TaskGroup child = Tasks.spawnGroup("child", () -> 5);
            childParent.complete(child.parentId());
            return Tasks.waitChild(ChildSelector.group(child.id())).orElseThrow().status() instanceof ExitStatus.Exited e
                    ? e.code() : -1;
        });

        assertThat(Fixtures.get(childParent)).isEqualTo(parent.id());
        assertThat(Fixtures.ended(parent)).isEqualTo(ExitStatus.exited(5));
        parent.reap();
    }

    /** Domain.spawnGroup from a task of a domain above makes a top-level group of the named domain. */
    @Test
    void domainSpawnGroup_fromTaskAbove_topLevelGroupOfThatDomain(Kernel kernel) throws Exception {
        Domain shop = kernel.createDomain("shop");
        CompletableFuture<Domain> cart = new CompletableFuture<>();
        CompletableFuture<TaskGroup> spawned = new CompletableFuture<>();
        TaskGroup caller = shop.spawnGroup("caller", () -> {
            Domain c = Tasks.currentDomain().createDomain(DomainOptions.named("cart"));
            cart.complete(c);
            spawned.complete(c.spawnGroup("basket", Fixtures::sleepForever));
            return 0;
        });
        TaskGroup basket = Fixtures.get(spawned);

        assertThat(basket.parentId()).isEqualTo(Fixtures.get(cart).id());
        assertThat(basket.domain()).isEqualTo(Fixtures.get(cart));
        assertThat(Fixtures.ended(caller)).isEqualTo(ExitStatus.exited(0));
        caller.reap();
        Fixtures.killAndReap(basket);
    }

    /** Tasks.spawnGroup outside a task has no caller's group: refused, nothing spawned. */
    @Test
    void tasksSpawnGroup_fromHost_refused(Kernel kernel) {
        assertThatThrownBy(() -> Tasks.spawnGroup("orphan", () -> 0)).is(reason(NOT_IN_TASK));
        assertThat(kernel.liveTaskCount()).isZero();
    }
}
