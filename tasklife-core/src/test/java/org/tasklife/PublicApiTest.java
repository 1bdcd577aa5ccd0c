package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.ApiDump;

/**
 * Pins the public API (STYLE G11): the types and signatures of the exported packages, read from the class
 * files, must equal the committed dump {@code tasklife-core/api/tasklife-core.api}. A change to the surface
 * therefore shows in review as a change to that file, and cannot grow unnoticed.
 *
 * <p>To accept a change on purpose, regenerate the dump and commit it with the change:
 * <pre>
 * scripts/api-dump
 * </pre>
 * (the same as running this test with {@code -Dtasklife.api.update=true}).
 */
class PublicApiTest {
    /** The exported packages' types and signatures are exactly those of the committed dump. */
    @Test
    void publicApi_sameAsCommittedDump() throws IOException {
        ApiDump.check(Path.of("target", "classes"), Path.of("api", "tasklife-core.api"), "tasklife-core",
                PublicApiTest.class.getClassLoader());
    }

    /** The dump is deterministic: two dumps of the same classes are equal, and it lists the handles. */
    @Test
    void apiDump_sameClasses_sameText() {
        String a = ApiDump.of(Path.of("target", "classes"), PublicApiTest.class.getClassLoader());
        String b = ApiDump.of(Path.of("target", "classes"), PublicApiTest.class.getClassLoader());
        assertThat(a).isEqualTo(b).contains("public final class org.tasklife.Kernel implements java.lang.AutoCloseable")
                .doesNotContain("org.tasklife.internal.");
    }

    /**
     * Record-style accessors: the exported API names a property as a record names its component ({@code name()},
     * {@code priority()}, {@code detached()}), never {@code getX()}, except the MXBean, whose attributes JMX
     * finds by that prefix; the options have no {@code isX()} either (live state of a handle or a primitive
     * keeps the JDK's {@code isX()} predicates: {@code Task.isKilled()}, {@code Mutex.isLocked()}); an override of a
     * JDK accessor keeps the JDK's name ({@code TaskKilledError.getMessage()}).
     */
    @Test
    void publicApi_recordStyleAccessors_noGetPrefixOutsideTheMXBean() {
        String dump = ApiDump.of(Path.of("target", "classes"), PublicApiTest.class.getClassLoader());
        String type = "";
        List<String> offenders = new ArrayList<>();
        for (String line : dump.split("\n")) {
            if (!line.startsWith("  ")) {
                type = line;
                continue;
            }
            boolean mxBean = type.contains("org.tasklife.management.KernelMXBean");
            boolean options = type.contains("org.tasklife.SpawnOptions") || type.contains("org.tasklife.DomainOptions");
            boolean jdkOverride = line.contains(" getMessage()"); // Throwable's own accessor, overridden
            if (!mxBean && !jdkOverride && line.matches(".* get[A-Z]\\w*\\(.*") || options && line.matches(".* is[A-Z]\\w*\\(.*")) {
                offenders.add(type.replaceAll(".* (class|interface|enum|record) ", "") + ": " + line.strip());
            }
        }
        assertThat(offenders).as("get/is accessors on value types").isEmpty();
    }
}
