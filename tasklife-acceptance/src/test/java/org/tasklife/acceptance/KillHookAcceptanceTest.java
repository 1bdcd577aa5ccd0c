package org.tasklife.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.SpawnOptions;
import org.tasklife.StuckTaskReport;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledError;
import org.tasklife.Tasks;
import org.tasklife.interop.Unblockers;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * Kill hooks (docs/contract.md K15) against real components, through the public API: a loopback socket that
 * never writes, an H2 in-memory database running a long query, a {@code sleep 60} subprocess, and a
 * {@code CompletableFuture} nobody completes. Each blocked task is killed and must end within the kill grace
 * period; without a hook, the same socket read outlives the grace and is reported stuck (SPEC K8).
 */
class KillHookAcceptanceTest {
    private static final Duration GRACE = Await.scaled(Duration.ofSeconds(3));

    private final List<StuckTaskReport> stuck = new CopyOnWriteArrayList<>();
    private Kernel kernel;

    private Kernel boot(Duration grace) {
        kernel = Kernel.builder().name("kill-hooks").jmx(false).killGracePeriod(grace).onStuckTask(stuck::add).boot();
        return kernel;
    }

    @AfterEach
    void closeKernel() {
        if (kernel != null) {
            kernel.close();
        }
    }

    /** Waits until {@code thread} is inside a call to {@code method} of a class whose name contains {@code type}. */
    private static void awaitInCall(Thread thread, String type, String method) {
        Await.until(thread.getName() + " blocked in " + type + "." + method, () -> Arrays.stream(thread.getStackTrace())
                .anyMatch(f -> f.getClassName().contains(type) && f.getMethodName().equals(method)),
                () -> "stack: " + Arrays.toString(thread.getStackTrace()));
    }

    /** Kills {@code t} and returns how long it took to end, failing if it did not end within the grace period. */
    private static long killAndTimeEnd(Task<?> t) throws Exception {
        long start = System.nanoTime();
        assertThat(t.kill()).isTrue();
        ExitStatus s = t.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(s).isEqualTo(ExitStatus.KILLED);
        return ms;
    }

    /** What the task's body threw, or its result. */
    private static Object outcome(Fixtures.Attempt a) throws Exception {
        return a.get();
    }

