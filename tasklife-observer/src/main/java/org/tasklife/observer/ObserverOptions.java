package org.tasklife.observer;

import java.util.Objects;

/**
 * Where an {@link Observer} listens: a port on the loopback address. Immutable; each setter returns a copy.
 *
 * <pre>{@code
 * ObserverOptions.defaults().port(8750)
 * }</pre>
 *
 * <p>The observer serves on loopback only: {@code 127.0.0.1} (or its name {@code localhost}). Any other bind
 * address, the wildcard {@code 0.0.0.0} included, is refused: the page can kill tasks, and its token is the only
 * guard against other users of the same machine; it must not be reachable from another one.
 */
public final class ObserverOptions {
    /** The one address the observer listens on. */
    public static final String LOOPBACK = "127.0.0.1";

    private static final ObserverOptions DEFAULTS = new ObserverOptions(0);

    private final int port; // 0..65535; 0: a free port chosen by the system

    private ObserverOptions(int port) {
        this.port = port;
    }

    /**
     * The defaults: a free port chosen by the system, on {@value #LOOPBACK}.
     *
     * @return the default options
     */
    public static ObserverOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The port to listen on.
     *
     * @param port 1 to 65535, or 0 for a free port chosen by the system
     * @return options with this port
     * @throws IllegalArgumentException if {@code port} is outside 0..65535
     */
    public ObserverOptions port(int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " is not a TCP port (0 to 65535; 0 picks a free one)");
        }
        return new ObserverOptions(port);
    }

    /**
     * Checks a bind address: the observer listens on loopback only, so the one accepted address is
     * {@value #LOOPBACK} (also written {@code localhost}). Tools that take a bind address from their user call
     * this to refuse any other with the rule in the message.
     *
     * @param address the asked-for bind address
     * @return this (unchanged) options
     * @throws IllegalArgumentException if {@code address} is not {@value #LOOPBACK} or {@code localhost}
     * @throws NullPointerException if {@code address} is null
     */
    public ObserverOptions bindAddress(String address) {
        Objects.requireNonNull(address, "address");
        if (!address.equals(LOOPBACK) && !address.equalsIgnoreCase("localhost")) {
            throw new IllegalArgumentException("bind address '" + address + "' refused: the observer listens on "
                    + LOOPBACK + " (loopback) only, since its page can kill tasks");
        }
        return this;
    }

    /**
     * {@return the port to listen on; 0 for a free port chosen by the system}
     */
    public int port() {
        return port;
    }

    /**
     * {@return the address to listen on: always {@value #LOOPBACK}}
     */
    public String bindAddress() {
        return LOOPBACK;
    }

    @Override
    public String toString() {
        return "ObserverOptions[" + LOOPBACK + ":" + port + "]";
    }
}
