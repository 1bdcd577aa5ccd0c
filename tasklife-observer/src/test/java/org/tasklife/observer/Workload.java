package org.tasklife.observer;

import java.time.Duration;
import org.tasklife.Domain;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;

/**
 * A known workload for the observer's tests: kernel "obs", domain "shop" with group "web" (its main and
 * "handler-1" sleep, "handler-2" joins handler-1), and group "batch" of the root domain whose task "cruncher"
 * sleeps. Every task is BLOCKED when the constructor returns.
 */
final class Workload implements AutoCloseable {
    final Kernel kernel = Kernel.builder().name("obs").jmx(false).killGracePeriod(Duration.ofMillis(200)).boot();
    final Domain shop = kernel.createDomain("shop");
    final TaskGroup web = shop.spawnGroup("web", Fixtures::sleepForever);
    final Task<?> handler1 = web.spawnTask("handler-1", Fixtures::sleepForever);
    final Task<?> handler2 = web.spawnTask("handler-2", () -> handler1.join());
    final TaskGroup batch = kernel.spawnGroup("batch", Fixtures::sleepForever);
    final Task<?> cruncher = batch.spawnTask("cruncher", Fixtures::sleepForever);

    Workload() {
        for (Task<?> t : new Task<?>[] {Fixtures.mainOf(kernel, web), handler1, handler2, Fixtures.mainOf(kernel, batch),
            cruncher}) {
            Await.state(t, TaskState.BLOCKED);
        }
    }

    @Override
    public void close() {
        kernel.close();
    }
}
