package org.tasklife.internal.trace;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.tasklife.ExitStatus;
import org.tasklife.StuckTaskReport;

/**
 * The JFR side of {@link Trace}: the only class besides the event classes that names {@code jdk.jfr} types.
 * {@link Trace} calls it only when {@code jdk.jfr} is present, so neither it nor an event class is loaded
 * otherwise.
 */
final class JfrTrace {
    /* Implementation notes: see Trace (Overview, Concurrency, Known limits). */

    private static final ConcurrentHashMap<Object, TaskKillEvent> KILLS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Object, DomainStopEvent> STOPS = new ConcurrentHashMap<>();

    private JfrTrace() {}

    /** A task's thread was started (a main task's id is its group's). */
    static void taskSpawned(String kernel, long taskId, String taskName, long groupId, String domain,
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

    /** Whether a recording enables the kill event (one flag check; the event escapes nowhere). */
    static boolean isKillTraced() {
        return new TaskKillEvent().isEnabled();
    }

    /**
     * Called just before a task kill: begins a kill event if it is enabled.
     *
     * @param waitChannel the text of the task's wait channel, read before the kill ends the wait
     * @return the begun event (to pass to {@link #taskKilled}), or {@code null}
     */
    static Object beforeKill(String waitChannel) {
        TaskKillEvent e = new TaskKillEvent();
        if (!e.isEnabled()) {
            return null;
        }
        e.begin();
        e.killedAtNanos = System.nanoTime();
        e.waitChannel = waitChannel == null ? "" : waitChannel;
        return e;
    }

    /**
     * The task with identity {@code task} was just killed, on the killer's thread (see {@link Trace#taskKilled}).
     *
     * @param begun what {@link #beforeKill} returned; nothing happens if it is {@code null}
     * @param ended whether the task has published its exit (read after the event is entered)
     */
    static void taskKilled(String kernel, Object task, long taskId, String taskName, long groupId, Object begun,
            long killerTaskId, String killerName, String reason, int batchSize, BooleanSupplier ended) {
        if (begun instanceof TaskKillEvent e) {
            e.kernel = kernel;
            e.taskId = taskId;
            e.taskName = taskName;
            e.groupId = groupId;
            e.killerTaskId = killerTaskId;
            e.killerName = killerName;
            e.reason = reason;
            e.batchSize = batchSize;
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
    static void taskExited(String kernel, Object task, long taskId, String taskName, long groupId,
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

    /** The reaper reported a stuck task (contract K8). */
    static void taskStuck(String kernel, StuckTaskReport r) {
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
    static void domainStopBegun(String kernel, Object domain, long domainId, String domainName,
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
    static void domainStopped(Object domain) {
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
