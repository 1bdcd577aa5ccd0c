package org.tasklife.cluster.demo;

import java.time.Duration;
import org.tasklife.Tasks;
import org.tasklife.cluster.ClusterJob;
import org.tasklife.cluster.JobContext;

/** The demo's job (not API): a domain whose one task sleeps until the domain is stopped or killed. */
public final class Sleeper implements ClusterJob {
    /** Creates the job (the cluster calls it on the member that runs the job). */
    public Sleeper() {}

    @Override
    public int run(JobContext ctx) {
        while (true) {
            Tasks.sleep(Duration.ofHours(1));
        }
    }
}
