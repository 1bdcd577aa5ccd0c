/**
 * JUnit 5 support for code that uses tasklife: {@link org.tasklife.junit.TaskLifeTest} (or
 * {@code @ExtendWith(TaskLifeExtension.class)}) injects a fresh {@link org.tasklife.Kernel} into each test
 * and, when the test ends, fails it if a task of that kernel is still live, a timer armed or an owned
 * resource open, with a {@code ps} table of what leaked; then closes the kernel. Run one at a time, a test
 * also fails for what it left outside its kernel (a kernel it booted and left busy, a waiter left queued).
 * {@link org.tasklife.junit.LeakAudit} runs the per-kernel audit by hand.
 *
 * <p>The artifact depends on JUnit's API only as {@code provided}: add your own JUnit 5 (5.10 or later),
 * for example with the {@code org.junit:junit-bom} of your version.
 */
package org.tasklife.junit;
