package org.tasklife.bench;

import org.openjdk.jmh.annotations.Threads;

/** {@link ContendedHost} with 4 JMH threads. */
@Threads(4)
public class ContendedHost04 extends ContendedHost {}
