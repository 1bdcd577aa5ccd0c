package org.tasklife.internal.group;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.tasklife.DomainAccessException;
import org.tasklife.SpawnRefusedException;
import org.tasklife.TaskLifeException;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.task.TaskExitSignal;

/**
 * What the bridges to JDK code ({@code org.tasklife.interop}: an {@code ExecutorService} and a
 * {@code ThreadFactory} on tasklife) need of the kernel beyond the API: a task whose thread is handed out
 * unstarted, acting with the authority of the group they were built on, and a task whose failure ends it
 * alone. The {@code TaskGroup} handle lends its unwrapping here once, when its class is initialised (the
 * JDK's {@code SharedSecrets} idiom, as {@code DeterministicAccess} does for the schedule explorer); typed on
 * {@code Object}, so that this layer never names the API.
 */
public final class InteropSupport {
    /*
     * Implementation notes
     *
     * Authority (contract D5, docs/isolation.md): a bridge is built by code that may act on its group's domain
     * (checkMayUse, at build time) and from then on acts with that domain's authority (actFor, spawnAs: the
     * domain's token, as a callback registered with tasklife runs with its registrant's), whoever calls it: a
     * host thread, a task of any domain, a common-pool thread completing a future. It can only spawn into its
     * group and kill what it spawned, so handing a bridge to code hands it that, and nothing else. A killed
     * task spawns nothing through a bridge either (spawnAs refuses it first, as GroupLifecycle does for its
     * own spawns: the spawn itself runs as the domain's code, which is no task).
     */

    private static volatile Function<Object, GroupControlBlock> groups; // lent once by TaskGroup's class init

    private InteropSupport() {}

    /**
     * Called once, by the {@code TaskGroup} handle's class initialiser.
     *
     * @param unwrap the control block of a {@code TaskGroup} handle
     * @throws IllegalStateException if it was lent already
     */
    public static void lend(Function<Object, GroupControlBlock> unwrap) {
        if (groups != null) {
            throw new IllegalStateException("the group unwrapper was lent already");
        }
        groups = Objects.requireNonNull(unwrap, "unwrap");
    }

    private static GroupControlBlock group(Object handle) {
        return groups.apply(Objects.requireNonNull(handle, "group")); // the handle exists: its class lent it
    }

    /**
     * Checks, when a bridge is built on {@code group}, that the calling code may act on the group's domain,
     * and, with {@code unstartedThreads}, that the kernel can hand out unstarted threads (default mode).
     *
     * @param what the operation, for the message
     * @throws DomainAccessException if the caller may not act on the group's domain
     * @throws TaskLifeException ({@code INVALID_OPERATION}) if {@code unstartedThreads} and the kernel runs in
     *     scheduler mode
     */
    public static void checkMayUse(Object group, String what, boolean unstartedThreads) {
        GroupControlBlock g = group(group);
        g.core().authority().checkVisible(g.domain(), what);
        if (unstartedThreads) {
            g.core().lifecycle().checkUnstartedThreads();
        }
    }

    /**
     * Runs {@code action} (a kill, a look-up) with the authority of {@code group}'s domain, whoever calls.
     *
     * @return what {@code action} returned
     */
    public static <T> T actFor(Object group, Supplier<T> action) {
        Object token = group(group).authorityToken();
        Object[] out = new Object[1];
        TaskControlBlock.runAs(token, () -> out[0] = action.get());
        @SuppressWarnings("unchecked")
        T r = (T) out[0];
        return r;
    }

    /**
     * Runs {@code spawn} with the authority of {@code group}'s domain, unless the caller is a killed task.
     *
     * @return what {@code spawn} returned
     * @throws SpawnRefusedException if the caller is a killed task (it spawns nothing, contract P3)
     */
    public static <T> T spawnAs(Object group, Supplier<T> spawn) {
        TaskControlBlock caller = TaskControlBlock.current();
        if (caller != null && caller.isKilled()) {
            throw new SpawnRefusedException("task " + caller.id() + " (" + caller.name() + ") was killed: it spawns nothing");
        }
        return actFor(group, spawn);
    }

    /**
     * Adds a task running {@code body} to {@code group} and returns its thread unstarted (see
     * {@link GroupLifecycle#spawnUnstarted}), acting with the group's domain's authority.
     *
     * @throws SpawnRefusedException if the kernel is closed, the group is exiting, or the caller is a killed task
     * @throws org.tasklife.DomainLimitExceededException if a live task limit of the group's domain is reached
     * @throws TaskLifeException ({@code INVALID_OPERATION}) in scheduler mode
     */
    public static Thread newThread(Object group, String taskName, boolean platform, Callable<?> body) {
        GroupControlBlock g = group(group);
        return spawnAs(group, () -> g.core().lifecycle().spawnUnstarted(g, taskName, platform, body));
    }

    /** Makes a failure of the calling task end it only, whatever its group's policy; nothing outside tasks. */
    public static void failAlone() {
        TaskControlBlock t = TaskControlBlock.current();
        if (t != null) {
            t.markFailsAlone();
        }
    }

    /**
     * Whether the calling task is unwinding: killed, or ending itself ({@code Tasks.exit}, {@code exitGroup}); what
     * it throws then is its unwinding, not a failure. False outside tasks.
     */
    public static boolean callerUnwinding() {
        TaskControlBlock t = TaskControlBlock.current();
        return t != null && !t.bodyMayRun();
    }

    /** Whether {@code e} is the throwable that unwinds a task ending itself ({@code Tasks.exit}, {@code exitGroup}). */
    public static boolean isExitSignal(Throwable e) {
        return e instanceof TaskExitSignal;
    }
}
