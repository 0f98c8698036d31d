package io.detkit.tools.train;

import io.detkit.heads.BaseDenseHead;
import io.detkit.heads.HeadLoss;
import io.detkit.tools.data.DataLoader;
import io.detkit.tools.model.DetectorNet;
import java.nio.file.Path;

/**
 * What a {@link Hook} sees of the training it runs in (mmcv's {@code runner} argument): the
 * counters, the current iteration's loss, the learning rate, the latest evaluation, the network
 * and head, and the few actions a hook may take ({@link #setCurrentLr}, {@link #evaluate},
 * {@link #requestStop}). {@link EpochBasedRunner} is the implementation.
 *
 * <p>Counters follow mmcv: during an iteration's hooks {@link #iter()} is its 0-based index over
 * the run and {@link #innerIter()} within the epoch; {@link #epoch()} is the 0-based epoch. Call
 * only from the training thread, inside a hook.
 */
public interface Runner {
  /** The 0-based current epoch (after the run: the number of epochs trained). */
  int epoch();

  /** The 0-based current iteration over the run (after the run: the number of iterations trained). */
  int iter();

  /** The 0-based current iteration within the epoch. */
  int innerIter();

  /** The iterations planned for the current epoch (fewer than a full epoch under the iteration limit). */
  int itersThisEpoch();

  int maxEpochs();

  /** The iteration limit of the run ({@link Integer#MAX_VALUE} when there is none). */
  int maxIters();

  /** Whether the current epoch is the run's last: the final epoch, the iteration limit, or a stop. */
  boolean isLastEpoch();

  /**
   * The current iteration's loss dict with its gradients (null before the first loss). The gradient
   * arrays are reused by the next iteration's loss call, and the runner closes the loss after the
   * {@link Hook#afterTrainIter} hooks ({@link HeadLoss#close()}: its values stay readable, its
   * gradients do not): a hook that keeps gradients past {@code afterTrainIter} copies them ({@code dup()}).
   */
  HeadLoss outputs();

  /**
   * The mean total loss of the current epoch's iterations so far, the current one included
   * (during {@link Hook#afterTrainEpoch}: the epoch's mean); NaN before its first loss.
   */
  double epochMeanLoss();

  /**
   * The learning rate of the current iteration as the hooks set it ({@link LrUpdaterHook} first;
   * NaN before): {@link OptimizerHook} steps at this rate, and the loggers report it.
   */
  double currentLr();

  /**
   * Sets the learning rate of the current iteration: the rate the optimizer step uses and the
   * hooks after this one read. Call it in {@link Hook#beforeTrainIter} from a hook that runs
   * before {@link OptimizerHook}.
   */
  void setCurrentLr(double lr);

  /**
   * Evaluates the network on {@code valLoader} ({@link Evaluation#run}, keeping the first
   * {@code keep} images for pictures) between the hooks' {@link Hook#beforeValEpoch} and
   * {@link Hook#afterValEpoch}; {@link EvalHook} calls it.
   */
  Evaluation.Outcome evaluate(DataLoader valLoader, int keep);

  /** The outcome of the latest evaluation, or null. */
  Evaluation.Outcome lastEvaluation();

  /**
   * Ends the run after the current iteration's hooks (or, called between iterations, before the
   * next one): the epoch's {@link Hook#afterTrainEpoch} and then {@link Hook#afterRun} still run,
   * and {@link #isLastEpoch()} is true for them. The first reason given is kept.
   */
  void requestStop(String reason);

  /** Why a hook asked to stop, or null. */
  String stopReason();

  DetectorNet net();

  /** The dense head being trained (the runner calls only its {@code loss}; evaluation its {@code predict}). */
  BaseDenseHead head();

  /** The work directory of the run (files are written there by the hooks that write files). */
  Path workDir();

  /** Wall-clock seconds of the last finished epoch's iterations (its hooks at the end excluded). */
  double epochSeconds();

  /** Wall-clock seconds of all finished epochs' iterations. */
  double trainSeconds();

  /** Wall-clock seconds since the run's set-up began. */
  double totalSeconds();
}
