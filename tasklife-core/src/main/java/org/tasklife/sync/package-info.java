/**
 * Kill-aware synchronisation primitives (SPEC §9): every wait in them ends when the waiting task is
 * killed (K2), a kill racing entry into a wait is never lost (K3), and a wake-up handed to a waiter
 * that dies passes to the next one (K9).
 */
package org.tasklife.sync;
