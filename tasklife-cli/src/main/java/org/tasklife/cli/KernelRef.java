package org.tasklife.cli;

import java.io.IOException;
import org.tasklife.management.KernelMXBean;
import org.tasklife.management.KernelView;

/**
 * One kernel of the target JVM: its name, its JVM-unique instance id, and a proxy of its MXBean.
 *
 * @param name the kernel's name
 * @param instanceId the {@code id} key of its object name
 * @param mx a proxy of its MXBean
 */
record KernelRef(String name, long instanceId, KernelMXBean mx) {
    String label() {
        return name + "#" + instanceId;
    }

    /**
     * The kernel's view.
     *
     * @throws CliException if the connection broke (the JVM exited) or the kernel closed meanwhile
     */
    KernelView snapshot() {
        try {
            return mx.getSnapshot();
        } catch (RuntimeException e) {
            Throwable c = e;
            while (c != null && !(c instanceof IOException) && !(c instanceof javax.management.InstanceNotFoundException)) {
                c = c.getCause();
            }
            if (c == null) {
                throw e;
            }
            throw new CliException("lost kernel " + label() + ": " + (c instanceof IOException
                    ? "the JVM closed the connection (" + c.getMessage() + ")" : "it was closed"), e);
        }
    }
}
