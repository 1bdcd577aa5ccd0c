package org.tasklife.bench;

import org.openjdk.jmh.annotations.Threads;

/** {@link ContendedHost} with 2 JMH threads. */
@Threads(2)
public class ContendedHost02 extends ContendedHost {}
