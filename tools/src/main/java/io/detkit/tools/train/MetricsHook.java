package io.detkit.tools.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.detkit.heads.HeadLoss;
import io.detkit.tools.eval.DetectionEvaluator;
import io.detkit.tools.viz.LossCurve;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records the run's numbers (priority {@link Priority#VERY_LOW}, with the loggers): per iteration
 * the learning rate, the total loss and each named loss; per evaluation the COCO AP, AP50, AP75
 * and VOC mAP. After the run it writes {@code metrics.json} and {@code loss_curve.png} (every loss
 * against the iteration) to the work directory. {@link Trainer} reads {@link #losses()} for its
 * result.
 */
public final class MetricsHook implements Hook {
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final String configName;
  private final ObjectNode metrics = json.createObjectNode();
  private final ArrayNode iterLog;
  private final ArrayNode epochLog;
  private final List<Double> losses = new ArrayList<>();
  private final Map<String, List<Double>> perName = new LinkedHashMap<>();

  /** @param configName the config file's name, recorded in {@code metrics.json} and the curve's title */
  public MetricsHook(String configName, long seed) {
    this.configName = configName;
    metrics.put("config", configName);
    metrics.put("seed", seed);
    iterLog = metrics.putArray("iterations");
    epochLog = metrics.putArray("epochs");
  }

  @Override
  public void afterTrainIter(Runner runner) {
    HeadLoss loss = runner.outputs();
    double total = loss.total();
    losses.add(total);
    ObjectNode rec = iterLog.addObject();
    rec.put("iter", runner.iter() + 1);
    rec.put("epoch", runner.epoch() + 1);
    rec.put("lr", runner.currentLr());
    rec.put("loss", total);
    for (String name : loss.names()) {
      double v = loss.sum(name);
      rec.put(name, v);
      perName.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
    }
  }

  @Override
  public void afterValEpoch(Runner runner) {
    Evaluation.Outcome o = runner.lastEvaluation();
    DetectionEvaluator.Result r = o.result();
    ObjectNode e = epochLog.addObject();
    e.put("epoch", runner.epoch() + 1);
    // The evaluation runs after the epoch's last iteration: the iterations trained so far.
    e.put("iter", runner.iter());
    e.put("bbox_mAP", r.cocoAp());
    e.put("bbox_mAP_50", r.ap50());
    e.put("bbox_mAP_75", r.ap75());
    e.put("voc_mAP", r.vocMap());
    e.put("eval_seconds", o.seconds());
  }

  @Override
  public void afterRun(Runner runner) {
    metrics.put("train_seconds", runner.trainSeconds());
    metrics.put("total_seconds", runner.totalSeconds());
    Path dir = runner.workDir();
    try {
      json.writeValue(dir.resolve("metrics.json").toFile(), metrics);
      double[] x = new double[losses.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = i + 1;
      }
      Map<String, double[]> series = new LinkedHashMap<>();
      series.put("loss", toArray(losses));
      // A loss missing from some iterations has no curve (its values would not line up).
      perName.forEach((k, v) -> {
        if (v.size() == x.length) {
          series.put(k, toArray(v));
        }
      });
      LossCurve.write(dir.resolve("loss_curve.png"), configName + " (10-iteration running mean)", x, series);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The total loss of every iteration so far. */
  public List<Double> losses() {
    return List.copyOf(losses);
  }

  private static double[] toArray(List<Double> l) {
    return l.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
