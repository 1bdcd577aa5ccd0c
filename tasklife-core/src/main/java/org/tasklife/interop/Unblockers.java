package org.tasklife.interop;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.Channel;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Ready-made unblockers for {@link org.tasklife.Tasks#blocking(AutoCloseable, java.util.concurrent.Callable)}
 * and {@link org.tasklife.Tasks#onKill(AutoCloseable)} (docs/contract.md, K15): each ends one kind of foreign
 * blocking call when the task in it is killed. Their {@code close()} never blocks, and names its target in
 * {@code toString()}, which is how a failing or slow hook is named in the log.
 *
 * <pre>{@code
 * String line = Tasks.blocking(Unblockers.socket(socket), reader::readLine);
 * int code = Tasks.blocking(Unblockers.process(process), process::waitFor);
 * T value = Tasks.blocking(Unblockers.future(future), future::join);
 * }</pre>
 *
 * <p>JDBC needs no helper here: {@code Statement.cancel()} is the unblocker, as a method reference, and asks
 * the driver to end the statement running on another thread (most drivers then throw an
 * {@code SQLException} from the query, H2 with error code 57014):
 * <pre>{@code
 * try (Statement stmt = connection.createStatement()) {
 *     ResultSet rows = Tasks.blocking(stmt::cancel, () -> stmt.executeQuery(sql));
 * }
 * }</pre>
 *
 * <p>Which calls need one: a kill interrupts the task's thread (docs/contract.md, K4), which already ends
 * {@code Thread.sleep}, {@code Object.wait}, {@code BlockingQueue.take}, {@code Process.waitFor} and I/O on
 * an interruptible channel, and on a virtual thread also {@code java.net.Socket} I/O. It does not end socket
 * I/O on a platform thread, {@code CompletableFuture.join()}, a JDBC query, or a driver's own wait, and it
 * never ends a subprocess: use an unblocker there.
 */
public final class Unblockers {
    private Unblockers() {}

    /**
     * An unblocker that closes {@code socket}: a read or write blocked in it throws
     * {@code java.net.SocketException}.
     *
     * @param socket the socket the task blocks in
     * @return an action that closes it
     * @throws NullPointerException if {@code socket} is {@code null}
     */
    public static AutoCloseable socket(Socket socket) {
        Objects.requireNonNull(socket, "socket");
        return new Named(socket::close, "close socket " + socket);
    }

    /**
     * An unblocker that closes {@code channel}: an operation blocked in it throws
     * {@code java.nio.channels.AsynchronousCloseException} (for a server socket channel's {@code accept()}, a
     * selector's channel, a pipe, a file channel).
     *
     * @param channel the channel the task blocks in
     * @return an action that closes it
     * @throws NullPointerException if {@code channel} is {@code null}
     */
    public static AutoCloseable channel(Channel channel) {
        Objects.requireNonNull(channel, "channel");
        return new Named(channel::close, "close channel " + channel);
    }

    /**
     * An unblocker that ends {@code process} and what it started: it destroys forcibly each of the process's
     * descendants it finds ({@link Process#descendants()}), then the process itself
     * ({@link Process#destroyForcibly()}, {@code SIGKILL} on POSIX systems). A {@code waitFor()} blocked on the
     * process then returns. It does not wait for them to die ({@link Process#onExit()} tells when).
     *
     * <p>Limit: a descendant the process starts after the descendants were listed, or one that has left the
     * process tree (a daemon that detached itself), is not reached.
     *
     * @param process the process the task waits for
     * @return an action that destroys it and its descendants
     * @throws NullPointerException if {@code process} is {@code null}
     */
    public static AutoCloseable process(Process process) {
        Objects.requireNonNull(process, "process");
        return new Named(() -> {
            List<ProcessHandle> descendants = process.descendants().toList();
            for (ProcessHandle d : descendants) {
                d.destroyForcibly();
            }
            process.destroyForcibly();
        }, "destroy process " + process.pid() + " and its descendants");
    }

    /**
     * An unblocker that cancels {@code future} ({@link CompletableFuture#cancel(boolean)}), so that a
     * {@code join()} or {@code get()} blocked on it throws {@link java.util.concurrent.CancellationException}.
     * A future already completed keeps its value.
     *
     * <p>Every other user of the same future sees it cancelled too. To cancel only the killed task's wait,
     * join a copy and pass the copy: {@code var mine = shared.copy(); Tasks.blocking(Unblockers.future(mine),
     * mine::join)}.
     *
     * @param future the future the task waits for
     * @return an action that cancels it
     * @throws NullPointerException if {@code future} is {@code null}
     */
    public static AutoCloseable future(CompletableFuture<?> future) {
        Objects.requireNonNull(future, "future");
        return new Named(() -> future.cancel(true), "cancel future " + future);
    }

    /** What an unblocker does: at most an I/O error (no interrupt: it never blocks). */
    @FunctionalInterface
    private interface Action {
        void run() throws IOException;
    }

    /** An action with a name: what a kill hook's log lines show. */
    private record Named(Action action, String name) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            action.run();
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
