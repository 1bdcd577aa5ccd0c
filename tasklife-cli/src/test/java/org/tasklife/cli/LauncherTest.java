package org.tasklife.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code tasklife.jar}'s Main-Class, {@link Launcher}: built for Java 8 so that an old JVM gets "needs Java
 * 21+, found 17" instead of a class-version error.
 */
class LauncherTest {
    private static final Path CLASSES = Path.of("target/classes");

    /** The message names the required and the found release, for both version formats. */
    @Test
    void check_oldJvm_namesRequiredAndFound() {
        assertThat(Launcher.check("17", "17.0.15", "/jdk17")).startsWith("tasklife needs Java 21+, found 17 (")
                .contains("17.0.15", "/jdk17");
        assertThat(Launcher.check("1.8", "1.8.0_402", "/jre8")).startsWith("tasklife needs Java 21+, found 8 (");
        assertThat(Launcher.check("21", "21.0.2", "/jdk21")).isNull();
        assertThat(Launcher.check("25", "25", "/jdk25")).isNull();
        assertThat(Launcher.check(null, null, null)).startsWith("tasklife needs Java 21+, found null");
    }

    /** The launcher's class file is Java 8's (major 52), so any JVM from 8 on loads it. */
    @Test
    void launcherClassFile_isJava8() throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(
                CLASSES.resolve("org/tasklife/cli/Launcher.class")))) {
            assertThat(in.readInt()).isEqualTo(0xCAFEBABE);
            in.readUnsignedShort(); // minor
            assertThat(in.readUnsignedShort()).isEqualTo(52);
        }
    }

    /** The jar's Main-Class is the launcher (the property both the jar and the shaded jar use). */
    @Test
    void pom_mainClass_isLauncher() throws IOException {
        assertThat(Files.readString(Path.of("pom.xml")))
                .contains("<tasklife.cli.mainClass>org.tasklife.cli.Launcher</tasklife.cli.mainClass>");
    }

    /** Run by a JVM older than 21 (if this machine has one), the launcher prints the sentence and exits 1. */
    @Test
    void launcher_onOldJvm_saysNeedsJava21AndExits1() throws Exception {
        Optional<Path> old = olderJava();
        Assumptions.assumeTrue(old.isPresent(), "no Java 8-20 on this machine (java on PATH, /usr/lib/jvm)");
        Process p = new ProcessBuilder(old.get().toString(), "-cp", CLASSES.toString(), "org.tasklife.cli.Launcher",
                "--help").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        assertThat(out).startsWith("tasklife needs Java 21+, found ").doesNotContain("UnsupportedClassVersionError");
    }

    /** A java launcher of release 8 to 20: the one on PATH, else one under /usr/lib/jvm. */
    private static Optional<Path> olderJava() throws IOException, InterruptedException {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "java"));
            }
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                s.sorted().forEach(d -> candidates.add(d.resolve("bin/java")));
            }
        }
        for (Path java : candidates) {
            if (Files.isExecutable(java)) {
                int major = majorOf(java);
                if (major >= 8 && major < Launcher.REQUIRED) {
                    return Optional.of(java);
                }
            }
        }
        return Optional.empty();
    }

    private static int majorOf(Path java) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java.toString(), "-XshowSettings:properties", "-version")
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return 0;
        }
        for (String line : out.split("\n")) {
            String t = line.trim();
            if (t.startsWith("java.specification.version = ")) {
                return Launcher.major(t.substring("java.specification.version = ".length()));
            }
        }
        return 0;
    }
}
