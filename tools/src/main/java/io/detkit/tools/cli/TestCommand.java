package io.detkit.tools.cli;

import io.detkit.core.config.Config;
import io.detkit.tools.data.DataLoader;
import io.detkit.tools.data.Datasets;
import io.detkit.tools.model.DetectorNet;
import io.detkit.tools.train.Checkpoint;
import io.detkit.tools.train.Evaluation;
import io.detkit.tools.train.Experiment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code detkit test CONFIG CHECKPOINT}: evaluates a checkpoint on {@code data.test} (else {@code data.val}). */
@Command(name = "test", mixinStandardHelpOptions = true,
    description = "Evaluate a checkpoint on the test split (data.test, else data.val) and print its AP.")
final class TestCommand implements Callable<Integer> {
  @Mixin
  ConfigArgs cfg;

  @Parameters(index = "1", paramLabel = "CHECKPOINT", description = "A .ckpt file written by detkit train.")
  Path checkpoint;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    Config config = cfg.load();
    Experiment exp = Experiment.of(config, Experiment.configSeed(config));
    DetectorNet net = exp.buildNet();
    net.setParams(Checkpoint.read(checkpoint).paramArray());
    String split = config.getConfig("data").isNull("test") ? "val" : "test";
    Datasets.Built data = exp.dataset(split);
    try (DataLoader loader = new DataLoader(data.dataset(), data.pipeline(), exp.batchSize(), false, exp.seed(),
        net.sizeDivisor())) {
      Evaluation.Outcome o = Evaluation.run(net, exp.head(), loader, exp.head().numClasses(), 0);
      var out = spec.commandLine().getOut();
      out.printf("data.%s: %d images in %.1f s%n", split, data.dataset().size(), o.seconds());
      out.printf("bbox_mAP: %.4f  bbox_mAP_50: %.4f  bbox_mAP_75: %.4f  VOC mAP: %.4f%n", o.result().cocoAp(),
          o.result().ap50(), o.result().ap75(), o.result().vocMap());
      out.flush();
    }
    return 0;
  }
}
