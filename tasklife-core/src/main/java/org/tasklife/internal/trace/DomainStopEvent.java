package org.tasklife.internal.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * A domain stop (contract D2): begins when {@code Domain.stop} records the status, ends when the domain has
 * stopped (no live task in it or below), so its duration is the time the whole stop took.
 */
@Name("org.tasklife.DomainStop")
@Label("Domain Stop")
@Category("tasklife")
@Description("A tasklife domain was stopped; the duration is the time until its last task ended")
@StackTrace(false)
@Threshold("0 ns")
final class DomainStopEvent extends jdk.jfr.Event {
    @Label("Kernel")
    String kernel;

    @Label("Domain Id")
    long domainId;

    @Label("Domain")
    String domain;

    @Label("Status")
    String status;

    @Label("Task Count")
    @Description("Live tasks of the domain and the domains below it when the stop began")
    long taskCount;
}
