package io.detkit.tools.cli;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code detkit print-config CONFIG}: prints the merged config (its {@code _base_} chain resolved,
 * as MMDetection's {@code tools/misc/print_config.py} prints {@code Config.fromfile}) with the
 * overrides applied, in Python config syntax or JSON.
 */
@Command(name = "print-config", mixinStandardHelpOptions = true,
    description = "Print the merged config (_base_ files resolved) with --cfg-options applied.")
final class PrintConfigCommand extends ConfigCommand {
  @Option(names = "--format", paramLabel = "FORMAT", description = "py (default) or json.")
  String format = "py";

  @Override
  public Integer call() {
    Config config = cfg.load();
    String text = switch (format) {
      case "py" -> ConfigWriter.toPython(config);
      case "json" -> ConfigWriter.toJson(config);
      default -> throw usageError("--format must be py or json; got '" + format + "'");
    };
    out().print(text.endsWith("\n") ? text : text + "\n");
    out().flush();
    return 0;
  }
}
