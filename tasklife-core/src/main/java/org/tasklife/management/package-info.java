/**
 * The JMX view of a kernel: the {@link org.tasklife.management.KernelMXBean} interface that every
 * {@link org.tasklife.Kernel} registers in the platform MBean server while it is booted, and the
 * {@link org.tasklife.management.KernelView} it returns (the kernel's counters and its
 * {@link org.tasklife.KernelSnapshot}, whose rows are JMX open types as they are).
 *
 * <p>This package is exported because JMX requires an MXBean interface, and the types it returns, to be
 * public and accessible to {@code java.management}; it is also what a JMX client (the {@code tasklife}
 * command line tool, JConsole, a monitoring agent) programs against, for example with
 * {@code JMX.newMXBeanProxy(connection, name, KernelMXBean.class)}. It holds no implementation.
 *
 * <p>Object names have the form {@code org.tasklife:type=Kernel,name=<kernel name>,id=<n>}, where
 * {@code n} is unique in the JVM, so two kernels with one name both appear;
 * {@link org.tasklife.management.KernelMXBean#QUERY} matches all of them.
 */
package org.tasklife.management;
