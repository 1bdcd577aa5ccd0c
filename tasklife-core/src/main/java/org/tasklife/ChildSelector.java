package org.tasklife;

/**
 * Which children a child wait considers (docs/contract.md, W1): any child, or the one with a given group
 * id.
 */
public final class ChildSelector {
    private static final ChildSelector ANY = new ChildSelector(-1);
    private final long groupId;

    private ChildSelector(long groupId) {
        this.groupId = groupId;
    }

    /** {@return a selector of any child group ({@code wait4(-1)})} */
    public static ChildSelector any() {
        return ANY;
    }

    /**
     * The child group with id {@code groupId}.
     *
     * @param groupId the child's group id
     * @return a selector of that child only
     * @throws IllegalArgumentException if {@code groupId} is not positive
     */
    public static ChildSelector group(long groupId) {
        if (groupId <= 0) {
            throw new IllegalArgumentException("groupId must be positive, was " + groupId);
        }
        return new ChildSelector(groupId);
    }

    /**
     * {@return whether a child with id {@code id} matches}
     *
     * @param id a child group's id
     */
    public boolean matches(long id) {
        return groupId == -1 || groupId == id;
    }

    /** {@return the selected id, or -1 for any} */
    public long groupId() {
        return groupId;
    }

    @Override
    public String toString() {
        return groupId == -1 ? "any child" : "child " + groupId;
    }
}
