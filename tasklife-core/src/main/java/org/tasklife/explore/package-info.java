/**
 * A testing tool for code that runs on tasklife: the {@link org.tasklife.explore.ScheduleExplorer} runs a
 * scenario under many or all interleavings of the kernel's deterministic mode
 * ({@link org.tasklife.Kernel.Builder#deterministic(long)}) and reports the first that fails as a
 * {@link org.tasklife.explore.Schedule}, which replays it exactly, for instance in a debugger.
 *
 * <p>Kept apart from {@code org.tasklife}: the kernel does not depend on it, and an application that does
 * not test with it never needs to read it.
 */
package org.tasklife.explore;
