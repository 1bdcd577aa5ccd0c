package org.tasklife.cluster;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.tasklife.Domain;

/** What a {@link ClusterJob} gets: its domain on the member it runs on, the domain's global id and the arguments. */
public final class JobContext {
    private final GlobalId id;
    private final Domain domain;
    private final List<Serializable> args;

    JobContext(GlobalId id, Domain domain, List<Serializable> args) {
        this.id = Objects.requireNonNull(id, "id");
        this.domain = Objects.requireNonNull(domain, "domain");
        this.args = List.copyOf(args);
    }

    /** {@return the domain's global id} */
    public GlobalId id() {
        return id;
    }

    /** {@return the domain the job runs in, on this member} */
    public Domain domain() {
        return domain;
    }

    /** {@return the arguments given to {@link ClusterSpawnOptions#args(Serializable...)}, unmodifiable} */
    public List<Serializable> args() {
        return args;
    }
}
