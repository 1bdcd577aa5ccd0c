package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    /** The committed dump, relative to the module's directory (where Maven runs the tests). */
    static final Path DUMP = Path.of("api", "tasklife-core.api");
    private static final String HOW = "if the change is intended, regenerate the dump with `scripts/api-dump`"
            + " (or run this test with -Dtasklife.api.update=true) and commit tasklife-core/" + DUMP + " with the change";

    /** The exported packages' types and signatures are exactly those of the committed dump. */
    @Test
    void publicApi_sameAsCommittedDump() throws IOException {
        String actual = ApiDump.of(Path.of("target", "classes"), PublicApiTest.class.getClassLoader());
        if (Boolean.getBoolean("tasklife.api.update")) {
            Files.createDirectories(DUMP.getParent());
            Files.writeString(DUMP, actual);
            System.out.println("PublicApiTest: wrote " + DUMP.toAbsolutePath());
            return;
        }
        if (!Files.exists(DUMP)) {
            throw new AssertionError("no API dump at " + DUMP.toAbsolutePath() + "; " + HOW);
        }
        String expected = Files.readString(DUMP);
        if (!expected.equals(actual)) {
            throw new AssertionError("the public API differs from tasklife-core/" + DUMP + " (- only in the dump, + only in the"
                    + " class files):\n" + diff(expected, actual) + "\n" + HOW);
        }
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
     * keeps the JDK's {@code isX()} predicates: {@code Task.isKilled()}, {@code Mutex.isLocked()}).
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
            if (!mxBean && line.matches(".* get[A-Z]\\w*\\(.*") || options && line.matches(".* is[A-Z]\\w*\\(.*")) {
                offenders.add(type.replaceAll(".* (class|interface|enum|record) ", "") + ": " + line.strip());
            }
        }
        assertThat(offenders).as("get/is accessors on value types").isEmpty();
    }

    /** Type by type: removed and added types, then each type's removed and added members. */
    static String diff(String expected, String actual) {
        Map<String, List<String>> e = blocks(expected);
        Map<String, List<String>> a = blocks(actual);
        StringBuilder sb = new StringBuilder();
        for (var type : e.entrySet()) {
            if (!a.containsKey(type.getKey())) {
                sb.append("- ").append(type.getKey()).append('\n');
            }
        }
        for (var type : a.entrySet()) {
            if (!e.containsKey(type.getKey())) {
                sb.append("+ ").append(type.getKey()).append('\n');
                continue;
            }
            List<String> removed = new ArrayList<>(e.get(type.getKey()));
            removed.removeAll(type.getValue());
            List<String> added = new ArrayList<>(type.getValue());
            added.removeAll(e.get(type.getKey()));
            if (!removed.isEmpty() || !added.isEmpty()) {
                sb.append("  ").append(type.getKey()).append('\n');
                removed.forEach(m -> sb.append("-   ").append(m).append('\n'));
                added.forEach(m -> sb.append("+   ").append(m).append('\n'));
            }
        }
        return sb.length() == 0 ? "(only the header or the layout differs)\n" : sb.toString();
    }

    private static Map<String, List<String>> blocks(String dump) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : dump.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("  ")) {
                if (current != null) {
                    current.add(line.strip());
                }
            } else {
                current = new ArrayList<>();
                out.put(line, current);
            }
        }
        return out;
    }
}
