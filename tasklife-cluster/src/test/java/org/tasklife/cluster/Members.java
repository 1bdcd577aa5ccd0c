package org.tasklife.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.tasklife.Kernel;

/** Test helpers: free loopback ports, and in-process members with their kernels. */
final class Members {
    private Members() {}

    /**
     * Hazelcast's own logging in these tests: SEVERE only. A killed member makes it log connection resets with
     * stack traces (WARNING), expected here; kept in a field, since the JDK holds loggers weakly.
     */
    static final java.util.logging.Logger ENGINE_LOG = quiet();

    private static java.util.logging.Logger quiet() {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger("com.hazelcast");
        l.setLevel(java.util.logging.Level.SEVERE);
        return l;
    }

    /** Failure detection of the test clusters (the shortest a config takes is 2 s). */
    static final Duration FAILURE_DETECTION = Duration.ofSeconds(3);

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Integer> freePorts(int n) {
        List<Integer> out = new ArrayList<>();
        while (out.size() < n) {
            int p = freePort();
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    static String[] addresses(List<Integer> ports) {
        return ports.stream().map(p -> "127.0.0.1:" + p).toArray(String[]::new);
    }

    static ClusterConfig config(String cluster, int port, List<Integer> ports) {
        return ClusterConfig.named(cluster).port(port).members(addresses(ports)).cpus(2)
                .failureDetection(FAILURE_DETECTION);
    }

    /** A kernel and its membership, closed together. */
    record Member(Kernel kernel, TasklifeCluster cluster) implements AutoCloseable {
        static Member join(ClusterConfig config) {
            ENGINE_LOG.getLevel(); // set before the first member starts
            Kernel k = Kernel.builder().name("member-" + config.port()).jmx(false)
                    .killGracePeriod(Duration.ofMillis(200)).boot();
            try {
                return new Member(k, TasklifeCluster.join(k, config));
            } catch (RuntimeException e) {
                k.close();
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                cluster.close();
            } finally {
                kernel.close();
            }
        }
    }
}
