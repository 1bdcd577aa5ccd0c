/**
 * Bridges from tasklife to code that already runs on the JDK. {@link org.tasklife.interop.Unblockers}: ready-made
 * actions for {@link org.tasklife.Tasks#blocking(AutoCloseable, java.util.concurrent.Callable)} and
 * {@link org.tasklife.Tasks#onKill(AutoCloseable)} that end a foreign blocking call (a socket, a channel, a
 * subprocess, a {@code CompletableFuture}) when the task in it is killed (docs/contract.md, K15).
 */
package org.tasklife.interop;
