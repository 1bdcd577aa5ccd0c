/**
 * The {@code tasklife} command line: {@code demo}, and {@code ps}, {@code top}, {@code tree}, {@code kill},
 * {@code stop} on a running JVM, which they reach through the JDK attach API and the
 * {@link org.tasklife.management.KernelMXBean} of each kernel in it. Parsing and printing only: every
 * action is an operation of the MXBean.
 */
package org.tasklife.cli;
