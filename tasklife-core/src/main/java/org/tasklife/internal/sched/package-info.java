/**
 * Scheduler mode: the policy that decides which task runs on which of the kernel's CPUs —
 * priority classes, affinity, least-loaded placement — kept free of threads and locks so that it can
 * be tested as tables (seed-systems §6 V5–V7).
 */
package org.tasklife.internal.sched;
