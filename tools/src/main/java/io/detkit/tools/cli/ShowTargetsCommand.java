package io.detkit.tools.cli;

import io.detkit.core.config.Config;
import io.detkit.tools.data.Batch;
import io.detkit.tools.data.DataLoader;
import io.detkit.tools.data.Datasets;
import io.detkit.tools.data.DetectionSample;
import io.detkit.tools.model.DetectorNet;
import io.detkit.tools.train.Experiment;
import io.detkit.tools.viz.Pictures;
import io.detkit.tools.viz.TargetPicture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code detkit show-targets CONFIG}: pictures the positives the configured assigner makes. */
@Command(name = "show-targets", mixinStandardHelpOptions = true,
    description = "Write a PNG of one training image with its ground truth and the anchors the configured "
        + "assigner (and sampler) makes positive, coloured by FPN level.")
final class ShowTargetsCommand implements Callable<Integer> {
  @Mixin
  ConfigArgs cfg;

  @Option(names = "--index", paramLabel = "I", description = "Training image index (default 0).")
  int index;

  @Option(names = "--out", paramLabel = "FILE", description = "PNG to write (default: <work dir>/targets_<I>.png).")
  Path out;

  @Option(names = "--work-dir", paramLabel = "DIR", description = "Work directory for the default output path.")
  Path workDir;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Config config = cfg.load();
    Experiment exp = Experiment.of(config, Experiment.configSeed(config));
    DetectorNet net = exp.buildNet();
    Datasets.Built train = exp.dataset("train");
    if (index < 0 || index >= train.dataset().size()) {
      throw new IllegalArgumentException("--index must be in [0, " + train.dataset().size() + "); got " + index);
    }
    Batch batch;
    try (DataLoader loader = new DataLoader(train.dataset(), train.pipeline(), 1, false, exp.seed(),
        net.sizeDivisor())) {
      batch = DataLoader.collate(List.of(loader.sample(index, 0)), net.sizeDivisor());
    }
    DetectionSample sample = batch.samples().get(0);
    int zoom = Math.max(1, 384 / Math.max(sample.imgShape()[0], sample.imgShape()[1]));
    TargetPicture.Rendered r = TargetPicture.render(exp.head(), sample, net.strides(), (int) batch.images().size(2),
        (int) batch.images().size(3), zoom);
    Path file = out != null ? out : cfg.workDir(workDir, config).resolve("targets_" + index + ".png");
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    Pictures.writePng(r.image(), file);
    var o = spec.commandLine().getOut();
    o.printf("%s: %d gt boxes, positive anchors per level %s%n", file, sample.numObjects(),
        Arrays.toString(r.positivesPerLevel()));
    o.flush();
    return 0;
  }
}
