package io.detkit.heads;

import io.detkit.core.anchor.PriorGenerator;
import io.detkit.core.anchor.Stride;
import io.detkit.core.coder.BBoxCoder;
import io.detkit.core.assign.BaseAssigner;
import io.detkit.losses.Loss;
import io.detkit.samplers.Sampler;
import io.detkit.samplers.SamplerRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Every dense head, MMDetection's {@code BaseDenseHead}: the contract a trainer, an evaluator or a
 * tool programs against, and the settings its heads share.
 *
 * <h2>The contract</h2>
 * <ul>
 *   <li>What the network must produce: {@link #outputNames()} (the output tensors, in order) with
 *       {@link #outputChannels(String, int)} channels at each of {@link #numLevels()} levels, the
 *       level's {@link #stride(int)} and {@link #numBasePriors(int)} priors per location; all
 *       {@code [N, channels, H_l, W_l]}, of one floating dtype ({@link HeadOutputs}).
 *   <li>Training: {@link #loss(HeadOutputs, List, List, int)} gives the loss dict and the gradient of
 *       its total with respect to every declared output, same names and shapes ({@link HeadLoss}).
 *   <li>Inference: {@link #predict(HeadOutputs, List, TestConfig, boolean, boolean)} gives one
 *       {@link Detections} per image.
 * </ul>
 * Both calls may come from any thread, concurrently; per-image work runs on {@link #executor()},
 * and results do not depend on the thread count. Anchor-based heads extend {@link AnchorHead};
 * point heads ({@code FCOSHead}, {@code VFNetHead}) extend {@code AnchorFreeHead}.
 *
 * <h2>The settings</h2>
 * The type name, the class count and classifier form, the prior generator, the box coder, the losses
 * (with the extra ones a builder declared), the train and test configs with the assigner and sampler
 * they give, the executor and the seed.
 *
 * <p>Immutable apart from the call counter that seeds each call's random generator; thread-safe.
 */
public abstract class BaseDenseHead {
  /** Classification losses that balance positives and negatives themselves (no sampling). */
  public static final List<String> SAMPLING_FREE_LOSSES = List.of("FocalLoss", "GHMC", "QualityFocalLoss");

  /**
   * Config keys that only describe the convolutions producing the outputs (which detkit does not
   * run); every head accepts and ignores them.
   */
  public static final String[] CONV_KEYS = {"in_channels", "feat_channels", "stacked_convs", "conv_cfg",
      "norm_cfg", "init_cfg"};

  private final String type;
  private final int numClasses;
  private final PriorGenerator priorGenerator;
  private final BBoxCoder bboxCoder;
  private final boolean regDecodedBbox;
  private final Loss lossCls;
  private final Loss lossBbox;
  private final Map<String, Loss> extraLosses;
  private final boolean useSigmoidCls;
  private final int clsOutChannels;
  private final TrainConfig trainCfg;
  private final BaseAssigner assigner;
  private final Sampler sampler;
  private final boolean sampling;
  private final TargetTransform targetTransform;
  private final TestConfig testCfg;
  private final Executor executor;
  private final long seed;
  private final AtomicLong calls = new AtomicLong();

  /**
   * Builds the head a builder describes (its settings checked and resolved by {@link HeadSettings}).
   *
   * @throws IllegalArgumentException if {@code num_classes} is missing or gives no output channel
   *     or more channels than an int holds, or levels disagree on the number of priors per location
   */
  protected BaseDenseHead(HeadBuilder<?, ?> b) {
    this.type = b.type;
    HeadSettings s = HeadSettings.of(type, b.params());
    HeadParams p = s.params();
    this.numClasses = s.numClasses();
    this.useSigmoidCls = s.useSigmoidCls();
    this.clsOutChannels = s.clsOutChannels();
    this.assigner = s.assigner();
    this.sampler = s.sampler();
    this.sampling = s.sampling();
    this.priorGenerator = p.anchorGenerator();
    this.bboxCoder = p.bboxCoder();
    this.regDecodedBbox = p.regDecodedBbox();
    this.lossCls = p.lossCls();
    this.lossBbox = p.lossBbox();
    this.extraLosses = Map.copyOf(b.extraLosses);
    this.trainCfg = p.trainCfg();
    this.targetTransform = p.targetTransform();
    this.testCfg = p.testCfg();
    this.executor = p.executor();
    this.seed = p.seed();
  }

  // ---------------------------------------------------------------------------------------------
  // Properties

  /** MMDetection's type name, e.g. {@code RetinaHead}. */
  public final String type() {
    return type;
  }

  /** Number of foreground classes; also the background label. */
  public final int numClasses() {
    return numClasses;
  }

  /** Channels per anchor of {@code cls_scores}: {@code num_classes}, or one more for softmax. */
  public final int clsOutChannels() {
    return clsOutChannels;
  }

  /** Whether classification is per-class sigmoid ({@code loss_cls.use_sigmoid}). */
  public final boolean useSigmoidCls() {
    return useSigmoidCls;
  }

  /** Whether training samples anchors (then losses average over positives and negatives). */
  public final boolean sampling() {
    return sampling;
  }

  /** Whether the regression loss sees decoded boxes. */
  public final boolean regDecodedBbox() {
    return regDecodedBbox;
  }

  /** The prior generator (anchors, or points for an anchor-free head). */
  public final PriorGenerator priorGenerator() {
    return priorGenerator;
  }

  /** The box coder. */
  public final BBoxCoder bboxCoder() {
    return bboxCoder;
  }

  /** The classification loss. */
  public final Loss lossCls() {
    return lossCls;
  }

  /** The regression loss. */
  public final Loss lossBbox() {
    return lossBbox;
  }

  /**
   * An extra loss its builder declared ({@link HeadBuilder#declareLoss}), e.g.
   * {@code loss_centerness}.
   *
   * @throws IllegalArgumentException if the builder declared no such loss
   */
  public final Loss extraLoss(String key) {
    Loss l = extraLosses.get(key);
    if (l == null) {
      throw new IllegalArgumentException(type + " has no extra loss '" + key + "'; declared: " + extraLosses.keySet());
    }
    return l;
  }

  /** The train config, if the head can train. */
  public final Optional<TrainConfig> trainCfg() {
    return Optional.ofNullable(trainCfg);
  }

  /** The test config, if set. */
  public final Optional<TestConfig> testCfg() {
    return Optional.ofNullable(testCfg);
  }

  /**
   * The assigner training uses: empty without {@code train_cfg}, and for a head that assigns by its
   * own rules ({@link HeadBuilder#withoutAssigner}: FCOS's regress ranges, as MMDetection's
   * {@code AnchorFreeHead} builds no assigner).
   */
  public final Optional<BaseAssigner> assigner() {
    return Optional.ofNullable(assigner);
  }

  /** The sampler training uses (PseudoSampler unless sampling; never null). */
  public final Sampler sampler() {
    return sampler;
  }

  /** Priors (anchors or points) per location of {@code level}. */
  public final int numBasePriors(int level) {
    return priorGenerator().numBasePriors(level);
  }

  /** Number of FPN levels: the length of every output's per-level list. */
  public final int numLevels() {
    return priorGenerator().numLevels();
  }

  /** The stride of every level (pixels of the network input per cell of the level's feature map). */
  public final List<Stride> strides() {
    return priorGenerator().strides();
  }

  /**
   * The stride of {@code level} in pixels along x (the one heads with square cells, FCOS's, GFL's
   * and TOOD's, use to convert between pixels and stride units).
   */
  public final double stride(int level) {
    return priorGenerator().strides().get(level).w();
  }

  /** The executor per-image work runs on (null: the caller's thread). */
  public final Executor executor() {
    return executor;
  }

  /** The seed sampling derives from. */
  public final long seed() {
    return seed;
  }

  /** MMDetection's {@code label_channels} passed to target computation. */
  public final int labelChannels() {
    return useSigmoidCls() ? clsOutChannels() : 1;
  }

  /** The loss dict key of the classification loss ({@code loss_cls}). */
  protected String clsLossName() {
    return "loss_cls";
  }

  /** The loss dict key of the regression loss ({@code loss_bbox}). */
  protected String bboxLossName() {
    return "loss_bbox";
  }
  // ---------------------------------------------------------------------------------------------
  // Declared outputs

  /**
   * The outputs this head consumes, in order ({@code cls_scores}, {@code bbox_preds}, ...): the
   * tensors a network must produce for it, each a list of one {@code [N, outputChannels(name, l),
   * H_l, W_l]} array per level. Hook: a subclass that adds an output returns the list with its name
   * and gives its channels in {@link #outputChannels}; {@link OutputChecks} then checks it and the
   * gradients carry it. Called on any thread; must be a constant.
   */
  public List<String> outputNames() {
    return List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS);
  }

  /**
   * Channels of output {@code name} at {@code level}: A*C for scores, A*4 for boxes (A the priors
   * per location, {@link #numBasePriors(int)}: anchors, or 1 for points; C
   * {@link #clsOutChannels()}). Hook, overridden with {@link #outputNames()}. Called on any thread;
   * must be a constant per (name, level).
   *
   * @throws IllegalArgumentException for a name the head does not declare
   */
  public int outputChannels(String name, int level) {
    int a = numBasePriors(level);
    return switch (name) {
      case HeadOutputs.CLS_SCORES -> a * clsOutChannels();
      case HeadOutputs.BBOX_PREDS -> a * 4;
      default -> throw new IllegalArgumentException(type() + " has no output named '" + name + "'");
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Training and inference

  /** {@link #loss(HeadOutputs, List, List, int)} in epoch 0, with the same checks and exceptions. */
  public HeadLoss loss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas) {
    return loss(outputs, gts, metas, 0);
  }

  /**
   * One training step's losses (MMDetection's {@code loss}, with {@code get_targets}).
   *
   * @param outputs the raw outputs of {@link #outputNames()}, checked against
   *     {@link #outputChannels}, {@link #numLevels()}, the image count, one floating dtype
   *     (FLOAT: float32 arithmetic in MMDetection's order; DOUBLE: float64) and finiteness
   * @param gts one ground truth per image (boxes in the network input's pixels, labels)
   * @param metas one meta per image ({@code img_shape}, {@code pad_shape}, ...)
   * @param epoch the trainer's 0-based epoch (MMDetection's {@code runner.epoch}); heads with phases
   *     (TOOD) switch on it, others ignore it
   * @return the loss dict and the gradient of its total with respect to every declared output, in
   *     the outputs' dtype, same names and shapes
   * @throws IllegalArgumentException for outputs, gts or metas that do not fit, naming the argument,
   *     or {@code epoch < 0}
   * @throws IllegalStateException if the head cannot train (an anchor head without
   *     {@code train_cfg})
   */
  public abstract HeadLoss loss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas, int epoch);

  /**
   * {@link #loss(HeadOutputs, List, List, int)} with the gradients in {@code step}'s reusable arrays
   * (see {@link HeadStep}) or, for null, in new ones; same bits. The default ignores the step.
   */
  public HeadLoss loss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas, int epoch, HeadStep step) {
    return loss(outputs, gts, metas, epoch);
  }

  /**
   * Detections with the head's {@code test_cfg}, without rescaling, with NMS.
   *
   * @throws IllegalStateException if the head has no test config
   */
  public List<Detections> predict(HeadOutputs outputs, List<ImageMeta> metas) {
    return predict(outputs, metas, null, false, true);
  }

  /**
   * MMDetection's {@code get_bboxes}: one {@link Detections} per image, boxes in the network input's
   * pixels (divided by {@code scale_factor} when {@code rescale}), in the outputs' dtype.
   *
   * @param outputs checked as for {@link #loss}
   * @param metas one meta per image ({@code img_shape} clips the boxes)
   * @param cfg the test config, or null for the head's
   * @param withNms class-aware NMS and {@code max_per_img}; without, every candidate in level order
   * @throws IllegalStateException if neither a config nor the head's test config is there, or the
   *     config lacks what this head needs ({@code score_thr}, or {@code nms} when {@code withNms}),
   *     or the head cannot predict
   * @throws IllegalArgumentException for outputs or metas that do not fit the head
   */
  public abstract List<Detections> predict(HeadOutputs outputs, List<ImageMeta> metas, TestConfig cfg,
      boolean rescale, boolean withNms);

  /**
   * {@code epoch}, checked for {@link #loss(HeadOutputs, List, List, int)}.
   *
   * @throws IllegalArgumentException if {@code epoch < 0}
   */
  protected static int checkedEpoch(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0; got " + epoch);
    }
    return epoch;
  }

  /** A fresh root generator for one call: from the seed and the head's call counter. */
  protected final RandomGenerator.SplittableGenerator nextRandomRoot() {
    long call = calls.getAndIncrement();
    return new SplittableRandom(SamplerRandom.randomFor(seed(), call).nextLong());
  }

  /** The target transform the builder was given, if any. */
  protected final Optional<TargetTransform> targetTransform() {
    return Optional.ofNullable(targetTransform);
  }

  /** The assigner, for a training step. @throws IllegalStateException as {@link #requireTraining} */
  protected final BaseAssigner requireAssigner() {
    requireTraining();
    return assigner;
  }

  /** @throws IllegalStateException if the head was built without {@code train_cfg} or assigner */
  protected final void requireTraining() {
    if (trainCfg == null || assigner == null) {
      throw new IllegalStateException(type + " was built without train_cfg; it can predict but not train");
    }
  }
}
