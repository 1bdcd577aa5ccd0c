package org.tasklife.internal.trace;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.tasklife.ExitStatus;
import org.tasklife.StuckTaskReport;

/**
 * The kernel's JFR hooks: one static call at each place where a traced thing happens, given ids, names and
 * values (never a control block: this package knows no layer of the kernel). While no recording enables an
 * event, a hook costs an allocation that escape analysis removes and one check of the event's enabled flag.
 */
public final class Trace {
    /*
     * Implementation notes
     *
     * Overview: instant events (spawn, exit, stuck) are built and committed in the hook. The two duration
     * events (kill, domain stop) begin at the act and are committed where it completes (the task's exit,
     * the domain's STOPPED transition); in between the begun event waits in a map keyed by the task's or
     * domain's identity (an object the caller passes and this class never reads), entered only while the
     * event is enabled. The control blocks get no field for tracing, so
     * tracing costs no memory per task.
     *
     * Concurrency: a begun event is handed from the killer's (stopper's) thread to the completing thread
     * through the ConcurrentHashMap, which orders its field writes before the commit. A domain stop enters
     * its event under the topology lock, before any task is killed, so the domain cannot stop before the
     * event is in the map.
     *
     * Known limits: a kill or stop whose recording begins after the act is not recorded; group kills and
     * domain stops record no TaskKill per task (their tasks' TaskExit events say Killed). An entry stays in
     * the map for a task that never ends (a stuck task) or a root domain whose kernel closed with stuck
     * tasks.
     */

    private static final ConcurrentHashMap<Object, TaskKillEvent> KILLS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Object, DomainStopEvent> STOPS = new ConcurrentHashMap<>();

    private Trace() {}

    /** A task's thread was started (a main task's id is its group's). */
    public static void taskSpawned(String kernel, long taskId, String taskName, long groupId, String domain,
            boolean virtual) {
        TaskSpawnEvent e = new TaskSpawnEvent();
        if (e.shouldCommit()) {
            e.kernel = kernel;
            e.taskId = taskId;
            e.taskName = taskName;
            e.groupId = groupId;
            e.domain = domain;
            e.main = groupId == taskId;
            e.virtual = virtual;
            e.commit();
        }
    }

    /**
     * Called just before a task kill: begins a kill event if it is enabled.
     *
     * @param waitChannel the task's wait channel, read before the kill ends the wait (rendered only if recording)
     * @return the begun event (to pass to {@link #taskKilled}), or {@code null}
     */
    public static Object beforeKill(Object waitChannel) {
        TaskKillEvent e = new TaskKillEvent();
        if (!e.isEnabled()) {
            return null;
        }
        e.begin();
        e.killedAtNanos = System.nanoTime();
        e.waitChannel = waitChannel == null ? "" : waitChannel.toString();
        return e;
    }

    /**
     * The task with identity {@code task} was just killed by a task kill (not a group kill or domain stop).
     *
     * @param begun what {@link #beforeKill} returned; nothing happens if it is {@code null}
     * @param ended whether the task has published its exit (read after the event is entered)
     */
    public static void taskKilled(String kernel, Object task, long taskId, String taskName, long groupId, Object begun,
            BooleanSupplier ended) {
        if (begun instanceof TaskKillEvent e) {
            e.kernel = kernel;
            e.taskId = taskId;
            e.taskName = taskName;
            e.groupId = groupId;
            KILLS.put(task, e);
            if (ended.getAsBoolean() && KILLS.remove(task, e)) {
                endKill(e); // it ended before the put: its exit missed the entry (Dekker with taskExited)
            }
        }
    }

    private static void endKill(TaskKillEvent k) {
        k.end();
        k.latency = System.nanoTime() - k.killedAtNanos;
        k.commit();
    }

    /**
     * The task with identity {@code task} published its exit status; ends its kill event, if any. Runs on the
     * task's own thread, after the publication (TERMINATED), which is what lets {@link #taskKilled} close the
     * race with it.
     */
    public static void taskExited(String kernel, Object task, long taskId, String taskName, long groupId,
            ExitStatus status, boolean killed, long cpuNanos) {
        TaskKillEvent k = KILLS.isEmpty() ? null : KILLS.remove(task);
        if (k != null) {
            endKill(k);
        }
        TaskExitEvent e = new TaskExitEvent();
        if (e.shouldCommit()) {
            e.kernel = kernel;
            e.taskId = taskId;
            e.taskName = taskName;
            e.groupId = groupId;
            e.status = status.toString();
            e.killed = killed;
            e.cpuTime = cpuNanos;
            e.commit();
        }
    }

    /** The reaper reported a stuck task (SPEC K8). */
    public static void taskStuck(String kernel, StuckTaskReport r) {
        StuckTaskEvent e = new StuckTaskEvent();
        if (e.shouldCommit()) {
            e.kernel = kernel;
            e.taskId = r.taskId();
            e.taskName = r.name();
            e.groupId = r.groupId();
            e.state = r.state().name();
            e.waitChannel = r.waitChannel();
            StringBuilder sb = new StringBuilder();
            for (StackTraceElement f : r.stack()) {
                sb.append(f).append('\n');
            }
            e.stack = sb.toString();
            e.commit();
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
        DomainStopEvent e = new DomainStopEvent();
        if (e.isEnabled()) {
            e.begin();
            e.kernel = kernel;
            e.domainId = domainId;
            e.domain = domainName;
            e.status = status.toString();
            e.taskCount = liveTasks;
            STOPS.put(domain, e);
        }
    }

    /** The domain with identity {@code domain} has stopped; ends its stop event, if any. */
    public static void domainStopped(Object domain) {
        DomainStopEvent e = STOPS.isEmpty() ? null : STOPS.remove(domain);
        if (e != null) {
            e.commit();
        }
    }

    /** Begun kill and stop events not yet committed (tests: none is left behind). */
    static int pendingCount() {
        return KILLS.size() + STOPS.size();
    }
}
