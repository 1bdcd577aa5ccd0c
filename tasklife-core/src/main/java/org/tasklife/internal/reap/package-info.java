/**
 * Not API: internal to tasklife, not exported, may change at any time.
 *
 * <p>The reaper: kill grace timers, stuck-task reports, force-closing what stuck tasks own.
 */
package org.tasklife.internal.reap;
