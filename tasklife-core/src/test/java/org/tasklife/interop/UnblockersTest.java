package org.tasklife.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Pipe;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.Await;

/** The ready-made unblockers of docs/contract.md K15 each end the blocking call they are made for. */
class UnblockersTest {

    /** future(): closing cancels the future, so that join() and get() throw CancellationException. */
    @Test
    void future_close_cancelsSoJoinThrows() throws Exception {
        CompletableFuture<String> f = new CompletableFuture<>();
        AutoCloseable u = Unblockers.future(f);
        assertThat(u.toString()).contains("future");
        u.close();
        assertThat(f.isCancelled()).isTrue();
        assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
    }

    /** future(): a future already completed keeps its value. */
    @Test
    void future_alreadyCompleted_keepsItsValue() throws Exception {
        CompletableFuture<String> f = CompletableFuture.completedFuture("done");
        Unblockers.future(f).close();
        assertThat(f.join()).isEqualTo("done");
    }

    /** channel(): closing closes the channel. */
    @Test
    void channel_close_closesTheChannel() throws Exception {
        Pipe pipe = Pipe.open();
        try {
            AutoCloseable u = Unblockers.channel(pipe.source());
            assertThat(u.toString()).contains("channel");
            u.close();
            assertThat(pipe.source().isOpen()).isFalse();
            assertThat(pipe.sink().isOpen()).isTrue();
        } finally {
            pipe.sink().close();
        }
    }

    /** socket(): closing closes the socket (a read blocked in it throws SocketException). */
    @Test
    void socket_close_closesTheSocket() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            AutoCloseable u = Unblockers.socket(client);
            assertThat(u.toString()).contains("socket").contains(String.valueOf(server.getLocalPort()));
            u.close();
            assertThat(client.isClosed()).isTrue();
            assertThat(accepted.isClosed()).isFalse();
        }
    }

    /** process(): closing destroys the process's descendants and the process itself, forcibly. */
    @Test
    void process_close_destroysDescendantsAndTheProcess() throws Exception {
        assumeTrue(new File("/bin/sh").canExecute(), "needs /bin/sh");
        Process p = new ProcessBuilder("/bin/sh", "-c", "sleep 60 & wait").start();
        Await.until("the shell has started its child", () -> p.descendants().findAny().isPresent());
        List<ProcessHandle> descendants = p.descendants().toList();
        AutoCloseable u = Unblockers.process(p);
        assertThat(u.toString()).contains("process " + p.pid());
        u.close();
        Await.until("the process is gone", () -> !p.isAlive());
        for (ProcessHandle d : descendants) {
            Await.until("descendant " + d.pid() + " is gone", () -> !d.isAlive());
        }
    }

    /** A null target is a NullPointerException naming the argument. */
    @Test
    void anyUnblocker_nullTarget_npeNamingIt() {
        assertThatThrownBy(() -> Unblockers.socket(null)).isInstanceOf(NullPointerException.class).hasMessage("socket");
        assertThatThrownBy(() -> Unblockers.channel(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("channel");
        assertThatThrownBy(() -> Unblockers.process(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("process");
        assertThatThrownBy(() -> Unblockers.future(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("future");
    }
}
