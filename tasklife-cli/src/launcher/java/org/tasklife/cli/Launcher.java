package org.tasklife.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Main-Class of {@code tasklife.jar}. Compiled for Java 8 (the rest of the jar needs Java 21), so that an
 * older JVM prints one sentence ("tasklife needs Java 21+, found 17 ...") and exits 1 instead of failing with
 * an {@code UnsupportedClassVersionError}. On Java 21+ it runs {@code org.tasklife.cli.Main}, found by
 * reflection so that this class never links against a class file it could not load.
 */
public final class Launcher {
    /** The Java feature release the command needs. */
    static final int REQUIRED = 21;

    private Launcher() {}

    /**
     * Runs the command, or explains why it cannot on this JVM.
     *
     * @param args the command line, passed on to {@code Main}
     * @throws Throwable whatever {@code Main.main} throws
     */
    public static void main(String[] args) throws Throwable {
        String problem = check(System.getProperty("java.specification.version"), System.getProperty("java.version"),
                System.getProperty("java.home"));
        if (problem != null) {
            System.err.println(problem);
            System.exit(1);
            return;
        }
        Method main = Class.forName("org.tasklife.cli.Main").getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * The message for a JVM too old for the command, or {@code null} if it is recent enough.
     *
     * @param specVersion {@code java.specification.version}: "1.8" for Java 8, "17" for Java 17
     * @param version {@code java.version}, shown in the message
     * @param home {@code java.home}, shown in the message
     * @return the message, or {@code null}
     */
    static String check(String specVersion, String version, String home) {
        int major = major(specVersion);
        if (major >= REQUIRED) {
            return null;
        }
        String found = major > 0 ? Integer.toString(major) : String.valueOf(specVersion);
        return "tasklife needs Java " + REQUIRED + "+, found " + found + " (java.version " + version + ", java.home "
                + home + ").\nRun it with a JDK " + REQUIRED + " or newer: bin/tasklife finds one by itself "
                + "(scripts/java-env), or set JAVA_HOME and run $JAVA_HOME/bin/java -jar tasklife.jar.";
    }

    /** The feature release in a specification version ("1.8" is 8, "17" is 17), or 0 if unreadable. */
    static int major(String specVersion) {
        if (specVersion == null) {
            return 0;
        }
        String s = specVersion.startsWith("1.") ? specVersion.substring(2) : specVersion;
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        try {
            return end == 0 ? 0 : Integer.parseInt(s.substring(0, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
