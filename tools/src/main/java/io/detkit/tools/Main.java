package io.detkit.tools;

import io.detkit.tools.cli.DetkitCommand;
import java.io.PrintStream;

/**
 * Entry point of the {@code detkit} command. Exit codes: 0 success, 1 bad input or a failed run
 * (one message on stderr, the stack trace only with {@code --debug}), 2 a usage error.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    configureLogging(args);
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line without exiting; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return DetkitCommand.execute(args, out, err);
  }

  /**
   * Sets slf4j-simple's defaults unless the user set them: info level with times for detkit, and
   * warnings only from ND4J and DL4J, whose start-up banner would bury the training log.
   */
  static void configureLogging(String[] args) {
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "info");
    setDefault("org.slf4j.simpleLogger.log.org.nd4j", debug ? "info" : "warn");
    setDefault("org.slf4j.simpleLogger.log.org.deeplearning4j", debug ? "info" : "warn");
    setDefault("org.slf4j.simpleLogger.log.org.bytedeco", "warn");
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss");
    setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
    setDefault("java.awt.headless", "true");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
