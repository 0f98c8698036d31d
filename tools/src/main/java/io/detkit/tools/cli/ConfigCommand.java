package io.detkit.tools.cli;

import io.detkit.tools.eval.DetectionEvaluator;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every {@code detkit} subcommand shares: the config file and {@code --cfg-options}
 * ({@link ConfigArgs}, a picocli mixin), the command's picocli spec, and the way results and
 * usage errors are printed. picocli reads the annotated fields of this superclass for each
 * subclass; a subcommand adds its own options and implements {@link #call()}. Called once, on the
 * command line's thread.
 */
abstract class ConfigCommand implements Callable<Integer> {
  @Mixin
  ConfigArgs cfg;

  @Spec
  CommandSpec spec;

  /** The command line's standard output (the tests capture it). */
  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** A usage error naming the option (exit code 2, with the usage printed). */
  final ParameterException usageError(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** Prints COCO AP, AP50, AP75 and VOC mAP in MMDetection's names. */
  final void printMetrics(DetectionEvaluator.Result r) {
    out().printf("bbox_mAP: %.4f  bbox_mAP_50: %.4f  bbox_mAP_75: %.4f  VOC mAP: %.4f%n", r.cocoAp(), r.ap50(),
        r.ap75(), r.vocMap());
  }
}
