package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.SpawnRefusedException;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;
import org.tasklife.testkit.KernelExtension;

/**
 * Inheritable task-local keys ({@link TaskLocal#inheritable()}): a task spawned by a task starts with the
 * spawner's value at the spawn (through the key's child-value function, called on the spawning thread), tasks
 * and group main tasks alike; a key that is not inheritable passes nothing; destructors run once per task that
 * holds a value (SPEC §9).
 */
@ExtendWith(KernelExtension.class)
class InheritableTaskLocalTest {

    /** Three levels: a group main sets a value; its task, that task's task and a child group's main all see it. */
    @Test
    void inheritable_threeLevels_eachStartsWithSpawnersValue(Kernel kernel) throws Exception {
        TaskLocal<String> key = TaskLocal.inheritable();
        Map<String, String> seen = new ConcurrentHashMap<>();

        TaskGroup g = kernel.spawnGroup("level1", () -> {
            seen.put("level1-before", String.valueOf(key.get())); // spawned by host code: nothing to inherit
            key.set("trace-7");
            Task<Object> level2 = Tasks.spawnTask("level2", () -> {
                seen.put("level2", String.valueOf(key.get()));
                Task<Object> level3 = Tasks.spawnTask("level3", () -> seen.put("level3", String.valueOf(key.get())));
                level3.join();
                key.set("changed-in-level2"); // the spawner's copy is its own
                return null;
            });
            level2.join();
            TaskGroup child = Tasks.spawnGroup("child", () -> {
                seen.put("child-main", String.valueOf(key.get()));
                return 0;
            });
            child.reap();
            seen.put("level1-after", String.valueOf(key.get()));
            return 0;
        });

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        assertThat(seen).containsOnly(Map.entry("level1-before", "null"), Map.entry("level2", "trace-7"),
                Map.entry("level3", "trace-7"), Map.entry("child-main", "trace-7"), Map.entry("level1-after", "trace-7"));
    }

    /**
     * The child value is computed by the key's function on the spawning task's thread at the spawn, from the value
     * the spawner has then: a later change of the spawner's is not seen.
     */
    @Test
    void childValue_calledOnSpawnerAtSpawn_snapshotNotLive(Kernel kernel) throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        TaskLocal<String> key = TaskLocal.inheritable(v -> {
            calls.add(v + "@" + Thread.currentThread().getName());
            return v + "+";
        });
        TaskGroup home = idleGroup(kernel, "home");

        Object r = attempt(home, "spawner", () -> {
            key.set("a");
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            Task<String> child = Tasks.spawnTask("child", () -> {
                go.await();
                String mine = key.get();
                return mine + "|" + Tasks.spawnTask("grandchild", key::get).join();
            });
            key.set("b"); // after the spawn: the child keeps what it got
            go.countDown();
            return child.join();
        }).get();

