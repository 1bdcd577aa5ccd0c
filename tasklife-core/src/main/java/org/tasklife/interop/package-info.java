/**
 * Bridges to code that already runs on the JDK, so that it runs under tasklife: an
 * {@link java.util.concurrent.ExecutorService} whose {@code shutdownNow} kills ({@link org.tasklife.interop.TaskExecutor}),
 * a {@link java.util.concurrent.ThreadFactory} whose threads are tasks ({@link org.tasklife.interop.TaskThreadFactory}),
 * and {@link org.tasklife.interop.Unblockers}: ready-made actions for
 * {@link org.tasklife.Tasks#blocking(AutoCloseable, java.util.concurrent.Callable)} and
 * {@link org.tasklife.Tasks#onKill(AutoCloseable)} that end a foreign blocking call (a socket, a channel, a
 * subprocess, a {@code CompletableFuture}) when the task in it is killed (docs/contract.md, K15). See
 * {@code docs/interop.md}.
 */
package org.tasklife.interop;
