package io.detkit.tools.cli;

import io.detkit.core.config.Config;
import io.detkit.tools.data.DataLoader;
import io.detkit.tools.data.Datasets;
import io.detkit.tools.model.DetectorNet;
import io.detkit.tools.train.Checkpoint;
import io.detkit.tools.train.Evaluation;
import io.detkit.tools.train.Experiment;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code detkit test CONFIG CHECKPOINT}: evaluates a checkpoint on {@code data.test} (else {@code data.val}). */
@Command(name = "test", mixinStandardHelpOptions = true,
    description = "Evaluate a checkpoint on the test split (data.test, else data.val) and print its AP.")
final class TestCommand extends ConfigCommand {
  @Parameters(index = "1", paramLabel = "CHECKPOINT", description = "A .ckpt file written by detkit train.")
  Path checkpoint;

  @Override
  public Integer call() {
    Config config = cfg.load();
    Experiment exp = Experiment.of(config, Experiment.configSeed(config));
    DetectorNet net = exp.buildNet();
    net.setParams(Checkpoint.read(checkpoint).paramArray());
    String split = config.getConfig("data").isNull("test") ? "val" : "test";
    Datasets.Built data = exp.dataset(split);
    try (DataLoader loader = new DataLoader(data.dataset(), data.pipeline(), exp.batchSize(), false, exp.seed(),
        net.geometry().sizeDivisor())) {
      Evaluation.Outcome o = Evaluation.run(net, exp.head(), loader, exp.head().numClasses(), 0);
      out().printf("data.%s: %d images in %.1f s%n", split, data.dataset().size(), o.seconds());
      printMetrics(o.result());
      out().flush();
    }
    return 0;
  }
}
