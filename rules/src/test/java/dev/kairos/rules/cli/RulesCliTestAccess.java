package dev.kairos.rules.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line from tests in other packages; answers stdout. */
public final class RulesCliTestAccess {
    private RulesCliTestAccess() {}

    public static String run(String... args) {
        StringWriter out = new StringWriter();
        RulesCli.run(args, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        return out.toString();
    }
}
