package org.tasklife.cluster;

import java.time.Duration;
import org.tasklife.Tasks;

/** Jobs the cluster tests place: every member (in-process or a child JVM) has these classes. */
public final class TestJobs {
    private TestJobs() {}

    /** Sleeps until its domain is stopped or killed. */
    public static final class Sleep implements ClusterJob {
        /** The cluster makes it. */
        public Sleep() {}

        @Override
        public int run(JobContext ctx) {
            while (true) {
                Tasks.sleep(Duration.ofHours(1));
            }
        }
    }

    /** Returns its first argument as the exit code. */
    public static final class ExitWith implements ClusterJob {
        /** The cluster makes it. */
        public ExitWith() {}

        @Override
        public int run(JobContext ctx) {
            return (Integer) ctx.args().get(0);
        }
    }

    /** Throws. */
    public static final class Fail implements ClusterJob {
        /** The cluster makes it. */
        public Fail() {}

        @Override
        public int run(JobContext ctx) {
            throw new IllegalStateException("boom in " + ctx.id());
        }
    }

    /** Not a job. */
    public static final class NotAJob {
        /** A class every member has that does not implement ClusterJob. */
        public NotAJob() {}
    }
}
