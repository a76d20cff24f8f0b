package engine;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import kit.Course;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What every tool's main does (workbook, verify, site, grade): UTF-8 output, quiet libraries, its picocli command
 * run, and one way to end. Bad input is one line, "TOOL: what is wrong", and a non-zero exit code, never a stack
 * trace: a {@link UserError}'s message and code, or picocli's message about the arguments with where to read more
 * (exit 2). A bug of ours is one line too ("TOOL: java.lang...."), exit 1.
 */
public final class Tool {
    private Tool() {}

    /** Runs {@code command} with {@code args} and exits with its code. */
    public static void main(Object command, String... args) {
        int code = run(command, args);
        // Exit explicitly: servers started by tests can keep non-daemon threads alive after they stop.
        System.exit(code);
    }

    /** The course's folder ({@link Course#root()}), or a {@link UserError} that says to run the tool from inside it. */
    public static Path root() {
        try {
            return Course.root();
        } catch (IllegalStateException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** Runs {@code command} with {@code args}; answers its exit code. */
    public static int run(Object command, String... args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // Our output is UTF-8 (✓, ✗, ·) even where the locale is not set, as in CI and minimal containers.
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler(Tool::failed);
        cli.setParameterExceptionHandler(Tool::badArguments);
        int code = cli.execute(args);
        System.out.flush();
        return code;
    }

    private static int failed(Exception e, CommandLine command, ParseResult parsed) {
        String tool = command.getCommandSpec().root().name();
        if (e instanceof UserError u) {
            if (u.exitCode() == 0) System.out.println(u.getMessage());
            else System.err.println(tool + ": " + u.getMessage());
            return u.exitCode();
        }
        System.err.println(tool + ": " + e);  // a bug of ours: one line still, and a non-zero exit
        return 1;
    }

    private static int badArguments(ParameterException e, String[] args) {
        String command = e.getCommandLine().getCommandSpec().qualifiedName(" ");   // "workbook check"
        String problem = e.getMessage();
        if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            problem = "'" + u.getUnmatched().get(0) + "' is not known here. Did you mean " + String.join(" or ", u.getSuggestions()) + "?";
        }
        System.err.println(command + ": " + problem + " (see ./jbang " + command + " --help)");
        return 2;
    }
}
