package io.detkit.tools.cli;

import io.detkit.core.config.Config;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --work-dir}, a picocli mixin of the commands that write files ({@code train}, {@code show-targets}). */
final class WorkDirOption {
  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Work directory: where train writes the merged config, checkpoints, metrics.json and pictures, "
          + "and show-targets its picture (default: the config's work_dir, else work_dirs/<config name>).")
  Path dir;

  /** {@code --work-dir}, else the config's {@code work_dir}, else {@code work_dirs/<config file's stem>}. */
  Path resolve(ConfigArgs args, Config cfg) {
    if (dir != null) {
      return dir;
    }
    if (!cfg.isNull("work_dir")) {
      return Path.of(cfg.getString("work_dir"));
    }
    return Path.of("work_dirs", args.stem());
  }
}
