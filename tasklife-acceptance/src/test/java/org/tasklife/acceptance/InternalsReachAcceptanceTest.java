package org.tasklife.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tasklife.Kernel;

/**
 * SPEC D5 and its stated limit: a tenant's code that reaches for tasklife's internals (a public method of
 * an internal class, a private field through setAccessible) is refused by the JVM when tasklife is on the
 * module path, and is not when tasklife is on the class path. The tenant runs in a child JVM.
 */
class InternalsReachAcceptanceTest {

    @TempDir
    static Path work;
    private static Path tenantClasses;
    private static Path tasklife;

    @BeforeAll
    static void compileTenant() throws Exception {
        tasklife = Path.of(Kernel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path sources = Path.of(InternalsReachAcceptanceTest.class.getResource("/tenant-module/module-info.java").toURI())
                .getParent();
        tenantClasses = work.resolve("tenant");
        List<String> files;
        try (Stream<Path> s = Files.walk(sources)) {
            files = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK's compiler (the tests run on a JDK)").isNotNull();
        List<String> cmd = new ArrayList<>(List.of("--release", "21", "-d", tenantClasses.toString(),
                "--module-path", tasklife.toString()));
        cmd.addAll(files);
        StringWriter err = new StringWriter();
        int rc = javac.run(null, null, new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                err.write(b);
            }
        }, true), cmd.toArray(String[]::new));
        assertThat(rc).as("javac: %s", err).isZero();
    }

    /** SPEC D5: on the module path every reach into tasklife's internals is refused, and B's task survives. */
    @Test
    void modulePath_internalsOutOfReach_victimUntouched() throws Exception {
        List<String> out = run("--module-path", tasklife + File.pathSeparator + tenantClasses, "-m", "tenant/tenant.Main");
        assertThat(out).contains("refused: direct API (DomainAccessException)")
                .anyMatch(l -> l.startsWith("refused: public method of an internal class"))
                .anyMatch(l -> l.startsWith("refused: private field by setAccessible (InaccessibleObjectException)"))
                .anyMatch(l -> l.startsWith("refused: internal class by name (IllegalAccessException)"))
                .noneMatch(l -> l.startsWith("reached"))
                .endsWith("victim untouched");
    }

    /**
     * The documented limit: on the class path a tenant reaches the internals and kills B's task (this is why
     * tenants must run with tasklife on the module path); the API itself still refuses.
     */
    @Test
    void classPath_internalsReachable_documentedLimit() throws Exception {
        List<String> out = run("-cp", tasklife + File.pathSeparator + tenantClasses, "tenant.Main");
        assertThat(out).contains("refused: direct API (DomainAccessException)")
                .anyMatch(l -> l.startsWith("reached:"))
                .endsWith("victim killed");
    }

    private static List<String> run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended) {
            p.destroyForcibly();
        }
        assertThat(ended).as("child JVM ended; output:%n%s", text).isTrue();
        assertThat(p.exitValue()).as("child JVM exit; output:%n%s", text).isZero();
        return text.lines().toList();
    }
}
