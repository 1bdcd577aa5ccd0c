package com.example.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.tasklife.Kernel;

/** The tour runs on the module path, with this project's JUnit and no other. */
class ApiTourTest {
    /** tasklife is a named module on the module path, read by this project's module. */
    @Test
    void tasklife_isANamedModule() {
        assertEquals("org.tasklife", Kernel.class.getModule().getName());
        assertEquals("com.example.tour", ApiTour.class.getModule().getName());
        assertTrue(ApiTour.class.getModule().canRead(Kernel.class.getModule()));
    }

    /** The JUnit in use is the one this project asked for: tasklife-junit brought none of its own. */
    @Test
    void junit_isThisProjectsVersion() {
        String expected = System.getProperty("expected.junit.version");
        String api = Test.class.getProtectionDomain().getCodeSource().getLocation().toString();
        assertTrue(api.endsWith("junit-jupiter-api-" + expected + ".jar"), api);
        String paths = System.getProperty("jdk.module.path", "") + java.io.File.pathSeparator
                + System.getProperty("java.class.path", "");
        for (String entry : paths.split(java.io.File.pathSeparator)) {
            if (entry.contains("junit-jupiter-api-")) {
                assertTrue(entry.endsWith("junit-jupiter-api-" + expected + ".jar"), "another JUnit: " + entry);
            }
        }
    }

    /**
     * The tour prints what the README says: the worker's result, the child's status, the resource closed,
     * Killed, the misuse's reason, the process table.
     */
    @Test
    void tour_runs() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            ApiTour.main(new String[0]);
        } finally {
            System.setOut(out);
        }
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("joined 42"), printed);
        assertTrue(printed.contains("child Exited(7)"), printed);
        assertTrue(printed.contains("closed"), printed);
        assertTrue(printed.contains("status Killed"), printed);
        assertTrue(printed.contains("reason NOT_IN_TASK"), printed);
        assertTrue(printed.contains("    TID    TGID    PPID DOMAIN"), printed);
        assertTrue(printed.contains("tasklife module: org.tasklife"), printed);
    }
}
