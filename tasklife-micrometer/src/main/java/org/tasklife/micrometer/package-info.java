/**
 * Micrometer metrics of a tasklife kernel: {@code new TasklifeMetrics(kernel).bindTo(registry)}.
 *
 * <p>Every gauge reads the kernel's public introspection ({@link org.tasklife.Kernel#snapshot()} and its
 * counts); running totals of spawns, exits and kills are not there yet (see {@link TasklifeMetrics}).
 */
package org.tasklife.micrometer;
