package io.detkit.tools.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.detkit.core.config.ConfigWriter;
import io.detkit.heads.BaseDenseHead;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.tools.data.Batch;
import io.detkit.tools.data.DataLoader;
import io.detkit.tools.data.Datasets;
import io.detkit.tools.data.DetectionSample;
import io.detkit.tools.eval.DetectionEvaluator;
import io.detkit.tools.eval.Detections;
import io.detkit.tools.model.DetectorNet;
import io.detkit.tools.viz.LossCurve;
import io.detkit.tools.viz.Pictures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop of {@code detkit train}: epochs over the training split with external-error
 * updates ({@link DetectorNet#forwardTrain}, the head's {@code loss}, {@link DetectorNet#backward},
 * {@link DetectorNet#step}), evaluation on the validation split every {@code evaluation.interval}
 * epochs, and these files in the work directory: the merged config, checkpoints
 * ({@code epoch_N.ckpt} and {@code latest.ckpt}), {@code metrics.json} (the losses of every
 * iteration and the AP of every evaluation), {@code loss_curve.png} and
 * {@code val_predictions.png}.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  /** What a run produced. */
  public record Result(DetectionEvaluator.Result metrics, double trainSeconds, double totalSeconds,
      List<Double> losses, int iterations) {
    /** Mean total loss of the first and last {@code k} iterations. */
    public double[] firstAndLastMean(int k) {
      int n = losses.size();
      int m = Math.min(k, n);
      double first = 0;
      double last = 0;
      for (int i = 0; i < m; i++) {
        first += losses.get(i);
        last += losses.get(n - 1 - i);
      }
      return new double[] {first / m, last / m};
    }
  }

  private final Experiment exp;
  private final Path workDir;
  private final String configName;
  private final boolean progressBar;
  private final PrintStream console;
  private int maxIterations = Integer.MAX_VALUE;
  private boolean evaluate = true;
  private boolean writeFiles = true;

  /**
   * @param configName the config file's name (the merged config is written under it)
   * @param progressBar whether to draw a progress bar on {@code console}; only honoured when the
   *     JVM has a terminal ({@code System.console() != null}): redirected to a file or a pipe, a
   *     bar's carriage-return frames would fill the log, so a plain line is logged every
   *     {@code log_config.interval} iterations instead, as with {@code progressBar=false}
   */
  public Trainer(Experiment exp, Path workDir, String configName, boolean progressBar, PrintStream console) {
    this.exp = exp;
    this.workDir = workDir;
    this.configName = configName;
    this.progressBar = progressBar && System.console() != null;
    this.console = console;
  }

  /** Stops after {@code n} iterations in all (for tests and quick checks). */
  public Trainer maxIterations(int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("maxIterations must be > 0; got " + n);
    }
    this.maxIterations = n;
    return this;
  }

  /** Skips evaluation and pictures (for tests). */
  public Trainer withoutEvaluation() {
    this.evaluate = false;
    return this;
  }

  /** Writes no files (for tests). */
  public Trainer withoutFiles() {
    this.writeFiles = false;
    return this;
  }

  /**
   * Trains.
   *
   * @throws IOException if the work directory cannot be written
   * @throws io.detkit.core.config.ConfigException for config errors found while building
   * @throws io.detkit.tools.data.DataException for unreadable data
   */
  public Result run() throws IOException {
    long start = System.nanoTime();
    BaseDenseHead head = exp.head();
    Datasets.Built train = exp.dataset("train");
    Datasets.Built val = evaluate ? exp.dataset("val") : null;
    if (val != null && !val.dataset().classes().equals(train.dataset().classes())) {
      throw new IllegalArgumentException("data.val classes " + val.dataset().classes() + " differ from data.train's "
          + train.dataset().classes());
    }
    if (train.dataset().classes().size() != head.numClasses()) {
      throw new IllegalArgumentException("model.bbox_head.num_classes is " + head.numClasses() + " but the training"
          + " data has " + train.dataset().classes().size() + " classes " + train.dataset().classes());
    }
    if (train.dataset().size() == 0) {
      throw new IllegalArgumentException("data.train is empty");
    }
    DetectorNet net = exp.buildNet();
    LrSchedule schedule = exp.schedule();
    if (writeFiles) {
      Files.createDirectories(workDir);
      Files.writeString(workDir.resolve(configName), ConfigWriter.toPython(exp.config()));
    }
    LOG.info("model: {}; train images: {}, val images: {}, batch {}, {} epochs", net.summary(),
        train.dataset().size(), val == null ? 0 : val.dataset().size(), exp.batchSize(), exp.maxEpochs());

    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode metrics = json.createObjectNode();
    metrics.put("config", configName);
    metrics.put("seed", exp.seed());
    ArrayNode iterLog = metrics.putArray("iterations");
    ArrayNode epochLog = metrics.putArray("epochs");
    List<Double> losses = new ArrayList<>();
    Map<String, List<Double>> perName = new LinkedHashMap<>();
    DetectionEvaluator.Result last = null;
    int iteration = 0;
    double trainSeconds = 0;
    try (DataLoader loader = new DataLoader(train.dataset(), train.pipeline(), exp.batchSize(), true, exp.seed(),
        net.sizeDivisor());
        DataLoader valLoader = val == null ? null : new DataLoader(val.dataset(), val.pipeline(), exp.batchSize(),
            false, exp.seed(), net.sizeDivisor())) {
      int perEpoch = loader.batchesPerEpoch();
      for (int epoch = 0; epoch < exp.maxEpochs() && iteration < maxIterations; epoch++) {
        long epochStart = System.nanoTime();
        int steps = Math.min(perEpoch, maxIterations - iteration);
        try (ProgressBar bar = progressBar ? bar(epoch, steps) : null) {
          Iterator<Batch> it = loader.epoch(epoch);
          for (int s = 0; s < steps; s++) {
            Batch b = it.next();
            HeadOutputs out = net.forwardTrain(b.images());
            // The epoch reaches the head's hooks (TOOD switches assigners at train_cfg.initial_epoch).
            HeadLoss loss = head.loss(out, b.groundTruths(), b.metas(), epoch);
            double total = loss.total();
            if (!Double.isFinite(total)) {
              throw new IllegalStateException("the loss became " + total + " at iteration " + (iteration + 1)
                  + "; lower optimizer.lr or add optimizer_config=dict(grad_clip=dict(max_norm=35))");
            }
            double lr = schedule.valueAt(iteration, epoch);
            if (loss.hasLosses()) {
              double norm = net.backward(loss.grads());
              net.step(norm, iteration, epoch);
            }
            iteration++;
            losses.add(total);
            ObjectNode rec = iterLog.addObject();
            rec.put("iter", iteration);
            rec.put("epoch", epoch + 1);
            rec.put("lr", lr);
            rec.put("loss", total);
            for (String name : loss.names()) {
              double v = loss.sum(name);
              rec.put(name, v);
              perName.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
            }
            if (bar != null) {
              bar.step();
              bar.setExtraMessage(String.format(" loss %.4f", total));
            }
            if (iteration % exp.logInterval() == 0 && !progressBar) {
              LOG.info("epoch {} iter {}/{} lr {} loss {}", epoch + 1, s + 1, steps, String.format("%.2e", lr),
                  String.format("%.4f", total));
            }
          }
        }
        double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
        trainSeconds += epochSeconds;
        LOG.info("epoch {} done in {} s, mean loss {}", epoch + 1, String.format("%.1f", epochSeconds),
            String.format("%.4f", mean(losses, steps)));
        boolean lastEpoch = epoch == exp.maxEpochs() - 1 || iteration >= maxIterations;
        if (valLoader != null && ((epoch + 1) % exp.evalInterval() == 0 || lastEpoch)) {
          Evaluation.Outcome o = Evaluation.run(net, head, valLoader, head.numClasses(), 16);
          last = o.result();
          ObjectNode e = epochLog.addObject();
          e.put("epoch", epoch + 1);
          e.put("iter", iteration);
          e.put("bbox_mAP", last.cocoAp());
          e.put("bbox_mAP_50", last.ap50());
          e.put("bbox_mAP_75", last.ap75());
          e.put("voc_mAP", last.vocMap());
          e.put("eval_seconds", o.seconds());
          LOG.info("epoch {} val: {} ({} images, {} s)", epoch + 1, last, val.dataset().size(),
              String.format("%.1f", o.seconds()));
          if (writeFiles) {
            writeGrid(o, train.dataset().classes());
          }
        }
        if (writeFiles && ((epoch + 1) % exp.checkpointInterval() == 0 || lastEpoch)) {
          Checkpoint ck = new Checkpoint(ConfigWriter.toPython(exp.config()), toFloats(net.params()),
              json.writeValueAsString(json.createObjectNode().put("epoch", epoch + 1).put("iter", iteration)
                  .put("config", configName)));
          Path file = workDir.resolve("epoch_" + (epoch + 1) + ".ckpt");
          ck.write(file);
          Files.copy(file, workDir.resolve("latest.ckpt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    double totalSeconds = (System.nanoTime() - start) / 1e9;
    metrics.put("train_seconds", trainSeconds);
    metrics.put("total_seconds", totalSeconds);
    if (writeFiles) {
      json.writeValue(workDir.resolve("metrics.json").toFile(), metrics);
      double[] x = new double[losses.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = i + 1;
      }
      Map<String, double[]> series = new LinkedHashMap<>();
      series.put("loss", losses.stream().mapToDouble(Double::doubleValue).toArray());
      perName.forEach((k, v) -> {
        if (v.size() == x.length) {
          series.put(k, v.stream().mapToDouble(Double::doubleValue).toArray());
        }
      });
      LossCurve.write(workDir.resolve("loss_curve.png"), configName + " (10-iteration running mean)", x, series);
    }
    return new Result(last, trainSeconds, totalSeconds, List.copyOf(losses), iteration);
  }

  private ProgressBar bar(int epoch, int steps) {
    return new ProgressBarBuilder()
        .setTaskName("epoch " + (epoch + 1) + "/" + exp.maxEpochs())
        .setInitialMax(steps)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(console))
        .build();
  }

  private static double mean(List<Double> l, int lastK) {
    double s = 0;
    int n = Math.min(lastK, l.size());
    for (int i = l.size() - n; i < l.size(); i++) {
      s += l.get(i);
    }
    return n == 0 ? Double.NaN : s / n;
  }

  private void writeGrid(Evaluation.Outcome o, List<String> classes) throws IOException {
    List<BufferedImage> images = new ArrayList<>();
    List<Detections> gts = new ArrayList<>();
    for (DetectionSample s : o.samples()) {
      images.add(s.preview());
      gts.add(Detections.groundTruth(s.boxes(), s.labels()));
    }
    int zoom = Math.max(1, 192 / Math.max(1, images.isEmpty() ? 1 : images.get(0).getWidth()));
    Pictures.writePng(Pictures.grid(images, gts, o.shown(), classes, 0.3, 4, zoom),
        workDir.resolve("val_predictions.png"));
  }

  static float[] toFloats(INDArray a) {
    return a.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
  }
}
