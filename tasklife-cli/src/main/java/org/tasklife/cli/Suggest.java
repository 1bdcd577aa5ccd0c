package org.tasklife.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Usage errors (exit 2): the message, "Did you mean" for a misspelled subcommand, and where to find help.
 * Picocli's own suggestions miss transpositions ({@code dmeo}); these use the edit distance with
 * transpositions, at most 2.
 */
final class Suggest {
    private Suggest() {}

    static int handle(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(ex.getMessage());
        List<String> near = List.of();
        if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !cmd.getSubcommands().isEmpty()) {
            near = near(u.getUnmatched().get(0), cmd.getSubcommands().keySet());
        }
        if (!near.isEmpty()) {
            err.println("Did you mean: " + String.join(" or ", near.stream().map(n -> cmd.getCommandName() + " " + n)
                    .toList()) + "?");
        }
        err.println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return CliException.USAGE;
    }

    /** The names within edit distance 2 (with transpositions) of {@code typed}, closest first. */
    static List<String> near(String typed, Iterable<String> names) {
        List<String> out = new ArrayList<>();
        for (int d = 1; d <= 2; d++) {
            for (String n : names) {
                if (distance(typed, n) == d) {
                    out.add(n);
                }
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
        return out;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
