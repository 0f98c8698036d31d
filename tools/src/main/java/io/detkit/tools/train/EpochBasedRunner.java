package io.detkit.tools.train;

import io.detkit.heads.BaseDenseHead;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadStep;
import io.detkit.tools.data.Batch;
import io.detkit.tools.data.DataLoader;
import io.detkit.tools.model.DetectorNet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The training loop, mmcv 1.x's {@code EpochBasedRunner}: epochs over the training loader, and
 * in each iteration only the network's training forward pass and the head's loss; everything else
 * (the learning rate, the backward pass and the optimizer step, logging, metrics, evaluation,
 * checkpoints, pictures, user additions) is a {@link Hook} registered with a {@link Priority}.
 * {@link Trainer} builds a runner and its hooks from a config.
 *
 * <p>Hooks see it as a {@link Runner} (its counters follow mmcv's). The head receives the epoch
 * ({@code loss(outputs, gts, metas, epoch)}), which two-phase heads such as TOOD read.
 *
 * <p>Not thread-safe: one thread builds, registers and runs; a runner runs once.
 */
public final class EpochBasedRunner implements Runner {
  private record Registered(Hook hook, int priority) {}

  private final DetectorNet net;
  private final BaseDenseHead head;
  private final DataLoader loader;
  private final int maxEpochs;
  private final int maxIters;
  private final Path workDir;
  private final long startNanos;
  private final List<Registered> hooks = new ArrayList<>();
  private int epoch;
  private int iter;
  private int innerIter;
  private int itersThisEpoch;
  private HeadLoss outputs;
  // The head writes each iteration's gradients into these reused arrays; the hooks consume them
  // (backward) within the same iteration, before the next loss call overwrites them.
  private final HeadStep headStep = new HeadStep();
  private double currentLr = Double.NaN;
  private Evaluation.Outcome lastEvaluation;
  private String stopReason;
  private double epochLossSum;
  private int epochLossCount;
  private double epochSeconds;
  private double trainSeconds;
  private boolean ran;

  /**
   * @param maxIters a limit on the iterations of the whole run ({@link Integer#MAX_VALUE}: none)
   * @param startNanos the {@link System#nanoTime()} the run's set-up began at ({@link #totalSeconds()})
   */
  EpochBasedRunner(DetectorNet net, BaseDenseHead head, DataLoader loader, int maxEpochs, int maxIters, Path workDir,
      long startNanos) {
    this.net = net;
    this.head = head;
    this.loader = loader;
    this.maxEpochs = maxEpochs;
    this.maxIters = maxIters;
    this.workDir = workDir;
    this.startNanos = startNanos;
  }

  /**
   * Adds {@code hook} after every registered hook whose priority is lower or equal (so equal
   * priorities keep their registration order), as mmcv's {@code register_hook}.
   *
   * @throws IllegalArgumentException if {@code priority} is outside 0..100
   * @throws IllegalStateException once the run has started
   */
  public void register(Hook hook, int priority) {
    if (hook == null) {
      throw new IllegalArgumentException("hook must not be null");
    }
    if (priority < Priority.HIGHEST.value() || priority > Priority.LOWEST.value()) {
      throw new IllegalArgumentException("priority must be between 0 and 100; got " + priority);
    }
    if (ran) {
      throw new IllegalStateException("hooks must be registered before the run starts");
    }
    int at = hooks.size();
    while (at > 0 && hooks.get(at - 1).priority() > priority) {
      at--;
    }
    hooks.add(at, new Registered(hook, priority));
  }

  /** {@link #register(Hook, int)} with a named priority. */
  public void register(Hook hook, Priority priority) {
    register(hook, priority.value());
  }

  /** The registered hooks in the order they run. */
  public List<Hook> hooks() {
    return hooks.stream().map(Registered::hook).toList();
  }

  /**
   * Trains until {@code maxEpochs}, the iteration limit or a {@linkplain #requestStop stop}.
   *
   * @throws IllegalStateException on a second call
   */
  public void run() {
    if (ran) {
      throw new IllegalStateException("a runner runs once");
    }
    ran = true;
    callHooks(Hook::beforeRun);
    while (epoch < maxEpochs && iter < maxIters && stopReason == null) {
      trainEpoch();
    }
    callHooks(Hook::afterRun);
  }

  private void trainEpoch() {
    long t0 = System.nanoTime();
    itersThisEpoch = Math.min(loader.batchesPerEpoch(), maxIters - iter);
    epochLossSum = 0;
    epochLossCount = 0;
    callHooks(Hook::beforeTrainEpoch);
    Iterator<Batch> data = loader.epoch(epoch);
    for (innerIter = 0; innerIter < itersThisEpoch && stopReason == null; innerIter++) {
      callHooks(Hook::beforeTrainIter);
      Batch b = data.next();
      outputs = head.loss(net.forwardTrain(b.images()), b.groundTruths(), b.metas(), epoch, headStep);
      epochLossSum += outputs.total();
      epochLossCount++;
      callHooks(Hook::afterTrainIter);
      outputs.close();  // what the step made for this iteration only (the HeadStep's arrays stay)
      iter++;
    }
    epochSeconds = (System.nanoTime() - t0) / 1e9;
    trainSeconds += epochSeconds;
    callHooks(Hook::afterTrainEpoch);
    epoch++;
  }

  @Override
  public Evaluation.Outcome evaluate(DataLoader valLoader, int keep) {
    callHooks(Hook::beforeValEpoch);
    lastEvaluation = Evaluation.run(net, head, valLoader, head.numClasses(), keep);
    callHooks(Hook::afterValEpoch);
    return lastEvaluation;
  }

  private void callHooks(BiConsumer<Hook, Runner> stage) {
    for (Registered r : hooks) {
      stage.accept(r.hook(), this);
    }
  }

  @Override
  public void requestStop(String reason) {
    if (stopReason == null) {
      stopReason = reason == null ? "stop requested" : reason;
    }
  }

  @Override
  public String stopReason() {
    return stopReason;
  }

  @Override
  public boolean isLastEpoch() {
    return epoch == maxEpochs - 1 || iter >= maxIters || stopReason != null;
  }

  @Override
  public DetectorNet net() {
    return net;
  }

  @Override
  public BaseDenseHead head() {
    return head;
  }

  @Override
  public Path workDir() {
    return workDir;
  }

  @Override
  public int epoch() {
    return epoch;
  }

  @Override
  public int iter() {
    return iter;
  }

  @Override
  public int innerIter() {
    return innerIter;
  }

  @Override
  public int itersThisEpoch() {
    return itersThisEpoch;
  }

  @Override
  public int maxEpochs() {
    return maxEpochs;
  }

  @Override
  public int maxIters() {
    return maxIters;
  }

  @Override
  public HeadLoss outputs() {
    return outputs;
  }

  @Override
  public double epochMeanLoss() {
    return epochLossCount == 0 ? Double.NaN : epochLossSum / epochLossCount;
  }

  @Override
  public double currentLr() {
    return currentLr;
  }

  @Override
  public void setCurrentLr(double lr) {
    this.currentLr = lr;
  }

  @Override
  public Evaluation.Outcome lastEvaluation() {
    return lastEvaluation;
  }

  @Override
  public double epochSeconds() {
    return epochSeconds;
  }

  @Override
  public double trainSeconds() {
    return trainSeconds;
  }

  @Override
  public double totalSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
