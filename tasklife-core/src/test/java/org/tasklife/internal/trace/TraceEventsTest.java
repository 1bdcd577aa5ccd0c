package org.tasklife.internal.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tasklife.Domain;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;

/**
 * The kernel's JFR events (issue 6): each appears with its fields. Every test closes its kernel (which
 * waits until no task is live, after every hook ran) before it stops the recording, so no event is late.
 */
class TraceEventsTest {
    private static final String[] EVENTS = {"org.tasklife.TaskSpawn", "org.tasklife.TaskExit", "org.tasklife.TaskKill",
        "org.tasklife.StuckTask", "org.tasklife.DomainStop"};

    @TempDir
    Path dir;

    private interface Body {
        void run(Kernel k) throws Exception;
    }

    private List<RecordedEvent> record(Kernel.Builder builder, Body body) throws Exception {
        Path file = dir.resolve("tasklife.jfr");
        try (Recording r = new Recording()) {
            for (String e : EVENTS) {
                r.enable(e).withoutThreshold();
            }
            r.start();
            Kernel k = builder.boot();
            try {
                body.run(k);
            } finally {
                assertThat(k.close(Await.scaled(Duration.ofSeconds(5))).isClean()).isTrue();
            }
            r.stop();
            r.dump(file);
        }
        assertThat(Files.size(file)).isPositive();
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("org.tasklife.")).toList();
    }

    private static List<RecordedEvent> ofType(List<RecordedEvent> events, String type, long taskId) {
        return events.stream().filter(e -> e.getEventType().getName().equals(type))
                .filter(e -> taskId < 0 || e.getLong(type.endsWith("DomainStop") ? "domainId" : "taskId") == taskId)
                .toList();
    }

    /** Spawn, kill and exit of a task blocked in sleep: spawn names it, kill carries latency, exit says Killed. */
    @Test
    void killOfSleepingTask_recordsSpawnKillWithLatencyAndExitKilled() throws Exception {
        long[] ids = new long[2];
        List<RecordedEvent> events = record(Kernel.builder().name("jfr-kill"), k -> {
            TaskGroup g = k.spawnGroup("sleepy", () -> {
                Task<?> w = Tasks.spawnTask("worker", () -> 7);
                w.join();
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            });
            ids[0] = g.id();
            Task<?> main = Fixtures.mainOf(k, g);
            // BLOCKED alone may still be the join: wait for the sleep, whose channel the kill event records
            Await.until("main asleep", () -> k.snapshot().tasks().stream()
                    .anyMatch(r -> r.id() == main.id() && r.waitChannel().startsWith("sleep")));
            assertThat(main.kill()).isTrue();
            assertThat(Fixtures.ended(main)).isEqualTo(ExitStatus.KILLED);
            Fixtures.ended(g);
            g.reap();
        });
        long gid = ids[0];

        RecordedEvent spawn = ofType(events, "org.tasklife.TaskSpawn", gid).get(0);
        assertThat(spawn.getString("kernel")).isEqualTo("jfr-kill");
        assertThat(spawn.getString("taskName")).isEqualTo("sleepy");
        assertThat(spawn.getLong("groupId")).isEqualTo(gid);
        assertThat(spawn.getBoolean("main")).isTrue();
        assertThat(spawn.getBoolean("virtual")).isTrue();
        assertThat(spawn.getString("domain")).isEqualTo("root");

        RecordedEvent worker = events.stream().filter(e -> e.getEventType().getName().equals("org.tasklife.TaskExit"))
                .filter(e -> e.getString("taskName").equals("worker")).findFirst().orElseThrow();
        assertThat(worker.getString("status")).isEqualTo("Exited(0)");
        assertThat(worker.getBoolean("killed")).isFalse();

        RecordedEvent kill = ofType(events, "org.tasklife.TaskKill", gid).get(0);
        assertThat(kill.getString("waitChannel")).isNotEmpty();
        assertThat(kill.getLong("latency")).isPositive();
        assertThat(kill.getDuration().toNanos()).isPositive();

        RecordedEvent exit = ofType(events, "org.tasklife.TaskExit", gid).get(0);
        assertThat(exit.getString("status")).isEqualTo("Killed");
        assertThat(exit.getBoolean("killed")).isTrue();
    }

    /** A domain stop records the status, the task count when it began, and its duration. */
    @Test
    void domainStop_recordsStatusTaskCountAndDuration() throws Exception {
        long[] id = new long[1];
        List<RecordedEvent> events = record(Kernel.builder().name("jfr-stop"), k -> {
            Domain d = k.createDomain("tenant");
            id[0] = d.id();
            for (int i = 0; i < 5; i++) {
                d.spawnGroup("g" + i, Fixtures::sleepForever);
            }
            Await.until("5 blocked", () -> k.snapshot().tasks().stream().filter(t -> t.state() == TaskState.BLOCKED)
                    .count() == 5);
            d.stop(9);
            assertThat(Fixtures.get(d.onStopped())).isEqualTo(ExitStatus.exited(9));
        });

        List<RecordedEvent> stops = ofType(events, "org.tasklife.DomainStop", id[0]);
        assertThat(stops).hasSize(1);
        RecordedEvent stop = stops.get(0);
        assertThat(stop.getString("domain")).isEqualTo("tenant");
        assertThat(stop.getString("status")).isEqualTo("Exited(9)");
        assertThat(stop.getLong("taskCount")).isEqualTo(5);
        assertThat(stop.getDuration().toNanos()).isPositive();
        assertThat(ofType(events, "org.tasklife.TaskExit", -1)).filteredOn(e -> e.getString("status").equals("Killed"))
                .hasSize(5);
        assertThat(ofType(events, "org.tasklife.TaskKill", -1)).isEmpty(); // a stop is not a per-task kill
    }

    /** A killed task that does not unwind within the grace period is recorded stuck, with its stack. */
    @Test
    void stuckTask_isRecordedWithStack() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        long[] id = new long[1];
        List<RecordedEvent> events = record(Kernel.builder().name("jfr-stuck").killGracePeriod(Duration.ofMillis(20)), k -> {
            TaskGroup g = k.spawnGroup("spinner", () -> {
                while (!release.get()) {
                    Thread.onSpinWait(); // never reaches a tasklife call: unkillable (SPEC §13)
                }
                return 0;
            });
            id[0] = g.id();
            Await.state(Fixtures.mainOf(k, g), TaskState.RUNNING);
            g.kill();
            Await.until("stuck report", () -> !k.stuckTasks().isEmpty());
            release.set(true);
            assertThat(Fixtures.ended(g)).isEqualTo(ExitStatus.KILLED);
            g.reap();
        });

        RecordedEvent stuck = ofType(events, "org.tasklife.StuckTask", id[0]).get(0);
        assertThat(stuck.getString("taskName")).isEqualTo("spinner");
        assertThat(stuck.getString("state")).isEqualTo("RUNNING");
        assertThat(stuck.getString("stack")).contains("TraceEventsTest");
    }

    /** With no recording, hooks record nothing and leave no entry behind. */
    @Test
    void withoutRecording_killLeavesNoPendingEvent() throws Exception {
        try (Kernel k = Kernel.builder().name("jfr-off").boot()) {
            TaskGroup g = k.spawnGroup("x", Fixtures::sleepForever);
            Await.state(Fixtures.mainOf(k, g), TaskState.BLOCKED);
            k.kill(g.id());
            Fixtures.ended(g);
            g.reap();
            assertThat(Trace.pendingCount()).isZero();
        }
    }
}
