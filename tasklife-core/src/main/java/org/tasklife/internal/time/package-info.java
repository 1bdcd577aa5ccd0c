/**
 * Not API: internal to tasklife, not exported, may change at any time.
 *
 * <p>The injectable clock and the kernel's single timer service.
 */
package org.tasklife.internal.time;
