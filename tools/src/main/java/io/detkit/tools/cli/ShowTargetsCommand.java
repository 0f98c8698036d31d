package io.detkit.tools.cli;

import io.detkit.core.anchor.Stride;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.heads.AnchorHead;
import io.detkit.tools.data.Batch;
import io.detkit.tools.data.DataLoader;
import io.detkit.tools.data.Datasets;
import io.detkit.tools.data.DetectionSample;
import io.detkit.tools.data.Pipeline;
import io.detkit.tools.data.ShapesDataset;
import io.detkit.tools.train.Experiment;
import io.detkit.tools.viz.Pictures;
import io.detkit.tools.viz.TargetPicture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code detkit show-targets CONFIG}: pictures the positives the configured assigner makes. The
 * config may be one of detkit's or an MMDetection config file of a head detkit has (its
 * {@code _base_} chain is merged, the head gets the detector-level settings as in
 * {@link io.detkit.heads.Heads#headConfig}); only the head and the data are built, never the
 * backbone, so an MMDetection backbone such as ResNet does not stand in the way. The levels are the
 * anchor generator's strides.
 */
@Command(name = "show-targets", mixinStandardHelpOptions = true,
    description = "Write a PNG of one training image with its ground truth and the anchors the configured "
        + "assigner (and sampler) makes positive, coloured by FPN level. Accepts MMDetection config files "
        + "of the heads detkit has.")
final class ShowTargetsCommand extends ConfigCommand {
  @Option(names = "--index", paramLabel = "I", description = "Training image index (default 0).")
  int index;

  @Option(names = "--out", paramLabel = "FILE", description = "PNG to write (default: <work dir>/targets_<I>.png).")
  Path out;

  @Mixin
  WorkDirOption workDir;

  @Option(names = "--shapes", description = "Draw on detkit's synthetic shapes dataset (through the config's "
      + "train pipeline) instead of data.train, e.g. for an MMDetection config whose COCO files are not here.")
  boolean shapes;

  @Override
  public Integer call() throws Exception {
    Config config = cfg.load();
    Experiment exp = Experiment.of(config, Experiment.configSeed(config));
    int[] strides = strides(exp.anchorHead());
    int sizeDivisor = strides[strides.length - 1];
    Datasets.Built train = shapes ? shapesData(config, index) : exp.dataset("train");
    if (index < 0 || index >= train.dataset().size()) {
      throw new IllegalArgumentException("--index must be in [0, " + train.dataset().size() + "); got " + index);
    }
    Batch batch;
    try (DataLoader loader = new DataLoader(train.dataset(), train.pipeline(), 1, false, exp.seed(), sizeDivisor)) {
      batch = DataLoader.collate(List.of(loader.sample(index, 0)), sizeDivisor);
    }
    DetectionSample sample = batch.samples().get(0);
    int zoom = Math.max(1, 384 / Math.max(sample.imgShape()[0], sample.imgShape()[1]));
    TargetPicture.Rendered r = TargetPicture.render(exp.anchorHead(), sample, strides, (int) batch.images().size(2),
        (int) batch.images().size(3), zoom);
    Path file = out != null ? out : workDir.resolve(cfg, config).resolve("targets_" + index + ".png");
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    Pictures.writePng(r.image(), file);
    out().printf("%s: %d gt boxes, positive anchors per level %s%n", file, sample.numObjects(),
        Arrays.toString(r.positivesPerLevel()));
    out().flush();
    return 0;
  }

  /** The anchor generator's strides, which must be square and integral to map onto feature maps. */
  private static int[] strides(AnchorHead head) {
    List<Stride> list = head.anchorGenerator().strides();
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      Stride s = list.get(i);
      if (s.w() != s.h() || s.w() != Math.rint(s.w()) || s.w() < 1 || s.w() > 4096) {
        throw ConfigException.at("model", "show-targets needs square integral strides from 1 to 4096; level " + i
            + " has " + s);
      }
      out[i] = (int) s.w();
    }
    return out;
  }

  /** detkit's shapes (64x64, the shapes configs' settings) through the config's train pipeline. */
  private static Datasets.Built shapesData(Config config, int index) {
    Config train = config.getConfig("data").getConfig("train");
    int count = Math.max(1, index + 1);
    return new Datasets.Built(new ShapesDataset(count, 64, 1, 5, 12, 40, 0.08, 1),
        Pipeline.fromConfig(train.getList("pipeline"), train.pathOf("pipeline")));
  }
}
