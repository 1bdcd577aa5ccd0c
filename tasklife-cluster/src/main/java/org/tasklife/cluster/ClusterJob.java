package org.tasklife.cluster;

/**
 * A job the cluster can start on any member: named by its class, never shipped as code. Every member has the
 * class on its class path; the member the cluster places the job on makes an instance with the public no-argument
 * constructor and runs {@link #run(JobContext)} as the main task of a group in a new domain. The domain stops
 * when the job's group ends, with the group's status (as {@code DomainOptions.stopWhenEmpty}), or when it is
 * stopped by id from any member.
 *
 * <pre>{@code
 * public final class Crawl implements ClusterJob {
 *     public int run(JobContext ctx) throws Exception {
 *         String site = (String) ctx.args().get(0);
 *         ...
 *         return 0;
 *     }
 * }
 * RemoteDomain d = cluster.spawnDomain(Crawl.class, ClusterSpawnOptions.named("crawl").args("example.org"));
 * }</pre>
 */
@FunctionalInterface
public interface ClusterJob {
    /**
     * Runs the job, as the main task of a group in its domain: it may spawn more tasks and groups there.
     *
     * @param ctx the domain, its global id and the arguments
     * @return the group's exit code (and so the domain's, when nothing else ends it)
     * @throws Exception ends the group, and the domain, as {@code Failed}
     */
    int run(JobContext ctx) throws Exception;
}
