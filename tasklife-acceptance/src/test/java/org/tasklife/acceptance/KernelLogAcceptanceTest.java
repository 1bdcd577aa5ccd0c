package org.tasklife.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.await;
import static org.tasklife.testkit.Fixtures.get;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tasklife.Kernel;
import org.tasklife.ShutdownReport;
import org.tasklife.StuckTaskReport;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;

/**
 * SPEC K8 ("never left silent"), end to end: what tasklife logs through {@code System.Logger} (logger
 * "org.tasklife"), seen through its default backend, java.util.logging: stuck-task reports when no
 * {@code onStuckTask} listener is set, and the shutdown report of {@link Kernel#close()}, which returns none,
 * when it is not clean.
 */
class KernelLogAcceptanceTest {
    /** Held strongly: java.util.logging keeps loggers weakly, and a collected one would lose the handler. */
    private static final Logger JUL = Logger.getLogger("org.tasklife");

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final CountDownLatch release = new CountDownLatch(1);
    private Level savedLevel;
    private boolean savedUseParent;

    @BeforeEach
    void captureLog() {
        savedLevel = JUL.getLevel();
        savedUseParent = JUL.getUseParentHandlers();
        JUL.setLevel(Level.ALL);
        JUL.setUseParentHandlers(false); // keep the expected warnings off the console
        JUL.addHandler(capture);
    }

    @AfterEach
    void restoreLog() {
        release.countDown(); // nothing the test started stays blocked
        JUL.removeHandler(capture);
        JUL.setLevel(savedLevel);
        JUL.setUseParentHandlers(savedUseParent);
    }

    /** Records of kernel {@code name} (other kernels of this JVM may log too). */
    private List<LogRecord> of(String name) {
        return records.stream().filter(r -> r.getMessage().contains("kernel '" + name + "'")).toList();
    }

    /** A top-level group whose main task ignores kills and interrupts until the test ends: it gets stuck. */
    private TaskGroup stuckGroup(Kernel kernel, CountDownLatch started) {
        return kernel.spawnGroup("stubborn", () -> {
            started.countDown();
            Fixtures.awaitUninterruptibly(release);
            return 0;
        });
    }

    /** SPEC K8: with no listener set, a stuck-task report is logged at WARNING, rendered with its stack. */
    @Test
    void stuckTask_defaultListener_logsRenderedReportAtWarning() throws Exception {
        Kernel kernel = Kernel.builder().name("log-stuck").jmx(false).killGracePeriod(Duration.ofMillis(100)).boot();
        try {
            CountDownLatch started = new CountDownLatch(1);
            TaskGroup g = stuckGroup(kernel, started);
            await(started);

            g.kill();

            Await.until("a stuck report to be logged", () -> !of("log-stuck").isEmpty(), () -> records.toString());
            LogRecord r = of("log-stuck").get(0);
            assertThat(r.getLoggerName()).isEqualTo("org.tasklife");
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getMessage()).contains("stuck task " + g.id() + " (stubborn)")
                    .contains("\tat ").contains("awaitUninterruptibly");
            assertThat(kernel.stuckTasks()).extracting(StuckTaskReport::taskId).containsExactly(g.id());
        } finally {
            release.countDown();
            kernel.close();
        }
    }

    /** A listener set with onStuckTask replaces the logging: it gets the report, nothing is logged for it. */
    @Test
    void stuckTask_listenerSet_replacesLogging() throws Exception {
        CompletableFuture<StuckTaskReport> told = new CompletableFuture<>();
        Kernel kernel = Kernel.builder().name("log-listener").jmx(false).killGracePeriod(Duration.ofMillis(100))
                .onStuckTask(told::complete).boot();
        try {
            CountDownLatch started = new CountDownLatch(1);
            TaskGroup g = stuckGroup(kernel, started);
            await(started);

            g.kill();

            assertThat(get(told).taskId()).isEqualTo(g.id());
            assertThat(of("log-listener")).isEmpty();
        } finally {
            release.countDown();
            kernel.close();
        }
    }

    /**
     * SPEC K8: close() (whose report nobody reads) logs at WARNING a shutdown that left tasks stuck, with each
     * stuck task rendered and word that what they owned was force-closed.
     */
    @Test
    void close_notClean_logsShutdownReportAtWarning() throws Exception {
        Kernel kernel = Kernel.builder().name("log-close").jmx(false).killGracePeriod(Duration.ofSeconds(30))
                .closeTimeout(Duration.ofMillis(200)).boot();
        CountDownLatch started = new CountDownLatch(1);
        TaskGroup g = stuckGroup(kernel, started);
        await(started);

        kernel.close();

        List<LogRecord> logged = of("log-close");
        assertThat(logged).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getMessage()).contains("1 task").contains("force-closed")
                    .contains("stuck task " + g.id() + " (stubborn)");
        });
        release.countDown();
        get(g.onExit());
    }

    /** A clean close() logs nothing at WARNING or above, only a DEBUG line. */
    @Test
    void close_clean_logsOnlyDebug() throws Exception {
        Kernel kernel = Kernel.builder().name("log-clean").jmx(false).boot();
        TaskGroup g = kernel.spawnGroup("sleeper", () -> {
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        Await.state(kernel.findTask(g.id()).orElseThrow(), TaskState.BLOCKED);

        kernel.close();

        assertThat(of("log-clean")).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.FINE); // System.Logger DEBUG
            assertThat(r.getMessage()).contains("closed");
        });
    }

    /** close(Duration) returns its report to the caller and logs nothing: the caller reads it. */
    @Test
    void closeWithTimeout_notClean_logsNothing() throws Exception {
        Kernel kernel = Kernel.builder().name("log-timed").jmx(false).killGracePeriod(Duration.ofSeconds(30)).boot();
        CountDownLatch started = new CountDownLatch(1);
        TaskGroup g = stuckGroup(kernel, started);
        await(started);

        ShutdownReport report = kernel.close(Duration.ofMillis(200));

        assertThat(report.isClean()).isFalse();
        assertThat(of("log-timed")).isEmpty();
        release.countDown();
        get(g.onExit());
    }
}
