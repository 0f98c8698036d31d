package io.detkit.tools.cli;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.config.ConfigOverrides;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The config file argument and {@code --cfg-options} overrides that every command takes. */
final class ConfigArgs {
  @Parameters(index = "0", paramLabel = "CONFIG",
      description = "Config file: MMDetection Python syntax (.py), JSON or YAML, with _base_ inheritance.")
  Path config;

  @Option(names = "--cfg-options", arity = "1..*", paramLabel = "KEY=VALUE",
      description = "Override config entries, e.g. model.bbox_head.loss_cls.gamma=1.5 (mmcv DictAction syntax).")
  List<String> options = new ArrayList<>();

  /** The merged config ({@code _base_} chain resolved) with the overrides applied after the merge. */
  Config load() {
    return ConfigOverrides.apply(ConfigLoader.fromFile(config), options);
  }

  /** The config file's name without its extension. */
  String stem() {
    String name = config.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  /** The config file's name as a Python file (the merged config is written in Python syntax). */
  String pyName() {
    return stem() + ".py";
  }
}
