package org.tasklife.observer;

import java.util.List;
import org.tasklife.DomainInfo;
import org.tasklife.GroupInfo;
import org.tasklife.KernelSnapshot;
import org.tasklife.TaskInfo;
import org.tasklife.management.KernelView;

/**
 * Writes {@link KernelView}s as JSON: the shape of {@code tasklife tree --json} and {@code ps --json}, which the
 * observer's page reads too. A small writer: no JSON library is needed for this.
 *
 * <p>The shape: {@code {"pid": .., "kernels": [ {"name", "instanceId", "capturedAtMillis", "liveTasks",
 * "openResources", "pendingTimers", "queuedWaitersInJvm", "stuckTasks", "domains": [..], "groups": [..],
 * "tasks": [..]} ]}}, where a domain has {@code id, parentId, name, state, status, liveTasks, groups}, a group
 * {@code id, parentId, domainId, domain, name, state, status, liveTasks, cpuNanos} and a task {@code id, groupId,
 * parentGroupId, domainId, domain, name, state, waitChannel, killed, cpuNanos, ageNanos, ownedResources}.
 */
public final class ViewJson {
    private final StringBuilder sb = new StringBuilder();

    private ViewJson() {}

    /**
     * The views of one JVM's kernels as one JSON object.
     *
     * @param pid the JVM's process id
     * @param views the kernels' views
     * @return the JSON text
     * @throws NullPointerException if {@code views} or one of them is null
     */
    public static String of(long pid, List<KernelView> views) {
        ViewJson j = new ViewJson();
        j.sb.append("{\"pid\":").append(pid).append(",\"kernels\":[");
        for (int i = 0; i < views.size(); i++) {
            if (i > 0) {
                j.sb.append(',');
            }
            j.kernel(views.get(i));
        }
        j.sb.append("]}");
        return j.sb.toString();
    }

    private void kernel(KernelView v) {
        sb.append('{');
        field("name", v.kernel()).append(',');
        field("instanceId", v.instanceId()).append(',');
        field("capturedAtMillis", v.capturedAtMillis()).append(',');
        field("liveTasks", v.liveTasks()).append(',');
        field("openResources", v.openResources()).append(',');
        field("pendingTimers", v.pendingTimers()).append(',');
        field("queuedWaitersInJvm", v.queuedWaitersInJvm()).append(',');
        field("stuckTasks", v.stuckTasks()).append(",\"domains\":[");
        KernelSnapshot snap = v.snapshot();
        for (int i = 0; i < snap.domains().size(); i++) {
            DomainInfo d = snap.domains().get(i);
            sb.append(i > 0 ? ",{" : "{");
            field("id", d.id()).append(',');
            field("parentId", d.parentId()).append(',');
            field("name", d.name()).append(',');
            field("state", d.state().name()).append(',');
            field("status", d.status()).append(',');
            field("liveTasks", d.liveTasks()).append(',');
            field("groups", d.groups()).append('}');
        }
        sb.append("],\"groups\":[");
        for (int i = 0; i < snap.groups().size(); i++) {
            GroupInfo g = snap.groups().get(i);
            sb.append(i > 0 ? ",{" : "{");
            field("id", g.id()).append(',');
            field("parentId", g.parentId()).append(',');
            field("domainId", g.domainId()).append(',');
            field("domain", g.domain()).append(',');
            field("name", g.name()).append(',');
            field("state", g.state().name()).append(',');
            field("status", g.status()).append(',');
            field("liveTasks", g.liveTasks()).append(',');
            field("cpuNanos", g.times().totalNanos()).append('}');
        }
        sb.append("],\"tasks\":[");
        for (int i = 0; i < snap.tasks().size(); i++) {
            TaskInfo t = snap.tasks().get(i);
            sb.append(i > 0 ? ",{" : "{");
            field("id", t.id()).append(',');
            field("groupId", t.groupId()).append(',');
            field("parentGroupId", t.parentGroupId()).append(',');
            field("domainId", t.domainId()).append(',');
            field("domain", t.domain()).append(',');
            field("name", t.name()).append(',');
            field("state", t.state().name()).append(',');
            field("waitChannel", t.waitChannel()).append(',');
            sb.append("\"killed\":").append(t.killed()).append(',');
            field("cpuNanos", t.cpuNanos()).append(',');
            field("ageNanos", t.ageNanos()).append(',');
            field("ownedResources", t.ownedResources()).append('}');
        }
        sb.append("]}");
    }

    private StringBuilder field(String name, long value) {
        return sb.append('"').append(name).append("\":").append(value);
    }

    private StringBuilder field(String name, String value) {
        sb.append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
