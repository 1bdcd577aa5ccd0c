package org.tasklife.internal.trace;

import java.util.function.BooleanSupplier;
import org.tasklife.ExitStatus;
import org.tasklife.StuckTaskReport;

/**
 * The kernel's JFR hooks: one static call at each place where a traced thing happens, given ids, names and
 * values (never a control block: this package knows no layer of the kernel). While no recording
 * enables an event, a hook costs an allocation that escape analysis removes and one check of the event's
 * enabled flag. Where {@code jdk.jfr} is absent (a runtime image without it, or a module graph that does not
 * resolve it: the module requires it only statically) every hook returns at once and no event class is
 * loaded.
 */
public final class Trace {
    /*
     * Implementation notes
     *
     * Overview: instant events (spawn, exit, stuck) are built and committed in the hook. The two duration
     * events (kill, domain stop) begin at the act and are committed where it completes (the task's exit,
     * the domain's STOPPED transition); in between the begun event waits in a map keyed by the task's or
     * domain's identity (an object the caller passes and this package never reads), entered only while the
     * event is enabled. The control blocks get no field for tracing, so
     * tracing costs no memory per task.
     *
     * Concurrency: a begun event is handed from the killer's (stopper's) thread to the completing thread
     * through the ConcurrentHashMap, which orders its field writes before the commit. A domain stop enters
     * its event under the topology lock, before any task is killed, so the domain cannot stop before the
     * event is in the map.
     *
     * Kills: every kill records one TaskKill per task it killed (a task kill, a group kill or exitGroup, a
     * domain stop, a deadline, an expired grace), not one per batch: `jfr print --events org.tasklife.TaskKill`
     * then shows each victim's wait channel and latency, as it does for a task kill, and the batch's size is a
     * field of each. The killer's side is in KillBatch (reap), which asks isKillTraced() once per batch: while
     * no recording runs, a mass kill of any size pays one enabled-flag check. While one runs, it pays one
     * event and one map entry per victim.
     *
     * Known limits: a kill or stop whose recording begins after the act is not recorded. An entry stays in
     * the map for a task that never ends (a stuck task) or a root domain whose kernel closed with stuck
     * tasks.
     *
     * JFR optional: module-info says `requires static jdk.jfr`, so the module resolves without it. Every
     * name of a jdk.jfr type (the event classes, their use) is in JfrTrace and the event classes; this
     * class only tests JFR (a constant the JIT folds) and calls JfrTrace, whose class is loaded at its
     * first call. On the class path jdk.jfr is there whenever the runtime image has it; on the module path
     * too in a full JDK (java.management's service binding resolves jdk.management.jfr, which requires it),
     * and with `--add-modules jdk.jfr` in a smaller graph.
     */

    /** Whether jdk.jfr is present and readable by this module: then, and only then, JfrTrace is used. */
    private static final boolean JFR = jfrPresent();

    private Trace() {}

    private static boolean jfrPresent() {
        try {
            Class<?> event = Class.forName("jdk.jfr.Event", false, Trace.class.getClassLoader());
            return Trace.class.getModule().canRead(event.getModule());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Whether the JFR hooks are live: {@code jdk.jfr} is present and this module reads it. */
    public static boolean isJfrPresent() {
        return JFR;
    }

    /** A task's thread was started (a main task's id is its group's). */
    public static void taskSpawned(String kernel, long taskId, String taskName, long groupId, String domain,
            boolean virtual) {
        if (JFR) {
            JfrTrace.taskSpawned(kernel, taskId, taskName, groupId, domain, virtual);
        }
    }

    /**
     * Whether a recording enables the kill event: the one check a kill makes while none does (a batch of
     * any size asks once, then {@link #beforeKill} for each victim only if this said yes).
     */
    public static boolean isKillTraced() {
        return JFR && JfrTrace.isKillTraced();
    }

    /**
     * Called just before a task is killed (its KILLED flag set, or it is woken): begins a kill event if it is
     * enabled.
     *
     * @param waitChannel the text of the task's wait channel, read before the kill ends the wait (the caller renders it
     *     only while {@link #isKillTraced()}), or {@code ""}
     * @return the begun event (to pass to {@link #taskKilled}), or {@code null}
     */
    public static Object beforeKill(String waitChannel) {
        return JFR ? JfrTrace.beforeKill(waitChannel) : null;
    }

    /**
     * The task with identity {@code task} was just killed (by a task kill, a group kill or a domain stop),
     * on the killer's thread.
     *
     * @param begun what {@link #beforeKill} returned; nothing happens if it is {@code null}
     * @param killerTaskId the id of the task that killed it, or 0 if the killer is no task (a host thread,
     *     the kernel's timer)
     * @param killerName the killing task's name, or the host thread's name if {@code killerTaskId} is 0
     * @param reason the kill's reason ({@code KILL}, {@code DEADLINE}, {@code GRACE_EXPIRED})
     * @param batchSize how many tasks the same act killed (1 for a task kill)
     * @param ended whether the task has published its exit (asked after the event is entered)
     */
    public static void taskKilled(String kernel, Object task, long taskId, String taskName, long groupId, Object begun,
            long killerTaskId, String killerName, String reason, int batchSize, BooleanSupplier ended) {
        if (begun != null) { // non-null only from JfrTrace.beforeKill
            JfrTrace.taskKilled(kernel, task, taskId, taskName, groupId, begun, killerTaskId, killerName, reason,
                    batchSize, ended);
        }
    }

    /**
     * The task with identity {@code task} published its exit status; ends its kill event, if any. Runs on the
     * task's own thread, after the publication (TERMINATED), which is what lets {@link #taskKilled} close the
     * race with it.
     */
    public static void taskExited(String kernel, Object task, long taskId, String taskName, long groupId,
            ExitStatus status, boolean killed, long cpuNanos) {
        if (JFR) {
            JfrTrace.taskExited(kernel, task, taskId, taskName, groupId, status, killed, cpuNanos);
        }
    }

    /** The reaper reported a stuck task. */
    public static void taskStuck(String kernel, StuckTaskReport r) {
        if (JFR) {
            JfrTrace.taskStuck(kernel, r);
        }
    }

    /**
     * A stop of the domain with identity {@code domain} recorded its status; topology lock held, no task killed
     * yet.
     *
     * @param liveTasks the domain's live tasks now
     */
    public static void domainStopBegun(String kernel, Object domain, long domainId, String domainName,
            ExitStatus status, long liveTasks) {
        if (JFR) {
            JfrTrace.domainStopBegun(kernel, domain, domainId, domainName, status, liveTasks);
        }
    }

    /** The domain with identity {@code domain} has stopped; ends its stop event, if any. */
    public static void domainStopped(Object domain) {
        if (JFR) {
            JfrTrace.domainStopped(domain);
        }
    }

    /** Begun kill and stop events not yet committed (tests: none is left behind). */
    static int pendingCount() {
        return JFR ? JfrTrace.pendingCount() : 0;
    }
}
