/**
 * Killable tasks, task groups and domains for the JVM, on the model of an operating system's threads,
 * processes and containers.
 *
 * <p>A {@link org.tasklife.Kernel} owns everything. {@link org.tasklife.Kernel#spawnGroup} starts a
 * {@link org.tasklife.TaskGroup} (a process) whose main task runs a {@link org.tasklife.GroupMain}; tasks
 * of a group ({@link org.tasklife.Task}, threads) share its fate, its owned resources and one
 * {@link org.tasklife.ExitStatus}. Code running in a task acts on itself through {@link org.tasklife.Tasks}:
 * spawn tasks and child groups, {@code exit}, {@code exitGroup}, {@code sleep}, wait for children, reach a
 * safe point. A {@link org.tasklife.Domain} (a container or tenant) is a tree of groups that can be
 * limited, isolated and stopped as a whole.
 *
 * <p>Which call spawns decides the new group's parent, never who calls it: {@code Kernel.spawnGroup} and
 * {@code Domain.spawnGroup} make a top-level group (of the caller's domain, or of the given one), and
 * {@code Tasks.spawnGroup} makes a child of the calling task's group. Values (options, snapshot rows,
 * reports) name their properties as records do ({@code options.priority()}); the state of a live handle or
 * primitive is asked with {@code isX()} ({@code task.isKilled()}, {@code mutex.isLocked()}).
 *
 * <pre>{@code
 * try (Kernel kernel = Kernel.boot()) {
 *     TaskGroup job = kernel.spawnGroup("job", () -> {
 *         Tasks.own(() -> System.out.println("closed")); // closed exactly once when the task ends
 *         Task<Long> worker = Tasks.spawnTask("sum", () -> 42L);
 *         long v = worker.join();
 *         Tasks.sleep(Duration.ofHours(1));         // a kill ends this wait at once
 *         return 0;                                 // the group's exit code
 *     });
 *     job.kill();                                   // asynchronous; every member dies
 *     ExitStatus status = job.reap();               // Killed; the zombie is gone
 * }
 * }</pre>
 *
 * <h2>The rules, in short</h2>
 * <ul>
 * <li><b>Kill in any state.</b> A kill ends any tasklife wait at once ({@code sleep}, {@code join}, child
 * waits, every primitive of {@link org.tasklife.sync}) with {@link org.tasklife.TaskKilledError}; a running
 * task sees it at its next safe point (any tasklife call, {@link org.tasklife.Tasks#checkpoint()}); a JDK
 * blocking call is interrupted. A task that cannot be stopped (it never reaches a safe point) is reported
 * stuck after a grace period and its resources are closed anyway. {@code kill()} returns {@code true} only
 * for the call that killed.</li>
 * <li><b>Exit order.</b> Task-local destructors, then task-owned resources (in reverse order, exactly once,
 * on the task's own thread), then the status is published; the last task of a group then closes the group's
 * resources, hands its children to a new parent and makes the group a zombie.</li>
 * <li><b>Statuses.</b> {@code Exited(code)}, {@code Killed} or {@code Failed(throwable)}; the first status
 * recorded for a group wins. An uncaught exception fails the whole group unless its
 * {@link org.tasklife.FailurePolicy} says otherwise.</li>
 * <li><b>Reaping.</b> An ended group stays a zombie until its parent reaps it ({@code reap()},
 * {@code waitChild}); orphans go to the nearest child-subreaper or the domain's root, which reaps them;
 * {@code onExit()} observes without reaping.</li>
 * <li><b>Domains.</b> A task sees and acts only on its own domain and those below it; a stopped domain
 * kills everything in it, whatever it is doing, and reports one status.</li>
 * <li><b>Errors.</b> Each misuse or refusal is a {@link org.tasklife.TaskLifeException} whose
 * {@link org.tasklife.TaskLifeException#reason() reason} names the rule and whose message names the
 * argument; a rule that callers handle in their own way also has a subclass to catch
 * ({@link org.tasklife.NoChildException}, {@link org.tasklife.SpawnRefusedException}, ...). Nothing
 * changes when one is thrown. A timeout is a {@code false} or empty result, never an exception.</li>
 * </ul>
 *
 * <p>The full behaviour contract is {@code docs/contract.md} in the tasklife source repository: each rule
 * has an id, such as K8 for stuck tasks or E6 for the exit order, and the javadoc cites those ids as
 * "docs/contract.md, K8".
 */
package org.tasklife;