    /**
     * A platform-thread task blocked in a socket read from a loopback server that never writes, under
     * Tasks.blocking with Unblockers.socket: the kill closes the socket and the task ends Killed within the
     * grace period, with the read's SocketException suppressed on its TaskKilledError.
     */
    @Test
    void socketRead_underBlocking_killEndsItWithinGrace() throws Exception {
        boot(GRACE);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
                Socket silent = server.accept()) {
            TaskGroup home = Fixtures.idleGroup(kernel, "home");
            CompletableFuture<Thread> thread = new CompletableFuture<>();
            Fixtures.Attempt a = attemptOnPlatform(home, "reader", () -> {
                thread.complete(Thread.currentThread());
                InputStream in = client.getInputStream();
                return Tasks.blocking(Unblockers.socket(client), in::read);
            });
            awaitInCall(Fixtures.get(thread), "Nio", "read");

            long ms = killAndTimeEnd(a.task());

            Object out = outcome(a);
            assertThat(out).isInstanceOf(TaskKilledError.class);
            assertThat(((Throwable) out).getSuppressed()).singleElement().isInstanceOf(SocketException.class);
            assertThat(client.isClosed()).isTrue();
            assertThat(silent.isClosed()).isFalse();
            assertThat(stuck).isEmpty();
            System.out.printf("kill hooks: socket read ended %d ms after the kill%n", ms);
            Fixtures.killAndReap(home);
            KernelExtension.audit(kernel);
        }
    }

    /**
     * The contrast (SPEC K4, K8): the same socket read on a platform thread WITHOUT a hook ignores the kill's
     * interrupt, outlives the grace period and is reported stuck in the read; it ends only when the socket is
     * closed by hand.
     */
    @Test
    void socketRead_withoutHook_notEndedByTheKill_reportedStuck() throws Exception {
        Duration grace = Duration.ofSeconds(1);
        boot(grace);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
                Socket silent = server.accept()) {
            TaskGroup home = Fixtures.idleGroup(kernel, "home");
            CompletableFuture<Thread> thread = new CompletableFuture<>();
            Fixtures.Attempt a = attemptOnPlatform(home, "unhooked", () -> {
                thread.complete(Thread.currentThread());
                return client.getInputStream().read();
            });
            awaitInCall(Fixtures.get(thread), "Nio", "read");
            long start = System.nanoTime();
            assertThat(a.task().kill()).isTrue();

            Await.until("the unhooked reader is reported stuck", () -> !stuck.isEmpty());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(ms).isGreaterThanOrEqualTo(grace.toMillis() - 50);
            StuckTaskReport r = stuck.get(0);
            assertThat(r.taskId()).isEqualTo(a.task().id());
            assertThat(r.stack()).anySatisfy(f -> assertThat(f.getMethodName()).isEqualTo("read"));
            assertThat(a.task().onExit()).as("still blocked after the grace period").isNotDone();
            assertThat(silent.isClosed()).as("the server side never wrote nor closed").isFalse();

            Unblockers.socket(client).close(); // the clean-up a kill hook would have done
            assertThat(Fixtures.ended(a.task())).isEqualTo(ExitStatus.KILLED);
            assertThat(outcome(a)).isInstanceOf(SocketException.class);
            System.out.printf("kill hooks: without a hook, reported stuck %d ms after the kill%n", ms);
            Fixtures.killAndReap(home);
            KernelExtension.audit(kernel);
        }
    }

    /**
     * A task in a long H2 in-memory query under Tasks.blocking(stmt::cancel, ...): the kill cancels the
     * statement (H2 error 57014, suppressed on the TaskKilledError), the task ends within the grace period,
     * and the database runs no such statement any more.
     */
    @Test
    void h2Query_underBlockingWithCancel_killCancelsTheStatement() throws Exception {
        boot(GRACE);
        String url = "jdbc:h2:mem:hooks-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        String query = "SELECT SUM(A.X * B.X) FROM SYSTEM_RANGE(1, 1000000) A, SYSTEM_RANGE(1, 1000000) B";
        try (Connection admin = DriverManager.getConnection(url, "sa", "")) {
            TaskGroup home = Fixtures.idleGroup(kernel, "home");
            CompletableFuture<Integer> session = new CompletableFuture<>();
            Fixtures.Attempt a = Fixtures.attempt(home, "query", () -> {
                try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
                    try (ResultSet rs = st.executeQuery("SELECT SESSION_ID()")) {
                        rs.next();
                        session.complete(rs.getInt(1));
                    }
                    return Tasks.blocking(st::cancel, () -> {
                        try (ResultSet rs = st.executeQuery(query)) {
                            rs.next();
                            return rs.getLong(1);
                        }
                    });
                }
            });
            int id = Fixtures.get(session);
            Await.until("session " + id + " runs the query", () -> executing(admin, id) != null);

            long ms = killAndTimeEnd(a.task());

            Object out = outcome(a);
            assertThat(out).isInstanceOf(TaskKilledError.class);
            assertThat(((Throwable) out).getSuppressed()).singleElement().isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getErrorCode()).as("H2 STATEMENT_WAS_CANCELED").isEqualTo(57014));
            Await.until("no session runs the query", () -> runningCount(admin, "SYSTEM_RANGE") == 0);
            System.out.printf("kill hooks: H2 query cancelled, task ended %d ms after the kill%n", ms);
            Fixtures.killAndReap(home);
            KernelExtension.audit(kernel);
        }
    }

    /** The statement H2 session {@code id} runs now, or {@code null} (INFORMATION_SCHEMA.SESSIONS). */
    private static String executing(Connection admin, int id) {
        try (PreparedStatement ps = admin.prepareStatement(
                "SELECT EXECUTING_STATEMENT FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** How many other sessions run a statement containing {@code text}. */
    private static int runningCount(Connection admin, String text) {
        try (PreparedStatement ps = admin.prepareStatement("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS"
                + " WHERE SESSION_ID <> SESSION_ID() AND EXECUTING_STATEMENT LIKE ?")) {
            ps.setString(1, "%" + text + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A task in process.waitFor() on a real {@code sleep 60} subprocess, under Tasks.blocking with
     * Unblockers.process: the task ends within the grace period and the subprocess is gone.
     */
    @Test
    void processWaitFor_underBlockingWithProcessUnblocker_killEndsTheSubprocess() throws Exception {
        assumeTrue(new File("/bin/sleep").canExecute() || new File("/usr/bin/sleep").canExecute(), "needs sleep");
        boot(GRACE);
        TaskGroup home = Fixtures.idleGroup(kernel, "home");
        CompletableFuture<Process> started = new CompletableFuture<>();
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        Fixtures.Attempt a = Fixtures.attempt(home, "waiter", () -> {
            Process p = new ProcessBuilder("sleep", "60").start();
            started.complete(p);
            thread.complete(Thread.currentThread());
            return Tasks.blocking(Unblockers.process(p), p::waitFor);
        });
        Process p = Fixtures.get(started);
        long pid = p.pid();
        try {
            awaitInCall(Fixtures.get(thread), "Process", "waitFor");

            long ms = killAndTimeEnd(a.task());

            assertThat(outcome(a)).isInstanceOf(TaskKilledError.class);
            Await.until("subprocess " + pid + " is gone",
                    () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
            System.out.printf("kill hooks: waitFor ended %d ms after the kill; sleep 60 destroyed%n", ms);
        } finally {
            p.destroyForcibly(); // only if an assertion failed before the hook ran
        }
        Fixtures.killAndReap(home);
        KernelExtension.audit(kernel);
    }

    /**
     * A task in CompletableFuture.join() on a future nobody completes, under Tasks.blocking with
     * Unblockers.future: the kill cancels the future and the task ends Killed within the grace period.
     */
    @Test
    void futureJoin_underBlockingWithFutureUnblocker_endsKilled() throws Exception {
        boot(GRACE);
        TaskGroup home = Fixtures.idleGroup(kernel, "home");
        CompletableFuture<String> never = new CompletableFuture<>();
        Fixtures.Attempt a = Fixtures.attempt(home, "joiner", () -> Tasks.blocking(Unblockers.future(never), never::join));
        Await.until("the task waits in join()", () -> never.getNumberOfDependents() > 0);

        long ms = killAndTimeEnd(a.task());

        Object out = outcome(a);
        assertThat(out).isInstanceOf(TaskKilledError.class);
        assertThat(((Throwable) out).getSuppressed()).singleElement().isInstanceOf(CancellationException.class);
        assertThat(never.isCancelled()).isTrue();
        System.out.printf("kill hooks: join() ended %d ms after the kill%n", ms);
        Fixtures.killAndReap(home);
        KernelExtension.audit(kernel);
    }

    /** {@link Fixtures#attempt} on a platform thread, where socket I/O ignores interrupts. */
    private static Fixtures.Attempt attemptOnPlatform(TaskGroup g, String name, org.tasklife.TaskBody<?> body) {
        CompletableFuture<Object> out = new CompletableFuture<>();
        Task<Void> t = g.spawnTask(SpawnOptions.named(name).platformThread(true), () -> {
            try {
                out.complete(body.run());
            } catch (Throwable e) {
                out.complete(e);
                if (e instanceof Error err) {
                    throw err;
                }
            }
            return null;
        });
        return new Fixtures.Attempt(t, out);
    }
}
