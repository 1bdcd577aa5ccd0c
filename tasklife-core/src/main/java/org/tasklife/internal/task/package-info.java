/**
 * Not API: internal to tasklife, not exported, may change at any time.
 *
 * <p>The task control block: the state word, identity, current wait, exit status, owned resources.
 */
package org.tasklife.internal.task;
