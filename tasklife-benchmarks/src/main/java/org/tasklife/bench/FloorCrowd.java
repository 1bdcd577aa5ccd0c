package org.tasklife.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The floor of every crowd stop: {@code crowd} virtual threads parked on a private queue (an array of
 * them, no lock, no kernel), stopped by the bare mechanism a kill needs and nothing more: set one flag,
 * unpark each thread, and wait until the last one has exited (a countdown whose end completes a future, as
 * a group's end completes {@code onExit()}). No queue removal, no status, no accounting: whatever a kill
 * or a domain stop costs above this is tasklife's own work.
 *
 * <p>Each thread re-checks the flag after every wake-up (a park may return spuriously) and exits when it is
 * set. Used by {@link MassKillBench} and {@link DomainStopBench}, whose rows are then reported as a ratio
 * to this one of the same run.
 */
@State(Scope.Benchmark)
public class FloorCrowd {
    @Param({"10000", "100000"})
    public int crowd;

    private volatile boolean stop;
    private Thread[] threads;
    private AtomicInteger left;
    private CompletableFuture<Void> allExited;

    @Setup(Level.Iteration)
    public void gather() {
        stop = false;
        left = new AtomicInteger(crowd);
        allExited = new CompletableFuture<>();
        threads = new Thread[crowd];
        AtomicInteger parked = new AtomicInteger();
        for (int i = 0; i < crowd; i++) {
            threads[i] = Thread.ofVirtual().start(() -> {
                parked.incrementAndGet();
                while (!stop) {
                    LockSupport.park(this);
                }
                if (left.decrementAndGet() == 0) {
                    allExited.complete(null);
                }
            });
        }
        Harness.await(() -> parked.get() == crowd, () -> parked.get() + " of " + crowd + " started");
        for (Thread t : threads) {
            Harness.awaitWaiting(t);
        }
    }

    /** Flag, unpark each, wait for the last exit. @return the future the last thread completed */
    CompletableFuture<Void> stopAll() {
        stop = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        allExited.join();
        return allExited;
    }

    @TearDown(Level.Iteration)
    public void check() {
        for (Thread t : threads) {
            Harness.joinUninterruptibly(t); // exited as counted; its carrier may still be finishing it
        }
        threads = null;
    }
}
