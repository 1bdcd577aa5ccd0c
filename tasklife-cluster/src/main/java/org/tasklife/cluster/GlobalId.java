package org.tasklife.cluster;

import java.io.Serializable;

/**
 * A cluster-wide id: the member that owns the target plus the target's id in that member's kernel, written
 * {@code m2:17}. Member numbers are handed out once per join and never reused while the cluster lives, and a
 * kernel never reuses its ids (docs/contract.md), so a global id is never reused either: a restarted domain
 * gets a new one.
 *
 * @param member the owning member's number (see {@link TasklifeCluster#memberNumber()}), at least 1
 * @param local the id in the owning member's kernel (a domain, a group or a task id), at least 1
 */
public record GlobalId(int member, long local) implements Serializable, Comparable<GlobalId> {
    private static final long serialVersionUID = 1L;

    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException if {@code member} or {@code local} is below 1
     */
    public GlobalId {
        if (member < 1) {
            throw new IllegalArgumentException("member must be at least 1, was " + member);
        }
        if (local < 1) {
            throw new IllegalArgumentException("local must be at least 1, was " + local);
        }
    }

    /**
     * Parses the form {@link #toString()} writes, {@code m2:17}.
     *
     * @param text the id as text
     * @return the id
     * @throws IllegalArgumentException if {@code text} is not of the form {@code m<member>:<local>} with
     *     positive numbers
     */
    public static GlobalId parse(String text) {
        if (text == null || !text.matches("m[0-9]{1,9}:[0-9]{1,18}")) {
            throw new IllegalArgumentException("id must be of the form m<member>:<local>, e.g. m2:17, was " + text);
        }
        int colon = text.indexOf(':');
        return new GlobalId(Integer.parseInt(text.substring(1, colon)), Long.parseLong(text.substring(colon + 1)));
    }

    /** {@return the id as {@code m<member>:<local>}, e.g. {@code m2:17}} */
    @Override
    public String toString() {
        return "m" + member + ":" + local;
    }

    /** Orders by member, then by local id. */
    @Override
    public int compareTo(GlobalId o) {
        int c = Integer.compare(member, o.member);
        return c != 0 ? c : Long.compare(local, o.local);
    }
}
