package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.await;
import static org.tasklife.testkit.Fixtures.get;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.Fixtures;

/**
 * A real library through the spawn decorator: SLF4J's MDC, on logback (whose MDC is a plain {@code ThreadLocal}
 * that new threads do not inherit). A value host code puts in the MDC before a spawn is in the task's MDC, in
 * the tasks it spawns and in the logging events they make, and is cleared from the task's thread after the
 * body. And tasklife's own log ({@code System.Logger} "org.tasklife") reaches SLF4J through SLF4J's
 * {@code System.LoggerFinder} on the class path, with no dependency in tasklife.
 */
class MdcPropagationTest {
    /** The decorator a user writes for SLF4J: the spawner's MDC, captured at the spawn, is the task's. */
    static final SpawnDecorator MDC_DECORATOR = body -> {
        Map<String, String> captured = MDC.getCopyOfContextMap(); // on the spawning thread
        return () -> {                                            // on the task's thread
            if (captured != null) {
                MDC.setContextMap(captured);
            }
            try {
                body.run();
            } finally {
                MDC.clear();
            }
        };
    };

    /** Events of the loggers under test, appended from any thread (tasks, the reaper). */
    private static final class Events extends AppenderBase<ILoggingEvent> {
        final List<ILoggingEvent> list = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent e) {
            e.prepareForDeferredProcessing(); // takes the MDC now, on the logging thread (logback reads it lazily)
            list.add(e);
        }
    }

    private final Events events = new Events();
    private final ch.qos.logback.classic.Logger tasklifeLog =
            (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.tasklife");
    private final ch.qos.logback.classic.Logger appLog =
            (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("mdc.app");
    private Kernel kernel;

    @BeforeEach
    void capture() {
        events.start();
        tasklifeLog.addAppender(events);
        tasklifeLog.setAdditive(false); // the expected warning stays off the console
        tasklifeLog.setLevel(ch.qos.logback.classic.Level.WARN); // logback-test.xml keeps it at ERROR
        appLog.addAppender(events);
        appLog.setAdditive(false);
        appLog.setLevel(ch.qos.logback.classic.Level.INFO);
    }

    @AfterEach
    void cleanUp() {
        MDC.clear();
        tasklifeLog.detachAppender(events);
        tasklifeLog.setAdditive(true);
        tasklifeLog.setLevel(ch.qos.logback.classic.Level.ERROR);
        appLog.detachAppender(events);
        appLog.setAdditive(true);
        if (kernel != null) {
            KernelExtension.audit(kernel);
            kernel.close();
        }
    }

    /**
     * An MDC value host code sets before the spawn is seen in the task, in a task it spawns and in a child group;
     * a task's own MDC changes reach the tasks it spawns after them, not its spawner; the logging events carry it.
     */
    @Test
    void mdc_setByHostBeforeSpawn_visibleInTaskAndTasksItSpawns() throws Exception {
        kernel = Kernel.builder().name("mdc").jmx(false).spawnDecorator(MDC_DECORATOR).boot();
        Map<String, String> seen = new ConcurrentHashMap<>();
        Logger log = LoggerFactory.getLogger("mdc.app");
        MDC.put("requestId", "r-1");

        TaskGroup g = kernel.spawnGroup("handler", () -> {
            seen.put("main", String.valueOf(MDC.get("requestId")));
            log.info("in main");
            Task<Object> worker = Tasks.spawnTask("worker", () -> {
                seen.put("worker", String.valueOf(MDC.get("requestId")));
                MDC.put("user", "u-9");
                Task<Object> sub = Tasks.spawnTask("sub", () -> {
                    seen.put("sub", MDC.get("requestId") + "/" + MDC.get("user"));
                    log.info("in sub");
                    return null;
                });
                sub.join();
                return null;
            });
            worker.join();
            TaskGroup child = Tasks.spawnGroup("child", () -> {
                seen.put("child", MDC.get("requestId") + "/" + MDC.get("user")); // the worker's change stayed there
                return 0;
            });
            child.reap();
            return 0;
        });

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        assertThat(seen).containsOnly(Map.entry("main", "r-1"), Map.entry("worker", "r-1"),
                Map.entry("sub", "r-1/u-9"), Map.entry("child", "r-1/null"));
        assertThat(MDC.getCopyOfContextMap()).containsOnly(Map.entry("requestId", "r-1")); // host's MDC as it was
        assertThat(events.list).filteredOn(e -> e.getLoggerName().equals("mdc.app"))
                .extracting(ILoggingEvent::getFormattedMessage, e -> e.getMDCPropertyMap())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("in main", Map.of("requestId", "r-1")),
                        org.assertj.core.groups.Tuple.tuple("in sub", Map.of("requestId", "r-1", "user", "u-9")));
    }

    /** After the body the decorator clears the task thread's MDC: code of the exit sequence there sees none. */
    @Test
    void mdc_afterBody_clearedOnTaskThread() throws Exception {
        kernel = Kernel.builder().name("mdc-clear").jmx(false).spawnDecorator(MDC_DECORATOR).boot();
        CompletableFuture<Map<String, String>> inBody = new CompletableFuture<>();
        CompletableFuture<Map<String, String>> afterBody = new CompletableFuture<>();
        MDC.put("requestId", "r-2");

        TaskGroup g = kernel.spawnGroup("handler", () -> {
            inBody.complete(MDC.getCopyOfContextMap());
            Tasks.own(() -> afterBody.complete(MDC.getCopyOfContextMap())); // closed on this thread, after the body
            return 0;
        });

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        assertThat(get(inBody)).containsOnly(Map.entry("requestId", "r-2"));
        assertThat(get(afterBody)).isNullOrEmpty();
    }

    /** The control: without the decorator the task's thread has no MDC (logback's does not pass to new threads). */
    @Test
    void mdc_withoutDecorator_notInTask() throws Exception {
        kernel = Kernel.builder().name("mdc-none").jmx(false).boot();
        CompletableFuture<String> inTask = new CompletableFuture<>();
        MDC.put("requestId", "r-3");

        TaskGroup g = kernel.spawnGroup("handler", () -> {
            inTask.complete(String.valueOf(MDC.get("requestId")));
            return 0;
        });

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        assertThat(get(inTask)).isEqualTo("null");
    }

    /**
     * SPEC K8, end to end on SLF4J: a stuck-task report logged by tasklife (System.Logger "org.tasklife", no
     * listener set) arrives as a WARN event of the SLF4J logger "org.tasklife".
     */
    @Test
    void stuckReport_defaultListener_reachesSlf4j() throws Exception {
        kernel = Kernel.builder().name("mdc-stuck").jmx(false).killGracePeriod(Duration.ofMillis(100)).boot();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("stubborn", () -> {
            started.countDown();
            Fixtures.awaitUninterruptibly(release);
            return 0;
        });
        await(started);
        try {
            g.kill();

            Await.until("the stuck report on SLF4J", () -> events.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("stuck task " + g.id())), () -> events.list.toString());
            List<ILoggingEvent> stuck = events.list.stream()
                    .filter(e -> e.getFormattedMessage().contains("stuck task " + g.id())).toList();
            assertThat(stuck).singleElement().satisfies(e -> {
                assertThat(e.getLoggerName()).isEqualTo("org.tasklife");
                assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
                assertThat(e.getFormattedMessage()).contains("kernel 'mdc-stuck'");
            });
        } finally {
            release.countDown();
        }
        assertThat(g.reap()).isEqualTo(ExitStatus.KILLED);
    }
}
