package org.tasklife.internal.wait;

/**
 * A wait channel described from its node when a snapshot asks (a sleep's time left is its timer's): one shared
 * object serves every wait of its kind, where a channel holding the wait's own data would be one more object per
 * waiting task.
 */
@FunctionalInterface
public interface NodeChannel {
    /**
     * Describes the wait of {@code node}, whose channel this is.
     *
     * @param node a node made with this channel
     * @return the text a snapshot shows for the wait
     */
    String describe(WaitNode node);
}