        assertThat(r).isEqualTo("a+|a++");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0)).startsWith("a@spawner#");
        assertThat(calls.get(1)).startsWith("a+@child#");
        killAndReap(home);
    }

    /** A key made with the constructors is not inheritable: a spawned task starts without a value. */
    @Test
    void notInheritable_spawnedTask_startsWithout(Kernel kernel) throws Exception {
        TaskLocal<String> plain = new TaskLocal<>();
        assertThat(plain.isInheritable()).isFalse();
        assertThat(TaskLocal.inheritable().isInheritable()).isTrue();
        TaskGroup home = idleGroup(kernel, "home");

        Object r = attempt(home, "spawner", () -> {
            plain.set("mine");
            return String.valueOf(Tasks.spawnTask("child", plain::get).join());
        }).get();

        assertThat(r).isEqualTo("null");
        killAndReap(home);
    }

    /**
     * SPEC §9: destructors run once per task that holds a value: the spawner's and each inheritor's, with its own
     * value; a child value of null, or a value removed before the spawn, gives the child nothing to destroy.
     */
    @Test
    void destructor_runsOncePerTaskHoldingAValue(Kernel kernel) throws Exception {
        List<String> destroyed = new CopyOnWriteArrayList<>();
        TaskLocal<String> key = TaskLocal.inheritable(v -> v.equals("skip") ? null : v + "'", destroyed::add);
        TaskGroup home = idleGroup(kernel, "home");

        Object r = attempt(home, "spawner", () -> {
            key.set("v");
            Task<Object> child = Tasks.spawnTask("child", () -> {
                Tasks.spawnTask("grandchild", () -> null).join();
                return null;
            });
            child.join();
            key.set("skip");
            Task<String> skipped = Tasks.spawnTask("skipped", () -> String.valueOf(key.get()));
            String s = skipped.join();
            key.remove();
            Task<String> removed = Tasks.spawnTask("removed", () -> String.valueOf(key.get()));
            return s + "," + removed.join();
        }).get();

        assertThat(r).isEqualTo("null,null");
        assertThat(destroyed).containsExactlyInAnyOrder("v'", "v''"); // child, grandchild; the spawner removed its own
        killAndReap(home);
    }

    /** SPEC P3: a child-value function that throws refuses the spawn (its cause); nothing is created. */
    @Test
    void childValue_throws_spawnRefusedNothingCreated(Kernel kernel) throws Exception {
        IllegalArgumentException boom = new IllegalArgumentException("no copy");
        TaskLocal<String> key = TaskLocal.inheritable(v -> {
            throw boom;
        });
        TaskGroup home = idleGroup(kernel, "home");

        Object r = attempt(home, "spawner", () -> {
            key.set("v");
            long before = Tasks.currentGroup().liveTaskCount();
            try {
                Tasks.spawnTask("refused", () -> null);
                return "spawned";
            } catch (SpawnRefusedException e) {
                return e.getCause() == boom && e.getMessage().contains("'refused'")
                        && Tasks.currentGroup().liveTaskCount() == before ? "refused" : "wrong: " + e;
            }
        }).get();

        assertThat(r).isEqualTo("refused");
        killAndReap(home);
    }

    /** Inherited values are set before the spawn decorator's Runnable runs, so it can read them in the task. */
    @Test
    void inheritable_withSpawnDecorator_setBeforeDecoratorRuns() throws Exception {
        TaskLocal<String> key = TaskLocal.inheritable();
        List<String> seenByDecorator = new CopyOnWriteArrayList<>();
        Kernel kernel = Kernel.builder().name("inherit-decorated").jmx(false).spawnDecorator(body -> () -> {
            seenByDecorator.add(String.valueOf(key.get()));
            body.run();
        }).boot();
        try {
            TaskGroup g = kernel.spawnGroup("main", () -> {
                key.set("ctx");
                return Tasks.spawnTask("child", key::get).join().equals("ctx") ? 0 : 1;
            });
            assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
            assertThat(seenByDecorator).containsExactly("null", "ctx");
        } finally {
            KernelExtension.audit(kernel);
            kernel.close();
        }
    }

    /** A task spawned by a task into another group, or as a top-level group, inherits from the spawning task too. */
    @Test
    void inheritable_spawnIntoOtherGroupOrTopLevel_inheritsFromSpawner(Kernel kernel) throws Exception {
        TaskLocal<String> key = TaskLocal.inheritable(Function.identity());
        TaskGroup other = idleGroup(kernel, "other");
        TaskGroup home = idleGroup(kernel, "home");
        CompletableFuture<String> inOther = new CompletableFuture<>();
        CompletableFuture<String> inTop = new CompletableFuture<>();

        Object r = attempt(home, "spawner", () -> {
            key.set("x");
            other.spawnTask("there", () -> inOther.complete(String.valueOf(key.get())));
            return kernel.spawnGroup("top", () -> inTop.complete(String.valueOf(key.get())) ? 0 : 1);
        }).get();

        assertThat(get(inOther)).isEqualTo("x");
        assertThat(get(inTop)).isEqualTo("x");
        assertThat(((TaskGroup) r).reap()).isEqualTo(ExitStatus.exited(0));
        killAndReap(home);
        killAndReap(other);
    }

    /** Bad input: a null child-value function is refused with an NPE naming it. */
    @Test
    void inheritable_nullArguments_throwNpeNamingThem() {
        assertThatThrownBy(() -> TaskLocal.inheritable(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("childValue");
        assertThatThrownBy(() -> TaskLocal.<String>inheritable(v -> v, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("destructor");
    }
}
