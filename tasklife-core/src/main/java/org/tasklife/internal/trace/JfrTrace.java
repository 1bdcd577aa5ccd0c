package org.tasklife.internal.trace;

import java.util.concurrent.ConcurrentHashMap;
import org.tasklife.ExitStatus;
import org.tasklife.StuckTaskReport;
import org.tasklife.internal.domain.DomainControlBlock;
import org.tasklife.internal.group.GroupControlBlock;
import org.tasklife.internal.task.TaskControlBlock;

/**
 * The JFR side of {@link Trace}: the only class besides the event classes that names {@code jdk.jfr} types.
 * {@link Trace} calls it only when {@code jdk.jfr} is present, so neither it nor an event class is loaded
 * otherwise.
 */
final class JfrTrace {
    /* Implementation notes: see Trace (Overview, Concurrency, Known limits). */

    private static final ConcurrentHashMap<TaskControlBlock, TaskKillEvent> KILLS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<DomainControlBlock, DomainStopEvent> STOPS = new ConcurrentHashMap<>();

    private JfrTrace() {}

    /** A task's thread was started. */
    static void taskSpawned(String kernel, TaskControlBlock t, GroupControlBlock g) {
        TaskSpawnEvent e = new TaskSpawnEvent();
        if (e.shouldCommit()) {
            e.kernel = kernel;
            e.taskId = t.id();
            e.taskName = t.name();
            e.groupId = g.id();
            e.domain = g.domain().name();
            e.main = g.id() == t.id();
            e.virtual = !t.isPlatform();
            e.commit();
        }
    }

    /**
     * Called just before a task kill: begins a kill event if it is enabled.
     *
     * @return the begun event (to pass to {@link #taskKilled}), or {@code null}
     */
    static Object beforeKill(TaskControlBlock t) {
        TaskKillEvent e = new TaskKillEvent();
        if (!e.isEnabled()) {
            return null;
        }
        e.begin();
        e.killedAtNanos = System.nanoTime();
        Object ch = t.waitChannel(); // before the kill, which ends the wait
        e.waitChannel = ch == null ? "" : ch.toString();
        return e;
    }

    /** {@code t} was just killed by a task kill (not a group kill or domain stop). */
    static void taskKilled(String kernel, TaskControlBlock t, GroupControlBlock g, Object begun) {
        if (begun instanceof TaskKillEvent e) {
            e.kernel = kernel;
            e.taskId = t.id();
            e.taskName = t.name();
            e.groupId = g.id();
            KILLS.put(t, e);
            if (t.isTerminated() && KILLS.remove(t, e)) {
                endKill(e); // it ended before the put: its exit missed the entry (see setGraceTimer, same race)
            }
        }
    }

    private static void endKill(TaskKillEvent k) {
        k.end();
        k.latency = System.nanoTime() - k.killedAtNanos;
        k.commit();
    }

    /**
     * {@code t} published its exit status; ends its kill event, if any. Runs on the task's own thread, after
     * the publication (TERMINATED), which is what lets {@link #taskKilled} close the race with it.
     */
    static void taskExited(String kernel, TaskControlBlock t, GroupControlBlock g, ExitStatus status) {
        TaskKillEvent k = KILLS.isEmpty() ? null : KILLS.remove(t);
        if (k != null) {
            endKill(k);
        }
        TaskExitEvent e = new TaskExitEvent();
        if (e.shouldCommit()) {
            e.kernel = kernel;
            e.taskId = t.id();
            e.taskName = t.name();
            e.groupId = g.id();
            e.status = status.toString();
            e.killed = t.isKilled();
            e.cpuTime = t.cpuTimeNanos();
            e.commit();
        }
    }

    /** The reaper reported a stuck task (SPEC K8). */
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

    /** A stop of {@code d} recorded its status; topology lock held, no task killed yet. */
    static void domainStopBegun(String kernel, DomainControlBlock d, ExitStatus status) {
        DomainStopEvent e = new DomainStopEvent();
        if (e.isEnabled()) {
            e.begin();
            e.kernel = kernel;
            e.domainId = d.id();
            e.domain = d.name();
            e.status = status.toString();
            e.taskCount = d.liveTasks();
            STOPS.put(d, e);
        }
    }

    /** {@code d} has stopped; ends its stop event, if any. */
    static void domainStopped(DomainControlBlock d) {
        DomainStopEvent e = STOPS.isEmpty() ? null : STOPS.remove(d);
        if (e != null) {
            e.commit();
        }
    }

    /** Begun kill and stop events not yet committed (tests: none is left behind). */
    static int pendingCount() {
        return KILLS.size() + STOPS.size();
    }
}
