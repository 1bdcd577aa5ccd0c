/**
 * Bridges to the JDK's concurrency interfaces, so that code written for them runs under tasklife: an
 * {@link java.util.concurrent.ExecutorService} whose {@code shutdownNow} kills ({@link org.tasklife.interop.TaskExecutor})
 * and a {@link java.util.concurrent.ThreadFactory} whose threads are tasks
 * ({@link org.tasklife.interop.TaskThreadFactory}). See {@code docs/interop.md}.
 */
package org.tasklife.interop;
