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
import org.tasklife.SpawnOptions;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.sync.Mutex;
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

    /** Waits until {@code members} tasks of {@code g} are BLOCKED, kills the group, waits for its end and reaps it. */
    private static void killOnceBlocked(Kernel k, TaskGroup g, int members) throws Exception {
        Await.until(members + " blocked", () -> k.snapshot().tasks().stream()
                .filter(t -> t.groupId() == g.id() && t.state() == TaskState.BLOCKED).count() == members);
        assertThat(g.kill()).isTrue();
        assertThat(Fixtures.ended(g)).isEqualTo(ExitStatus.KILLED);
        g.reap();
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
        assertThat(kill.getLong("killerTaskId")).isZero(); // the test's thread is no task
        assertThat(kill.getString("killerName")).isEqualTo(Thread.currentThread().getName());
        assertThat(kill.getString("reason")).isEqualTo("KILL");
        assertThat(kill.getLong("batchSize")).isEqualTo(1);
        assertThat(kill.getThread().getJavaName()).isEqualTo("sleepy#" + gid); // asleep until woken: commits its own

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
        List<RecordedEvent> kills = ofType(events, "org.tasklife.TaskKill", -1);
        assertThat(kills).hasSize(5); // one per task the stop killed
        String host = Thread.currentThread().getName();
        assertThat(kills).allSatisfy(e -> {
            assertThat(e.getLong("killerTaskId")).isZero();
            assertThat(e.getString("killerName")).isEqualTo(host);
            assertThat(e.getString("reason")).isEqualTo("KILL");
            assertThat(e.getLong("batchSize")).isEqualTo(5);
            assertThat(e.getString("waitChannel")).startsWith("sleep");
        });
        assertThat(kills).extracting(e -> e.getString("taskName")).containsExactlyInAnyOrder("g0", "g1", "g2", "g3",
                "g4");
    }

    /** A group kill of N tasks from a host thread records N TaskKill events naming the host thread. */
    @Test
    void groupKill_ofFourTasks_recordsOneTaskKillEachWithHostKillerAndCount() throws Exception {
        long[] id = new long[1];
        List<RecordedEvent> events = record(Kernel.builder().name("jfr-gkill"), k -> {
            TaskGroup g = k.spawnGroup("crowd", () -> {
                for (int i = 0; i < 3; i++) {
                    Tasks.spawnTask("w" + i, Fixtures::sleepForever);
                }
                return Fixtures.sleepForever();
            });
            id[0] = g.id();
            killOnceBlocked(k, g, 4);
        });

        List<RecordedEvent> kills = ofType(events, "org.tasklife.TaskKill", -1);
        assertThat(kills).hasSize(4);
        String host = Thread.currentThread().getName();
        assertThat(kills).allSatisfy(e -> {
            assertThat(e.getLong("groupId")).isEqualTo(id[0]);
            assertThat(e.getLong("killerTaskId")).isZero();
            assertThat(e.getString("killerName")).isEqualTo(host);
            assertThat(e.getString("reason")).isEqualTo("KILL");
            assertThat(e.getLong("batchSize")).isEqualTo(4);
            assertThat(e.getDuration().toNanos()).isPositive();
        });
        assertThat(kills).extracting(e -> e.getString("taskName")).containsExactlyInAnyOrder("crowd", "w0", "w1", "w2");
    }

    /**
     * A group kill of tasks queued on one mutex: every victim's event shows that mutex as its wait channel (rendered
     * once for the batch), and every victim, blocked until the batch woke it, commits its own event on its own thread.
     */
    @Test
    void groupKill_onOneMutex_eachVictimCommitsItsOwnEventWithTheMutexAsChannel() throws Exception {
        Mutex m = new Mutex();
        m.lock(); // the host owns it: every task of the group queues
        try {
            List<RecordedEvent> events = record(Kernel.builder().name("jfr-mkill"), k -> {
                TaskGroup g = k.spawnGroup("crowd", () -> {
                    m.lock();
                    return 0;
                });
                for (int i = 0; i < 5; i++) {
                    g.spawnTask("w" + i, () -> {
                        m.lock();
                        return null;
                    });
                }
                killOnceBlocked(k, g, 6);
            });

            List<RecordedEvent> kills = ofType(events, "org.tasklife.TaskKill", -1);
            assertThat(kills).hasSize(6);
            assertThat(kills).extracting(e -> e.getString("waitChannel")).allSatisfy(c -> assertThat(c)
                    .startsWith("mutex@").endsWith("owned by host thread '" + Thread.currentThread().getName() + "'"));
            assertThat(kills).allSatisfy(e -> assertThat(e.getThread().getJavaName())
                    .isEqualTo(e.getString("taskName") + "#" + e.getLong("taskId")));
        } finally {
            m.unlock();
        }
    }

    /** A task killed by another task's Task.kill() names the killing task (id and name). */
    @Test
    void taskKill_fromAnotherTask_namesTheKillingTask() throws Exception {
        long[] ids = new long[2];
        List<RecordedEvent> events = record(Kernel.builder().name("jfr-tkill"), k -> {
            TaskGroup victim = k.spawnGroup("victim", Fixtures::sleepForever);
            Task<?> main = Fixtures.mainOf(k, victim);
            ids[0] = main.id();
            Await.state(main, TaskState.BLOCKED);
            TaskGroup killer = k.spawnGroup("killer", () -> main.kill() ? 0 : 1);
            ids[1] = killer.id();
            assertThat(Fixtures.ended(killer)).isEqualTo(ExitStatus.exited(0));
            assertThat(Fixtures.ended(main)).isEqualTo(ExitStatus.KILLED);
            Fixtures.ended(victim);
            victim.reap();
            killer.reap();
        });

        RecordedEvent kill = ofType(events, "org.tasklife.TaskKill", ids[0]).get(0);
        assertThat(kill.getLong("killerTaskId")).isEqualTo(ids[1]);
        assertThat(kill.getString("killerName")).isEqualTo("killer");
        assertThat(kill.getLong("batchSize")).isEqualTo(1);
    }

    /** A kill by a spawn deadline says DEADLINE and that no task killed it. */
    @Test
    void deadlineKill_recordsReasonDeadline() throws Exception {
        long[] id = new long[1];
        List<RecordedEvent> events = record(Kernel.builder().name("jfr-deadline"), k -> {
            TaskGroup g = k.spawnGroup(SpawnOptions.named("late").deadline(Duration.ofMillis(20)),
                    Fixtures::sleepForever);
            id[0] = g.id();
            assertThat(Fixtures.ended(g)).isInstanceOf(ExitStatus.Killed.class);
            g.reap();
        });

        RecordedEvent kill = ofType(events, "org.tasklife.TaskKill", id[0]).get(0);
        assertThat(kill.getString("reason")).isEqualTo("DEADLINE");
        assertThat(kill.getLong("killerTaskId")).isZero();
    }

    /** A kill by an expired terminate grace says GRACE_EXPIRED. */
    @Test
    void terminateGraceExpired_recordsReasonGraceExpired() throws Exception {
        long[] id = new long[1];
        List<RecordedEvent> events = record(Kernel.builder().name("jfr-grace"), k -> {
            TaskGroup g = k.spawnGroup("deaf", Fixtures::sleepForever); // ignores the termination request
            id[0] = g.id();
            Await.state(Fixtures.mainOf(k, g), TaskState.BLOCKED);
            g.terminate(Duration.ofMillis(20));
            assertThat(Fixtures.ended(g)).isEqualTo(ExitStatus.killed(org.tasklife.KillReason.GRACE_EXPIRED));
            g.reap();
        });

        RecordedEvent kill = ofType(events, "org.tasklife.TaskKill", id[0]).get(0);
        assertThat(kill.getString("reason")).isEqualTo("GRACE_EXPIRED");
        assertThat(kill.getLong("killerTaskId")).isZero();
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
