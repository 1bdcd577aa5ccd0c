/**
 * Not API: internal to tasklife, not exported, may change at any time.
 *
 * <p>WaitNode and WaitQueue: the one blocking mechanism of the kernel, and its park/wake layer.
 */
package org.tasklife.internal.wait;
