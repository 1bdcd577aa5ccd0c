package org.tasklife.cli;

/**
 * ANSI styling, or none: {@code --no-color}, a {@code NO_COLOR} environment variable or output that is not a
 * terminal turn it off.
 */
final class Style {
    static final Style PLAIN = new Style(false);
    static final Style ANSI = new Style(true);

    private final boolean on;

    private Style(boolean on) {
        this.on = on;
    }

    /** The style for a command's output: plain unless the output is a terminal and color is wanted. */
    static Style choose(boolean noColor) {
        boolean terminal = System.console() != null;
        boolean envOff = System.getenv("NO_COLOR") != null && !System.getenv("NO_COLOR").isEmpty();
        return !noColor && terminal && !envOff ? ANSI : PLAIN;
    }

    boolean isOn() {
        return on;
    }

    String bold(String s) {
        return wrap("1", s);
    }

    String dim(String s) {
        return wrap("2", s);
    }

    String green(String s) {
        return wrap("32", s);
    }

    String red(String s) {
        return wrap("31", s);
    }

    String yellow(String s) {
        return wrap("33", s);
    }

    String cyan(String s) {
        return wrap("36", s);
    }

    private String wrap(String code, String s) {
        return on ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }
}
