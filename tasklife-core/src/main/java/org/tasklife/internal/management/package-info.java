/**
 * Not API: internal to tasklife, not exported, may change at any time.
 *
 * <p>The implementation of {@link org.tasklife.management.KernelMXBean} and its registration in the platform
 * MBean server.
 */
package org.tasklife.internal.management;
