package org.tasklife.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.tasklife.Kernel;

/** The values of the cluster API without a cluster: configuration, spawn options and global ids. */
class ClusterConfigTest {
    /** The defaults are loopback-only, with the documented figures. */
    @Test
    void named_defaults_loopbackTenSecondsStop() {
        ClusterConfig c = ClusterConfig.named("jobs");
        assertThat(c.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(5701);
        assertThat(c.members()).isEmpty();
        assertThat(c.failureDetection()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.leavePolicy()).isEqualTo(LeavePolicy.STOP);
        assertThat(c.cpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    /** Bad configuration values: IllegalArgumentException naming the argument and the rule. */
    @Test
    void setters_badValues_illegalArgumentNamingTheRule() {
        ClusterConfig c = ClusterConfig.named("jobs");
        assertThatThrownBy(() -> ClusterConfig.named("a b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clusterName");
        assertThatThrownBy(() -> c.port(0)).hasMessageContaining("port must be in 1..65535, was 0");
        assertThatThrownBy(() -> c.members("localhost")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> c.bindAddress("example.org")).hasMessageContaining("bindAddress");
        assertThatThrownBy(() -> c.labels("a,b")).hasMessageContaining("labels");
        assertThatThrownBy(() -> c.cpus(0)).hasMessageContaining("cpus must be at least 1");
        assertThatThrownBy(() -> c.failureDetection(Duration.ofSeconds(1))).hasMessageContaining("at least 2 s");
        assertThatThrownBy(() -> c.onLeave(LeavePolicy.STOP, Duration.ofSeconds(-1))).hasMessageContaining("timeout");
        assertThat(c.port(5702).labels("b", "a").labels()).containsExactly("a", "b");
        assertThat(c.port()).as("unchanged: setters copy").isEqualTo(5701);
    }

    /** Spawn options check as DomainOptions does, and copy. */
    @Test
    void spawnOptions_badValues_illegalArgument() {
        ClusterSpawnOptions o = ClusterSpawnOptions.named("d");
        assertThatThrownBy(() -> ClusterSpawnOptions.named(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.maxTasks(0)).hasMessageContaining("maxTasks must be at least 1");
        assertThatThrownBy(() -> o.restartOnMemberLoss(-1)).hasMessageContaining("restartOnMemberLoss");
        assertThatThrownBy(() -> o.requireLabels("")).hasMessageContaining("requireLabels");
        assertThat(o.maxTasks(3).restartOnMemberLoss(2).requireLabels("x").toString())
                .isEqualTo("ClusterSpawnOptions[name=d, maxTasks=3, args=0, requireLabels=[x], restartOnMemberLoss=2]");
    }

    /** Global ids print and parse as m&lt;member&gt;:&lt;local&gt;; bad text is refused. */
    @Test
    void globalId_parseAndPrint_roundTrip() {
        GlobalId id = new GlobalId(2, 17);
        assertThat(id).hasToString("m2:17");
        assertThat(GlobalId.parse("m2:17")).isEqualTo(id);
        assertThatThrownBy(() -> GlobalId.parse("2:17")).hasMessageContaining("m<member>:<local>");
        assertThatThrownBy(() -> GlobalId.parse("m0:17")).hasMessageContaining("member must be at least 1");
        assertThatThrownBy(() -> new GlobalId(1, 0)).hasMessageContaining("local must be at least 1");
        assertThat(new GlobalId(1, 9)).isLessThan(new GlobalId(2, 1));
    }

    /** A port in use: join fails with IllegalStateException naming the address, and starts nothing. */
    @Test
    void join_portInUse_illegalStateNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Kernel k = Kernel.builder().jmx(false).boot()) {
            int port = taken.getLocalPort();
            java.util.logging.Level before = Members.ENGINE_LOG.getLevel();
            Members.ENGINE_LOG.setLevel(java.util.logging.Level.OFF); // Hazelcast logs the BindException, SEVERE
            try {
                assertThatThrownBy(() -> TasklifeCluster.join(k, ClusterConfig.named("busy").port(port)))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("127.0.0.1:" + port);
            } finally {
                Members.ENGINE_LOG.setLevel(before);
            }
            assertThat(com.hazelcast.core.Hazelcast.getAllHazelcastInstances()).noneMatch(h -> h.getConfig()
                    .getClusterName().equals("busy"));
        }
    }
}
