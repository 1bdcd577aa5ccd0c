/**
 * Kill-aware synchronisation primitives (docs/contract.md, §9): {@link org.tasklife.sync.Mutex} (normal,
 * error-checking, recursive; robust when an owner dies holding it), {@link org.tasklife.sync.Condition},
 * {@link org.tasklife.sync.Semaphore}, {@link org.tasklife.sync.ReadWriteLock},
 * {@link org.tasklife.sync.Barrier}, {@link org.tasklife.sync.Once} and {@link org.tasklife.sync.TaskLocal}.
 *
 * <p>Every wait in them ends when the waiting task is killed (docs/contract.md, K2), a kill racing entry
 * into a wait is never lost (K3), and a wake-up handed to a waiter that dies passes to the next one (K9).
 * Non-blocking operations (unlock, release, signal, the {@code try} forms) keep working while a killed task
 * unwinds, so its {@code finally} blocks can clean up (K5). Misuse is an error with a specific exception,
 * never undefined behaviour. Host threads may use them too; only tasks can be killed.
 *
 * <p>Names follow the JDK and POSIX: {@code x()} blocks until done or the caller is killed, {@code tryX()}
 * never blocks, and the timed forms return {@code false} on timeout rather than throwing.
 */
package org.tasklife.sync;
