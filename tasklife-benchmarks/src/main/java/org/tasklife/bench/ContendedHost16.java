package org.tasklife.bench;

import org.openjdk.jmh.annotations.Threads;

/** {@link ContendedHost} with 16 JMH threads. */
@Threads(16)
public class ContendedHost16 extends ContendedHost {}
