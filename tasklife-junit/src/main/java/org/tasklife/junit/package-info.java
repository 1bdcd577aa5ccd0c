/**
 * JUnit 5 support for code that uses tasklife: {@link org.tasklife.junit.TaskLifeTest} (or
 * {@code @ExtendWith(TaskLifeExtension.class)}) injects a fresh {@link org.tasklife.Kernel} into each test
 * and, when the test ends, fails it if any task is still live, any waiter queued, any timer armed or any
 * owned resource open, with a {@code ps} table of what leaked; then closes the kernel.
 * {@link org.tasklife.junit.LeakAudit} runs the same audit by hand.
 */
package org.tasklife.junit;
