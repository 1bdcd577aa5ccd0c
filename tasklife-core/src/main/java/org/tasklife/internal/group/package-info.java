/**
 * Not API: internal to tasklife, not exported, may change at any time.
 *
 * <p>Group control blocks, the kernel core, the task trampoline and exit sequence, child waits and reaping.
 */
package org.tasklife.internal.group;
