package org.tasklife.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import java.util.List;

/**
 * Implementation notes: the Hazelcast configuration of a member, from a {@link ClusterConfig}. Everything that
 * could reach beyond the listed members is off: multicast, auto-detection (and with it every cloud discovery),
 * the phone-home call; the member binds the one configured address (127.0.0.1 by default).
 */
final class Engine {
    private Engine() {}

    /** Partitions of the replicated maps: few, since a tasklife cluster holds little data (Hazelcast: 271). */
    static final String PARTITIONS = "23";

    static Config memberConfig(ClusterConfig c, String instanceName) {
        Config hc = new Config();
        hc.setClusterName(c.name());
        hc.setInstanceName(instanceName);
        int fd = (int) Math.max(2, c.failureDetection().toSeconds());
        hc.setProperty("hazelcast.phone.home.enabled", "false");
        hc.setProperty("hazelcast.logging.type", "jdk");
        hc.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(fd));
        hc.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(Math.max(1, fd / 5)));
        hc.setProperty("hazelcast.wait.seconds.before.join", "1");
        hc.setProperty("hazelcast.max.wait.seconds.before.join", "5");
        hc.setProperty("hazelcast.socket.bind.any", "false");
        hc.setProperty("hazelcast.shutdownhook.enabled", "false");
        hc.setProperty("hazelcast.health.monitoring.level", "OFF");
        hc.setProperty("hazelcast.partition.count", PARTITIONS);
        hc.setProperty("hazelcast.graceful.shutdown.max.wait", "20");
        hc.getJetConfig().setEnabled(false);

        NetworkConfig n = hc.getNetworkConfig();
        n.setPort(c.port()).setPortAutoIncrement(false);
        n.getInterfaces().setEnabled(true).addInterface(c.bindAddress());
        JoinConfig j = n.getJoin();
        j.getMulticastConfig().setEnabled(false);
        j.getAutoDetectionConfig().setEnabled(false);
        List<String> members = c.members().isEmpty() ? List.of(c.bindAddress() + ":" + c.port()) : c.members();
        j.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2).setMembers(members);

        hc.getMemberAttributeConfig().setAttribute(Wire.LABELS_ATTRIBUTE, String.join(",", c.labels()));
        hc.getMapConfig(Wire.PLACEMENTS).setBackupCount(2);
        hc.getMapConfig(Wire.MEMBERS).setBackupCount(2);
        hc.getMapConfig(Wire.ENDS).setBackupCount(2).setTimeToLiveSeconds(3600);
        hc.getExecutorConfig(Wire.EXECUTOR).setPoolSize(16);
        return hc;
    }
}
