package io.detkit.tools.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code detkit} command and its subcommands: {@code train}, {@code test},
 * {@code show-targets}, {@code print-config}. Errors from bad input (missing files, config syntax
 * and unknown types or keys, unreadable images) print one {@code detkit: error: ...} line and exit
 * with 1; usage errors print the usage and exit with 2. {@code --debug} adds stack traces and
 * debug logging.
 */
@Command(name = "detkit", mixinStandardHelpOptions = true, version = "detkit 0.1.0-SNAPSHOT",
    description = "Train and inspect MMDetection-style dense detectors on the JVM.",
    subcommands = {TrainCommand.class, TestCommand.class, ShowTargetsCommand.class, PrintConfigCommand.class})
public final class DetkitCommand implements Runnable {
  @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces and debug logs.")
  boolean debug;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: train, test, show-targets or "
        + "print-config");
  }

  /** Parses and runs {@code args}; returns the exit code. */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    boolean debug = Arrays.asList(args).contains("--debug");
    CommandLine cmd = new CommandLine(new DetkitCommand());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    cmd.setExecutionExceptionHandler((ex, c, parseResult) -> {
      c.getErr().println("detkit: error: " + describe(ex));
      if (debug) {
        ex.printStackTrace(c.getErr());
      } else if (!expected(ex)) {
        c.getErr().println("(run with --debug for the stack trace)");
      }
      c.getErr().flush();
      return 1;
    });
    return cmd.execute(args);
  }

  /** Failures caused by the user's input, whose message says everything. */
  private static boolean expected(Throwable ex) {
    return ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException
        || ex instanceof FileSystemException || ex instanceof IllegalStateException;
  }

  static String describe(Throwable ex) {
    if (ex instanceof AccessDeniedException a) {
      return "permission denied: " + a.getFile();
    }
    if (ex instanceof FileSystemException f) {
      return f.getFile() + ": " + (f.getReason() == null ? f.getClass().getSimpleName() : f.getReason());
    }
    if (ex instanceof UncheckedIOException u && u.getCause() != null) {
      return describe(u.getCause());
    }
    String m = ex.getMessage();
    return m == null || m.isBlank() ? ex.getClass().getSimpleName() : expected(ex) ? m
        : ex.getClass().getSimpleName() + ": " + m;
  }
}
