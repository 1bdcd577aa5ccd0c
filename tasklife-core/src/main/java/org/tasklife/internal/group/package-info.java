/**
 * Not API: internal to tasklife, not exported, may change at any time.
 *
 * <p>The group layer: group control blocks, the task and group tables, the kernel core (boot and close), the
 * task trampoline and exit sequence, spawn, kill, reparenting and reaping, the kernel's waits (join, child
 * waits, sleep) and introspection.
 */
package org.tasklife.internal.group;
