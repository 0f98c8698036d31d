package io.detkit.heads;

import io.detkit.core.anchor.PriorGenerator;
import io.detkit.core.anchor.PriorGenerators;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.assign.Assigners;
import io.detkit.core.assign.BaseAssigner;
import io.detkit.core.coder.BBoxCoder;
import io.detkit.core.coder.BBoxCoders;
import io.detkit.core.nms.Nms;
import io.detkit.core.nms.NmsConfig;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.CrossEntropyLoss;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import io.detkit.losses.Losses;
import io.detkit.samplers.PseudoSampler;
import io.detkit.samplers.Sampler;
import io.detkit.samplers.Samplers;
import io.detkit.samplers.SamplingResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection 2.x's {@code AnchorHead}: turns the raw outputs of an anchor-based dense head into
 * training targets, losses and their gradients ({@link #loss}), and into detections
 * ({@link #predict}). The convolutions that produce the outputs are not part of detkit: the outputs
 * come in as arrays (see {@link HeadOutputs} for their NCHW layout), and the gradients go back out.
 *
 * <h2>Training pipeline</h2>
 * <ol>
 *   <li>{@link #getAnchors}: the anchors of every level and, per image, their valid flags;
 *   <li>{@link #getTargets}: per image (in parallel, see below) {@link #getTargetsSingle}, then the
 *       per-image results regrouped per level ({@link HeadTargets});
 *   <li>{@link #lossFromTargets}: per level {@code loss_cls(cls_rows, labels, label_weights,
 *       avg_factor)} and {@code loss_bbox(bbox_rows, bbox_targets, bbox_weights, avg_factor)} with
 *       {@code avg_factor = num_total_pos (+ num_total_neg when sampling)}; when
 *       {@code reg_decoded_bbox} the predictions are decoded with the anchors first and the gradient
 *       flows back through the decoder.
 * </ol>
 *
 * <h2>Override points (contracts)</h2>
 * <ul>
 *   <li>{@link #getTargetsSingle(SingleImageInput)} receives one image's anchors (all levels
 *       concatenated), valid flags, per-level anchor counts, ground truth, meta, label channels and
 *       a private random generator; it returns that image's {@link ImageTargets} over all anchors
 *       ({@code labels}, {@code label_weights}, {@code bbox_targets}, {@code bbox_weights}, the
 *       positives with their gt and the negatives, the assign and sampling results), or empty when
 *       no anchor lies inside the image. Changing {@code label_weights} / {@code bbox_weights} here
 *       reweights the losses anchor by anchor; {@code num_total_pos}/{@code num_total_neg} count
 *       the positives and negatives it reports.
 *   <li>{@link #getTargets} receives the batch and returns the regrouped targets, or empty when an
 *       image had no inside anchor. An override may post-process the batch (attach level extras
 *       with {@link HeadTargets#withLevelExtra}, as {@link ATSSHead} does for its centerness
 *       targets) and use {@link #collectTargets} to run its own per-image step.
 *   <li>{@link #lossFromTargets} turns targets into the loss dict and gradients.
 * </ul>
 *
 * <h2>Threads and randomness</h2>
 * Per-image steps run on the configured executor (default: the common fork-join pool; null runs
 * them in the caller's thread). Each image gets its own random generator, split from a root
 * generator before any image starts, the root being seeded from the head's {@code seed} and a
 * per-head call counter. Results are therefore identical for any executor or thread count, and a
 * fresh head with the same seed replays the same sampling. The head is otherwise immutable and may
 * be shared by threads.
 *
 * <h2>Precision</h2>
 * All outputs of a call share one floating dtype. FLOAT outputs are computed with float32 rounding
 * in MMDetection's operation order (anchors, targets and decoded boxes included), DOUBLE outputs in
 * float64; targets, gradients and detections come back in the outputs' dtype. Boxes are
 * {@code (x1, y1, x2, y2)} in the network input's pixels.
 *
 * <h2>Errors</h2>
 * Methods throw {@link IllegalArgumentException} when the level count or an output's shape does
 * not match the anchor generator (the message names the output, the level and both shapes), when an
 * output is not floating point or the outputs mix dtypes, when the image, ground-truth and meta
 * counts differ or one of them is null ({@code gts[1] must not be null}), when an output holds a
 * NaN or infinite value ({@code AnchorHead: cls_scores[0] must be finite; element 7 is NaN}), or
 * when an annotation is malformed; {@link IllegalStateException} when training is asked of a head
 * without {@code train_cfg}. Config factories throw {@link ConfigException} naming the key.
 */
public class AnchorHead {
  /** Classification losses that balance positives and negatives themselves (no sampling). */
  public static final List<String> SAMPLING_FREE_LOSSES = List.of("FocalLoss", "GHMC", "QualityFocalLoss");

  /**
   * Config keys that only describe the convolutions producing the outputs (which detkit does not
   * run); every head accepts and ignores them.
   */
  public static final String[] CONV_KEYS = {"in_channels", "feat_channels", "stacked_convs", "conv_cfg",
      "norm_cfg", "init_cfg"};

  static final Config DEFAULT_ANCHOR_GENERATOR = Config.of("type", "AnchorGenerator", "scales", List.of(8, 16, 32),
      "ratios", List.of(0.5, 1.0, 2.0), "strides", List.of(4, 8, 16, 32, 64));
  static final Config DEFAULT_BBOX_CODER = Config.of("type", "DeltaXYWHBBoxCoder", "clip_border", true,
      "target_means", List.of(0.0, 0.0, 0.0, 0.0), "target_stds", List.of(1.0, 1.0, 1.0, 1.0));
  static final Config DEFAULT_LOSS_CLS = Config.of("type", "CrossEntropyLoss", "use_sigmoid", true,
      "loss_weight", 1.0);
  static final Config DEFAULT_LOSS_BBOX = Config.of("type", "SmoothL1Loss", "beta", 1.0 / 9.0, "loss_weight", 1.0);

  private final String type;
  private final int numClasses;
  private final PriorGenerator anchorGenerator;
  private final BBoxCoder bboxCoder;
  private final boolean regDecodedBbox;
  private final Loss lossCls;
  private final Loss lossBbox;
  private final boolean useSigmoidCls;
  private final int clsOutChannels;
  private final TrainConfig trainCfg;
  private final BaseAssigner assigner;
  private final Sampler sampler;
  private final boolean sampling;
  private final TestConfig testCfg;
  private final Executor executor;
  private final long seed;
  private final AtomicLong calls = new AtomicLong();

  /**
   * Builds the head a builder describes.
   *
   * @throws IllegalArgumentException if {@code num_classes} is missing or gives no output channel,
   *     the prior generator does not produce boxes, or levels disagree on the number of anchors
   */
  protected AnchorHead(BaseBuilder<?, ?> b) {
    this.type = b.type;
    if (b.numClasses == null) {
      throw new IllegalArgumentException(type + ": num_classes is required");
    }
    this.numClasses = b.numClasses;
    this.anchorGenerator = Tensors.requireNonNull(b.anchorGenerator, "anchor_generator");
    if (anchorGenerator.priorDim() != 4) {
      throw new IllegalArgumentException(type + ": anchor_generator must produce boxes (prior dim 4); got a "
          + anchorGenerator.getClass().getSimpleName() + " with prior dim " + anchorGenerator.priorDim());
    }
    this.bboxCoder = Tensors.requireNonNull(b.bboxCoder, "bbox_coder");
    this.regDecodedBbox = b.regDecodedBbox;
    this.lossCls = Tensors.requireNonNull(b.lossCls, "loss_cls");
    this.lossBbox = Tensors.requireNonNull(b.lossBbox, "loss_bbox");
    this.useSigmoidCls = b.useSigmoidCls != null ? b.useSigmoidCls
        : !(lossCls instanceof CrossEntropyLoss ce) || ce.useSigmoid();
    this.clsOutChannels = useSigmoidCls ? numClasses : numClasses + 1;
    if (clsOutChannels <= 0) {
      throw new IllegalArgumentException(type + ": num_classes=" + numClasses + " is too small");
    }
    this.trainCfg = b.trainCfg;
    if (trainCfg != null) {
      this.assigner = b.assigner != null ? b.assigner : Assigners.build(trainCfg.assigner());
      Sampler configured = b.sampler != null ? b.sampler
          : trainCfg.sampler().map(Samplers::build).orElse(null);
      boolean wantsSampling = configured != null && !(configured instanceof PseudoSampler);
      this.sampling = wantsSampling && !SAMPLING_FREE_LOSSES.contains(lossCls.type()) && b.samplingAllowed;
      this.sampler = sampling ? configured : PseudoSampler.INSTANCE;
    } else {
      this.assigner = b.assigner;
      this.sampler = b.sampler;
      this.sampling = false;
    }
    this.testCfg = b.testCfg;
    this.executor = b.executor;
    this.seed = b.seed;
    int a0 = anchorGenerator.numBasePriors(0);
    for (int l = 1; l < anchorGenerator.numLevels(); l++) {
      if (anchorGenerator.numBasePriors(l) != a0 && !b.allowVaryingAnchors) {
        throw new IllegalArgumentException(type + ": every level must have the same number of anchors per location; "
            + "got " + Arrays.toString(anchorGenerator.numBasePriors()));
      }
    }
  }


  /**
   * Builds from an MMDetection config dict ({@code type='AnchorHead'}). Keys: {@code num_classes}
   * (required), {@code anchor_generator}, {@code bbox_coder}, {@code reg_decoded_bbox},
   * {@code loss_cls}, {@code loss_bbox}, {@code train_cfg}, {@code test_cfg}; the keys that only
   * shape or initialise the convolutions ({@link #CONV_KEYS}) are accepted and ignored. detkit's
   * {@code seed} seeds sampling.
   *
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter
   */
  public static AnchorHead fromConfig(Config c) {
    Tensors.requireNonNull(c, "config");
    Builder b = new Builder();
    readCommon(c, b, true);
    c.accept(CONV_KEYS);
    return b.build();
  }

  /**
   * Reads the keys every anchor head shares into {@code b}: {@code num_classes} (when
   * {@code withNumClasses}), {@code anchor_generator}, {@code bbox_coder}, {@code reg_decoded_bbox},
   * {@code loss_cls} (its {@code use_sigmoid}, default False as in MMDetection, sets the output
   * channels), {@code loss_bbox}, {@code train_cfg}, {@code test_cfg} and {@code seed}. Absent keys
   * keep the builder's defaults.
   */
  protected static void readCommon(Config c, BaseBuilder<?, ?> b, boolean withNumClasses) {
    try {
      if (withNumClasses) {
        b.numClasses(c.getInt("num_classes"));
      }
      Config ag = c.getConfigOrNull("anchor_generator");
      if (ag != null) {
        b.anchorGenerator(PriorGenerators.build(ag));
      }
      Config coder = c.getConfigOrNull("bbox_coder");
      if (coder != null) {
        b.bboxCoder(BBoxCoders.build(coder));
      }
      if (c.has("reg_decoded_bbox")) {
        b.regDecodedBbox(c.getBoolean("reg_decoded_bbox"));
      }
      Config lc = c.getConfigOrNull("loss_cls");
      if (lc != null) {
        b.lossCls(Losses.build(lc));
        b.useSigmoidCls(lc.getBoolean("use_sigmoid", false));
      }
      Config lb = c.getConfigOrNull("loss_bbox");
      if (lb != null) {
        b.lossBbox(Losses.build(lb));
      }
      Config train = c.getConfigOrNull("train_cfg");
      if (train != null) {
        b.trainCfg(TrainConfig.fromConfig(train));
      }
      Config test = c.getConfigOrNull("test_cfg");
      if (test != null) {
        b.testCfg(TestConfig.fromConfig(test));
      }
      if (c.has("seed")) {
        b.seed(c.getLong("seed"));
      }
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.path(), e.getMessage());
    }
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

  /** The anchor generator. */
  public final PriorGenerator anchorGenerator() {
    return anchorGenerator;
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

  /** The train config, if the head can train. */
  public final Optional<TrainConfig> trainCfg() {
    return Optional.ofNullable(trainCfg);
  }

  /** The test config, if set. */
  public final Optional<TestConfig> testCfg() {
    return Optional.ofNullable(testCfg);
  }

  /** The assigner (null without train config). */
  public final BaseAssigner assigner() {
    return assigner;
  }

  /** The sampler training uses (PseudoSampler unless sampling). */
  public final Sampler sampler() {
    return sampler;
  }

  /** Anchors per location of {@code level}. */
  public final int numBaseAnchors(int level) {
    return anchorGenerator.numBasePriors(level);
  }

  /** Number of FPN levels. */
  public final int numLevels() {
    return anchorGenerator.numLevels();
  }

  /** The executor per-image work runs on (null: the caller's thread). */
  public final Executor executor() {
    return executor;
  }

  /** The seed sampling derives from. */
  public final long seed() {
    return seed;
  }

  /** The loss dict key of the classification loss ({@code loss_cls}). */
  protected String clsLossName() {
    return "loss_cls";
  }

  /** The loss dict key of the regression loss ({@code loss_bbox}). */
  protected String bboxLossName() {
    return "loss_bbox";
  }

  /** MMDetection's {@code label_channels} passed to target computation. */
  public final int labelChannels() {
    return useSigmoidCls ? clsOutChannels : 1;
  }

  // ---------------------------------------------------------------------------------------------
  // Output shapes

  /** The outputs this head consumes, in order (cls_scores, bbox_preds, ...). */
  protected List<String> outputNames() {
    return List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS);
  }

  /** Channels of output {@code name} at {@code level}: A*C for scores, A*4 for boxes. */
  protected int outputChannels(String name, int level) {
    int a = numBaseAnchors(level);
    return switch (name) {
      case HeadOutputs.CLS_SCORES -> a * clsOutChannels;
      case HeadOutputs.BBOX_PREDS -> a * 4;
      default -> throw new IllegalArgumentException(type + " has no output named '" + name + "'");
    };
  }

  /** Shapes and dtype of a validated batch of outputs. */
  protected record Batch(int numImages, List<int[]> featmapSizes, DataType dataType) {}

  /**
   * Checks {@code outputs} against the head: every output of {@link #outputNames()} present with
   * one array per level of the anchor generator, each {@code [N, channels, H_l, W_l]} with N the
   * number of images and (H_l, W_l) from {@code cls_scores}, all of one floating dtype.
   *
   * @throws IllegalArgumentException naming the output, the level and both shapes
   */
  protected Batch checkOutputs(HeadOutputs outputs, int numImages) {
    Tensors.requireNonNull(outputs, "outputs");
    int levels = numLevels();
    List<int[]> sizes = new ArrayList<>();
    DataType dtype = null;
    for (String name : outputNames()) {
      if (!outputs.has(name)) {
        throw new IllegalArgumentException(type + " needs head output '" + name + "'; got " + outputs.names());
      }
      List<INDArray> arrays = outputs.get(name);
      if (arrays.size() != levels) {
        throw new IllegalArgumentException(type + ": " + name + " must have one array per level (" + levels
            + " levels, strides " + anchorGenerator.strides() + "); got " + arrays.size());
      }
      for (int l = 0; l < levels; l++) {
        INDArray a = arrays.get(l);
        String label = name + "[" + l + "]";
        if (a.rank() != 4) {
          throw new IllegalArgumentException(type + ": " + label + " must be NCHW [N, C, H, W]; got " + Tensors.shapeOf(a));
        }
        if (!a.dataType().isFPType()) {
          throw new IllegalArgumentException(type + ": " + label + " must be floating point; got " + a.dataType());
        }
        if (dtype == null) {
          dtype = a.dataType();
        } else if (a.dataType() != dtype) {
          throw new IllegalArgumentException(type + ": " + label + " is " + a.dataType() + " but "
              + outputNames().get(0) + "[0] is " + dtype + "; all outputs must share one dtype");
        }
        if (sizes.size() <= l) {
          sizes.add(new int[] {(int) a.size(2), (int) a.size(3)});
        }
        int[] hw = sizes.get(l);
        long[] expected = {numImages, outputChannels(name, l), hw[0], hw[1]};
        if (!Arrays.equals(a.shape(), expected)) {
          throw new IllegalArgumentException(type + ": " + label + " must be " + Arrays.toString(expected).replace(" ", "")
              + " (" + numImages + " images, " + describeChannels(name, l) + ") at level " + l + "; got "
              + Tensors.shapeOf(a));
        }
        requireFinite(a, type + ": " + label);
      }
    }
    return new Batch(numImages, sizes, dtype);
  }

  /**
   * {@link Tensors#requireFinite(INDArray, String)} behind a cheaper screen: a JIT-compiled scan
   * of a dense FLOAT or DOUBLE buffer (about 8 ms for RetinaHead's level-0 scores, where the native
   * condition pass took 70-100 ms and a native sum was slowed by OpenMP on a busy machine); the
   * exact check, and its message, only runs when the scan finds a NaN or infinity or the array is
   * not dense.
   */
  static void requireFinite(INDArray a, String name) {
    if (a != null && !a.isEmpty() && a.length() > 0 && a.offset() == 0 && a.data().length() == a.length()
        && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE)) {
      int n = (int) a.length();
      boolean finite = a.dataType() == DataType.FLOAT ? allFinite(a.data().asNioFloat(), n)
          : allFinite(a.data().asNioDouble(), n);
      if (finite) {
        return;
      }
    }
    Tensors.requireFinite(a, name);
  }

  // v - v is 0 for every finite v and NaN for NaN and the infinities.
  private static boolean allFinite(java.nio.FloatBuffer b, int n) {
    for (int i = 0; i < n; i++) {
      float v = b.get(i);
      if (v - v != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean allFinite(java.nio.DoubleBuffer b, int n) {
    for (int i = 0; i < n; i++) {
      double v = b.get(i);
      if (v - v != 0) {
        return false;
      }
    }
    return true;
  }

  private String describeChannels(String name, int level) {
    int a = numBaseAnchors(level);
    return switch (name) {
      case HeadOutputs.CLS_SCORES -> a + " anchors x " + clsOutChannels + " classes";
      case HeadOutputs.BBOX_PREDS -> a + " anchors x 4";
      default -> outputChannels(name, level) + " channels";
    };
  }

  private static void checkMetas(List<ImageMeta> metas) {
    if (metas == null) {
      throw new IllegalArgumentException("img_metas must hold one ImageMeta per image; got null");
    }
    for (int i = 0; i < metas.size(); i++) {
      Tensors.requireNonNull(metas.get(i), "img_metas[" + i + "]");
    }
  }

  private static void checkBatch(List<GroundTruth> gts, List<ImageMeta> metas, int numImages) {
    checkMetas(metas);
    if (metas.size() != numImages) {
      throw new IllegalArgumentException("img_metas must have one entry per image (" + numImages + "); got "
          + metas.size());
    }
    if (gts == null || gts.size() != numImages) {
      throw new IllegalArgumentException("gts must hold the ground truth of every image (" + numImages + "); got "
          + (gts == null ? "null" : gts.size()));
    }
    for (int i = 0; i < gts.size(); i++) {
      Tensors.requireNonNull(gts.get(i), "gts[" + i + "]");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Anchors and targets

  /**
   * The anchors of every level and each image's valid flags (MMDetection's {@code get_anchors}).
   *
   * @param featmapSizes (h, w) per level, h, w &gt;= 0
   * @param metas one per image ({@code pad_shape} decides validity); may be empty for anchors alone
   * @param dtype the floating-point type of the anchors: DOUBLE gives float64 anchors, any other
   *     floating type float32 ones
   * @throws IllegalArgumentException if an argument or element is null, {@code dtype} is not
   *     floating point, the level count differs from the generator's, or a size is negative
   */
  public MultiLevelAnchors getAnchors(List<int[]> featmapSizes, List<ImageMeta> metas, DataType dtype) {
    Tensors.requireNonNull(featmapSizes, "featmap_sizes");
    checkMetas(metas);
    if (!Tensors.isFloating(Tensors.requireNonNull(dtype, "dtype"))) {
      throw new IllegalArgumentException("dtype must be a floating-point type; got " + dtype);
    }
    if (featmapSizes.size() != numLevels()) {
      throw new IllegalArgumentException(type + ": featmap_sizes must hold one (h, w) per level (" + numLevels()
          + "); got " + featmapSizes.size());
    }
    List<double[]> levelAnchors = new ArrayList<>();
    for (int l = 0; l < featmapSizes.size(); l++) {
      int[] s = featmapSizes.get(l);
      if (s == null || s.length != 2) {
        throw new IllegalArgumentException("featmap_sizes[" + l + "] must be (h, w); got "
            + (s == null ? "null" : Arrays.toString(s)));
      }
      if (dtype == DataType.DOUBLE) {
        levelAnchors.add(anchorGenerator.gridPriorsFlatDouble(l, s[0], s[1]));
      } else {
        levelAnchors.add(Tensors.widen(anchorGenerator.gridPriorsFlat(l, s[0], s[1])));
      }
    }
    List<List<boolean[]>> flags = new ArrayList<>();
    for (ImageMeta m : metas) {
      flags.add(anchorGenerator.validFlags(featmapSizes, m.padShape()));
    }
    return MultiLevelAnchors.of(dtype == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT, featmapSizes,
        levelAnchors, flags);
  }

  /**
   * Training targets of a batch (MMDetection's {@code get_targets}). Each image's step draws from a
   * generator derived from the head's seed and call counter.
   *
   * @return the targets, or empty when some image has no anchor inside it (MMDetection returns None)
   * @throws IllegalStateException if the head has no train config
   * @throws IllegalArgumentException if the counts of ground truths, metas and anchor images differ
   */
  public Optional<HeadTargets> getTargets(MultiLevelAnchors anchors, List<GroundTruth> gts, List<ImageMeta> metas,
      int labelChannels) {
    return getTargets(anchors, gts, metas, labelChannels, nextRoot());
  }

  /**
   * {@link #getTargets(MultiLevelAnchors, List, List, int)} drawing from {@code random}: image i uses
   * the i-th generator split from it.
   */
  public Optional<HeadTargets> getTargets(MultiLevelAnchors anchors, List<GroundTruth> gts, List<ImageMeta> metas,
      int labelChannels, RandomGenerator.SplittableGenerator random) {
    return collectTargets(anchors, gts, metas, labelChannels, random, this::getTargetsSingle);
  }

  private RandomGenerator.SplittableGenerator nextRoot() {
    long call = calls.getAndIncrement();
    return new SplittableRandom(Samplers.randomFor(seed, call).nextLong());
  }

  /**
   * Runs {@code step} on every image (on the executor) and regroups the results per level: the
   * machinery of {@link #getTargets}, for overrides that bring their own per-image step.
   *
   * @return empty when the step returned empty for some image
   */
  protected final Optional<HeadTargets> collectTargets(MultiLevelAnchors anchors, List<GroundTruth> gts,
      List<ImageMeta> metas, int labelChannels, RandomGenerator.SplittableGenerator random,
      Function<SingleImageInput, Optional<ImageTargets>> step) {
    requireTraining();
    Tensors.requireNonNull(anchors, "anchors");
    Tensors.requireNonNull(random, "random");
    Tensors.requireNonNull(step, "step");
    checkBatch(gts, metas, anchors.numImages());
    List<SingleImageInput> inputs = new ArrayList<>();
    for (int i = 0; i < anchors.numImages(); i++) {
      int[] labels = gts.get(i).labelArray();
      for (int k = 0; labels != null && k < labels.length; k++) {
        if (labels[k] >= numClasses) {
          throw new IllegalArgumentException(type + ": gt_labels of image " + i + " must be in [0, num_classes="
              + numClasses + "); gt " + k + " has label " + labels[k]);
        }
      }
      // Split in image order before anything runs, so no image's draws depend on scheduling.
      inputs.add(new SingleImageInput(i, anchors, gts.get(i), metas.get(i), labelChannels, random.split()));
    }
    List<Optional<ImageTargets>> results = ImageParallelism.map(executor, inputs, step);
    List<ImageTargets> images = new ArrayList<>();
    for (Optional<ImageTargets> r : results) {
      if (r.isEmpty()) {
        return Optional.empty();
      }
      images.add(r.get());
    }
    return Optional.of(HeadTargets.of(anchors.dataType(), numClasses, anchors.numLevelAnchors(), images));
  }

  /** @throws IllegalStateException if the head was built without {@code train_cfg} */
  protected final void requireTraining() {
    if (trainCfg == null || assigner == null) {
      throw new IllegalStateException(type + " was built without train_cfg; it can predict but not train");
    }
  }

  /**
   * One image's targets (MMDetection's {@code _get_targets_single}): the anchors inside the image
   * ({@link AnchorUtils#insideFlags} with {@code allowed_border}) are assigned (the assigner gets the
   * labels only when not sampling) and sampled; sampled positives get their gt's label (0 when the
   * ground truth has no labels), weight {@code pos_weight} (1 when {@code <= 0}), the encoded gt
   * box as target (the gt box itself when {@code reg_decoded_bbox}) with regression weight 1;
   * sampled negatives get label weight 1; everything is unmapped back to all anchors with label
   * {@code num_classes} and zeros outside.
   *
   * @return the targets, or empty when no anchor is inside the image
   * @throws IllegalArgumentException if the sampler added the gt boxes as proposals (anchor heads
   *     index targets by anchor, so {@code add_gt_as_proposals} must be False)
   */
  protected Optional<ImageTargets> getTargetsSingle(SingleImageInput in) {
    boolean[] inside = AnchorUtils.insideFlags(in.flatAnchorsNoCopy(), in.validFlagsNoCopy(), in.meta(),
        trainCfg.allowedBorder());
    int[] insideIdx = AnchorUtils.indicesOf(inside);
    if (insideIdx.length == 0) {
      return Optional.empty();
    }
    INDArray anchors = in.anchorsWhere(inside);
    GroundTruth gt = in.gt();
    INDArray labelsForAssigner = sampling ? null : gt.labels().orElse(null);
    AssignResult assign = assigner.assign(anchors, null, gt.bboxes(), gt.bboxesIgnore().orElse(null),
        labelsForAssigner);
    SamplingResult sr = sampler.sample(assign, anchors, gt.bboxes(), null, in.random());
    return Optional.of(buildTargets(in, inside, insideIdx, assign, sr, null));
  }

  /**
   * The standard target construction from an assignment and a sampling of the inside anchors: what
   * {@link #getTargetsSingle} does after sampling, shared by subclasses that assign differently.
   *
   * @param anchorsInside the inside anchors' coordinates to return with the targets (unmapped, zeros
   *     outside), or null to return none
   */
  protected final ImageTargets buildTargets(SingleImageInput in, boolean[] inside, int[] insideIdx,
      AssignResult assign, SamplingResult sr, double[] anchorsInside) {
    int n = insideIdx.length;
    if (sr.numBboxes() != n) {
      throw new IllegalArgumentException(type + ": the sampler added the gt boxes as proposals ("
          + sr.numBboxes() + " rows for " + n + " anchors); anchor heads need add_gt_as_proposals=False");
    }
    Precision p = Precision.of(in.dataType());
    int[] labels = new int[n];
    Arrays.fill(labels, numClasses);
    double[] labelWeights = new double[n];
    double[] bboxTargets = new double[n * 4];
    double[] bboxWeights = new double[n * 4];
    int[] pos = sr.posInds();
    int[] neg = sr.negInds();
    int[] posGt = sr.posAssignedGtInds();
    int[] gtLabels = in.gt().labelArray();
    if (pos.length > 0) {
      double[] targets = regDecodedBbox ? sr.posGtBboxesData() : encode(sr.posBboxesData(), sr.boxColumns(),
          sr.posGtBboxesData(), p);
      double posWeight = trainCfg.posWeight() <= 0 ? 1.0 : p.r(trainCfg.posWeight());
      for (int k = 0; k < pos.length; k++) {
        int i = pos[k];
        for (int c = 0; c < 4; c++) {
          bboxTargets[i * 4 + c] = p.r(targets[k * 4 + c]);
          bboxWeights[i * 4 + c] = 1.0;
        }
        labels[i] = gtLabels == null ? 0 : gtLabels[posGt[k]];
        labelWeights[i] = posWeight;
      }
    }
    for (int i : neg) {
      labelWeights[i] = 1.0;
    }
    int[] posFlat = new int[pos.length];
    for (int k = 0; k < pos.length; k++) {
      posFlat[k] = insideIdx[pos[k]];
    }
    int[] negFlat = new int[neg.length];
    for (int k = 0; k < neg.length; k++) {
      negFlat[k] = insideIdx[neg[k]];
    }
    return ImageTargets.of(inside, AnchorUtils.unmap(labels, inside, numClasses),
        AnchorUtils.unmap(labelWeights, 1, inside, 0), AnchorUtils.unmap(bboxTargets, 4, inside, 0),
        AnchorUtils.unmap(bboxWeights, 4, inside, 0),
        anchorsInside == null ? null : AnchorUtils.unmap(anchorsInside, 4, inside, 0), posFlat, posGt, negFlat,
        assign, sr);
  }

  private double[] encode(double[] posBoxes, int cols, double[] posGt, Precision p) {
    int m = posGt.length / 4;
    if (p.isSingle()) {
      float[] b = new float[m * 4];
      float[] g = new float[m * 4];
      for (int k = 0; k < m; k++) {
        for (int c = 0; c < 4; c++) {
          b[k * 4 + c] = (float) posBoxes[k * cols + c];
          g[k * 4 + c] = (float) posGt[k * 4 + c];
        }
      }
      return Tensors.widen(bboxCoder.encode(b, g));
    }
    double[] b = new double[m * 4];
    for (int k = 0; k < m; k++) {
      System.arraycopy(posBoxes, k * cols, b, k * 4, 4);
    }
    return bboxCoder.encode(b, posGt);
  }

  // ---------------------------------------------------------------------------------------------
  // Losses

  /**
   * The loss dict and the gradient of its total with respect to every raw output
   * (MMDetection's {@code loss}).
   *
   * @param outputs the head outputs ({@link #outputNames()})
   * @param gts one per image
   * @param metas one per image
   * @throws IllegalArgumentException for mismatched shapes or counts (see the class comment)
   * @throws IllegalStateException if the head has no train config
   */
  public HeadLoss loss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas) {
    requireTraining();
    checkBatch(gts, metas, metas == null ? 0 : metas.size());
    Batch batch = checkOutputs(outputs, metas.size());
    MultiLevelAnchors anchors = getAnchors(batch.featmapSizes(), metas, batch.dataType());
    Optional<HeadTargets> targets = getTargets(anchors, gts, metas, labelChannels());
    if (targets.isEmpty()) {
      return HeadLoss.of(Map.of(), new GradBuffer(outputs, batch.dataType()).toOutputs(), null);
    }
    return lossFromTargets(outputs, anchors, targets.get());
  }

  /** {@link #loss(HeadOutputs, List, List)} for classification and regression outputs. */
  public HeadLoss loss(List<INDArray> clsScores, List<INDArray> bboxPreds, List<GroundTruth> gts,
      List<ImageMeta> metas) {
    return loss(HeadOutputs.of(clsScores, bboxPreds), gts, metas);
  }

  /**
   * The loss dict from computed targets: per level, the classification loss over every anchor
   * row with the label weights, and the regression loss with the bbox weights, both averaged by
   * {@code num_total_pos} (plus {@code num_total_neg} when sampling).
   */
  protected HeadLoss lossFromTargets(HeadOutputs outputs, MultiLevelAnchors anchors, HeadTargets t) {
    double avgFactor = sampling ? t.numTotalPos() + t.numTotalNeg() : t.numTotalPos();
    DataType dtype = anchors.dataType();
    GradBuffer grads = new GradBuffer(outputs, dtype);
    int levels = anchors.numLevels();
    double[] cls = new double[levels];
    double[] box = new double[levels];
    for (int l = 0; l < levels; l++) {
      cls[l] = clsLossLevel(outputs, t, l, avgFactor, grads);
      box[l] = bboxLossLevel(outputs, anchors, t, l, avgFactor, grads);
    }
    Map<String, double[]> losses = new LinkedHashMap<>();
    losses.put(clsLossName(), cls);
    losses.put(bboxLossName(), box);
    return HeadLoss.of(losses, grads.toOutputs(), t);
  }

  /**
   * The classification loss of {@code level} with {@code avgFactor}, adding its gradient to
   * {@code grads}: {@code loss_cls(cls_scores[l] as [N*H*W*A, C] rows, labels, label_weights)}.
   */
  final double clsLossLevel(HeadOutputs outputs, HeadTargets t, int level, double avgFactor,
      GradBuffer grads) {
    INDArray scores = outputs.get(HeadOutputs.CLS_SCORES, level);
    int a = numBaseAnchors(level);
    DataType dtype = scores.dataType();
    INDArray pred = Layout.toRows(scores, a, clsOutChannels);
    int rows = (int) pred.size(0);
    INDArray labels = Tensors.createLong(t.labelsData(level), rows);
    INDArray weights = Tensors.create(t.labelWeightsData(level), dtype, rows);
    LossResult r = lossCls.forward(LossArgs.of(pred, labels).weight(weights).avgFactor(avgFactor));
    grads.addRows(HeadOutputs.CLS_SCORES, level, r.gradPred(), clsOutChannels);
    return r.scalar();
  }

  /**
   * The regression loss of {@code level} with {@code avgFactor}, adding its gradient to
   * {@code grads}: {@code loss_bbox(bbox_preds[l] as [N*H*W*A, 4] rows, bbox_targets, bbox_weights)},
   * decoding the rows with the level's anchors first when {@code reg_decoded_bbox}.
   */
  final double bboxLossLevel(HeadOutputs outputs, MultiLevelAnchors anchors, HeadTargets t, int level,
      double avgFactor, GradBuffer grads) {
    INDArray preds = outputs.get(HeadOutputs.BBOX_PREDS, level);
    int n = (int) preds.size(0);
    int a = numBaseAnchors(level);
    DataType dtype = preds.dataType();
    INDArray pred = Layout.toRows(preds, a, 4);
    int rows = (int) pred.size(0);
    INDArray targets = Tensors.create(t.bboxTargetsData(level), dtype, rows, 4);
    INDArray weights = Tensors.create(t.bboxWeightsData(level), dtype, rows, 4);
    INDArray levelAnchors = null;
    INDArray input = pred;
    if (regDecodedBbox) {
      double[] one = anchors.anchorData(level);
      double[] all = new double[rows * 4];
      for (int i = 0; i < n; i++) {
        System.arraycopy(one, 0, all, i * one.length, one.length);
      }
      levelAnchors = Tensors.create(all, dtype, rows, 4);
      input = bboxCoder.decode(levelAnchors, pred, null);
    }
    LossResult r = lossBbox.forward(LossArgs.of(input, targets).weight(weights).avgFactor(avgFactor));
    INDArray grad = regDecodedBbox ? bboxCoder.decodeVjp(levelAnchors, pred, null, r.gradPred()) : r.gradPred();
    grads.addRows(HeadOutputs.BBOX_PREDS, level, grad, 4);
    return r.scalar();
  }

  // ---------------------------------------------------------------------------------------------
  // Inference

  /**
   * The output whose sigmoid multiplies the class scores before NMS (MMDetection's
   * {@code score_factors}; ATSS: {@code centernesses}), or null for none.
   */
  protected String scoreFactorName() {
    return null;
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
   * MMDetection's {@code get_bboxes}: per image and level, class scores (sigmoid, or softmax without
   * the background column), the (anchor, class) pairs scoring strictly above {@code score_thr}, of
   * those the {@code nms_pre} best (a Python slice: -1 drops the lowest), decoded and clipped to
   * {@code img_shape}; levels concatenated; divided by {@code scale_factor} when {@code rescale};
   * scores multiplied by the score factors (ATSS); then class-aware NMS and the first
   * {@code max_per_img}, or, without NMS, every candidate in level order.
   *
   * @param cfg the test config, or null for the head's
   * @throws IllegalStateException if neither a config nor the head's test config is there, or the
   *     config lacks what this head needs ({@code score_thr}, or {@code nms} when {@code withNms})
   * @throws IllegalArgumentException for outputs that do not fit the head
   */
  public List<Detections> predict(HeadOutputs outputs, List<ImageMeta> metas, TestConfig cfg, boolean rescale,
      boolean withNms) {
    TestConfig c = cfg != null ? cfg : testCfg;
    if (c == null) {
      throw new IllegalStateException(type + " has no test_cfg; pass one to predict");
    }
    checkMetas(metas);
    Batch batch = checkOutputs(outputs, metas.size());
    if (withNms && c.nms().isEmpty()) {
      throw new IllegalStateException(type + ": test_cfg.nms is required for NMS; got " + c);
    }
    Map<String, List<double[]>> data = new LinkedHashMap<>();
    for (String name : outputNames()) {
      List<double[]> levels = new ArrayList<>();
      for (INDArray a : outputs.get(name)) {
        levels.add(Tensors.toDoubles(a));
      }
      data.put(name, levels);
    }
    MultiLevelAnchors anchors = getAnchors(batch.featmapSizes(), List.of(), batch.dataType());
    List<Integer> images = new ArrayList<>();
    for (int i = 0; i < metas.size(); i++) {
      images.add(i);
    }
    return ImageParallelism.map(executor, images,
        i -> predictSingle(new ImageOutputs(i, batch, data), anchors, metas.get(i), c, rescale, withNms));
  }

  /**
   * One image's share of the head outputs, as per-anchor rows per level.
   *
   * @param image the image's index in the batch
   */
  protected record ImageOutputs(int image, Batch batch, Map<String, List<double[]>> data) {
    /** The rows {@code [H*W*A, k]} of output {@code name} at {@code level} for this image. */
    public double[] rows(String name, int level, int anchorsPerLocation) {
      int[] hw = batch.featmapSizes().get(level);
      double[] all = data.get(name).get(level);
      int per = all.length / batch.numImages();
      double[] mine = java.util.Arrays.copyOfRange(all, image * per, (image + 1) * per);
      int k = per / (hw[0] * hw[1] * anchorsPerLocation);
      return Layout.toRows(mine, 1, anchorsPerLocation, k, hw[0], hw[1]);
    }
  }

  /** One image of {@link #predict} (see there). */
  protected Detections predictSingle(ImageOutputs out, MultiLevelAnchors anchors, ImageMeta meta, TestConfig cfg,
      boolean rescale, boolean withNms) {
    Precision p = Precision.of(anchors.dataType());
    double scoreThr = cfg.scoreThr().orElseThrow(() -> new IllegalStateException(type
        + ": test_cfg.score_thr is required; got " + cfg));
    String factorName = scoreFactorName();
    int c = clsOutChannels;
    int fg = useSigmoidCls ? c : c - 1;
    List<double[]> boxesPerLevel = new ArrayList<>();
    List<double[]> scoresPerLevel = new ArrayList<>();
    List<int[]> labelsPerLevel = new ArrayList<>();
    int total = 0;
    for (int l = 0; l < anchors.numLevels(); l++) {
      int a = numBaseAnchors(l);
      double[] cls = out.rows(HeadOutputs.CLS_SCORES, l, a);
      double[] deltas = out.rows(HeadOutputs.BBOX_PREDS, l, a);
      double[] factor = factorName == null ? null : out.rows(factorName, l, a);
      int n = anchors.numAnchors(l);
      double[] scores = classScores(cls, n, c, p);
      // filter_scores_and_topk: pairs above the threshold, best first, then a Python slice [:nms_pre].
      int[] cand = new int[n * fg];
      int m = 0;
      for (int i = 0; i < n * fg; i++) {
        if (scores[i] > scoreThr) {
          cand[m++] = i;
        }
      }
      int[] order = Ranking.byDescendingScore(cand, m, scores);
      int keep = pythonSliceEnd(Math.min(cfg.nmsPre(), m), m);
      double[] keptAnchors = new double[keep * 4];
      double[] keptDeltas = new double[keep * 4];
      double[] keptScores = new double[keep];
      int[] keptLabels = new int[keep];
      double[] levelAnchors = anchors.anchorData(l);
      for (int k = 0; k < keep; k++) {
        int flat = order[k];
        int anchor = flat / fg;
        System.arraycopy(levelAnchors, anchor * 4, keptAnchors, k * 4, 4);
        System.arraycopy(deltas, anchor * 4, keptDeltas, k * 4, 4);
        keptScores[k] = scores[flat];
        keptLabels[k] = flat % fg;
        if (factor != null) {
          keptScores[k] = p.r(keptScores[k] * sigmoid(factor[anchor], p));
        }
      }
      boxesPerLevel.add(decode(keptAnchors, keptDeltas, meta.imgShape(), p));
      scoresPerLevel.add(keptScores);
      labelsPerLevel.add(keptLabels);
      total += keep;
    }
    double[] boxes = new double[total * 4];
    double[] scores = new double[total];
    int[] labels = new int[total];
    int o = 0;
    for (int l = 0; l < boxesPerLevel.size(); l++) {
      int k = scoresPerLevel.get(l).length;
      System.arraycopy(boxesPerLevel.get(l), 0, boxes, o * 4, k * 4);
      System.arraycopy(scoresPerLevel.get(l), 0, scores, o, k);
      System.arraycopy(labelsPerLevel.get(l), 0, labels, o, k);
      o += k;
    }
    if (rescale) {
      double[] sf = meta.scaleFactor();
      for (int i = 0; i < boxes.length; i++) {
        boxes[i] = p.r(boxes[i] / p.r(sf[i % 4]));
      }
    }
    if (!withNms) {
      return Detections.of(anchors.dataType(), boxes, scores, labels);
    }
    return nmsAndCap(boxes, scores, labels, labels, cfg, anchors.dataType(), p);
  }

  /**
   * Class-aware NMS of the candidates ({@code groups} keep boxes apart), then the first
   * {@code max_per_img} as a Python slice.
   */
  final Detections nmsAndCap(double[] boxes, double[] scores, int[] labels, int[] groups, TestConfig cfg,
      DataType dtype, Precision p) {
    if (scores.length == 0) {
      return Detections.of(dtype, new double[0], new double[0], new int[0]);
    }
    NmsConfig nms = cfg.nms().orElseThrow();
    int[] keep;
    if (p.isSingle()) {
      float[] b = new float[boxes.length];
      float[] s = new float[scores.length];
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) boxes[i];
      }
      for (int i = 0; i < s.length; i++) {
        s[i] = (float) scores[i];
      }
      keep = Nms.batchedNms(b, s, groups, nms);
    } else {
      keep = Nms.batchedNms(boxes, scores, groups, nms);
    }
    int n = pythonSliceEnd(cfg.maxPerImg(), keep.length);
    double[] ob = new double[n * 4];
    double[] os = new double[n];
    int[] ol = new int[n];
    for (int k = 0; k < n; k++) {
      System.arraycopy(boxes, keep[k] * 4, ob, k * 4, 4);
      os[k] = scores[keep[k]];
      ol[k] = labels[keep[k]];
    }
    return Detections.of(dtype, ob, os, ol);
  }

  /** Scores of {@code n} rows of {@code c} logits: sigmoid, or softmax without the last column. */
  private double[] classScores(double[] logits, int n, int c, Precision p) {
    if (useSigmoidCls) {
      double[] s = new double[logits.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = sigmoid(logits[i], p);
      }
      return s;
    }
    int fg = c - 1;
    double[] s = new double[n * fg];
    for (int i = 0; i < n; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        max = Math.max(max, logits[i * c + k]);
      }
      double sum = 0;
      for (int k = 0; k < c; k++) {
        sum += Math.exp(logits[i * c + k] - max);
      }
      for (int k = 0; k < fg; k++) {
        s[i * fg + k] = p.r(Math.exp(logits[i * c + k] - max) / sum);
      }
    }
    return s;
  }

  static double sigmoid(double x, Precision p) {
    return p.r(1.0 / (1.0 + Math.exp(-x)));
  }

  /** Where {@code [:stop]} ends on a sequence of {@code n}, Python's way (negative counts from the end). */
  static int pythonSliceEnd(int stop, int n) {
    return stop >= 0 ? Math.min(stop, n) : Math.max(n + stop, 0);
  }

  /** Decoded boxes of {@code anchors} and {@code deltas} (flat rows), clipped to {@code maxShape}. */
  final double[] decode(double[] anchors, double[] deltas, int[] maxShape, Precision p) {
    if (deltas.length == 0) {
      return new double[0];
    }
    if (p.isSingle()) {
      return Tensors.widen(bboxCoder.decode(Tensors.narrow(anchors), Tensors.narrow(deltas), maxShape));
    }
    return bboxCoder.decode(anchors, deltas, maxShape);
  }

  @Override
  public String toString() {
    return type + "(num_classes=" + numClasses + ", cls_out_channels=" + clsOutChannels + ", anchors/location="
        + Arrays.toString(anchorGenerator.numBasePriors()) + ", loss_cls=" + lossCls + ", loss_bbox=" + lossBbox
        + ", sampling=" + sampling + ", reg_decoded_bbox=" + regDecodedBbox + ")";
  }

  // ---------------------------------------------------------------------------------------------
  // Builders

  /**
   * The builder shared by anchor heads; the defaults are MMDetection's: {@code AnchorGenerator}
   * with scales (8, 16, 32), ratios (0.5, 1, 2), strides (4 .. 64); {@code DeltaXYWHBBoxCoder} with
   * zero means and unit stds; sigmoid {@code CrossEntropyLoss}; {@code SmoothL1Loss(beta=1/9)};
   * {@code reg_decoded_bbox=False}; no train or test config; the common fork-join pool; seed 0.
   *
   * @param <B> the concrete builder
   * @param <H> the head it builds
   */
  public abstract static class BaseBuilder<B extends BaseBuilder<B, H>, H extends AnchorHead> {
    private final String type;
    private Integer numClasses;
    private PriorGenerator anchorGenerator = PriorGenerators.build(DEFAULT_ANCHOR_GENERATOR);
    private BBoxCoder bboxCoder = BBoxCoders.build(DEFAULT_BBOX_CODER);
    private boolean regDecodedBbox;
    private Loss lossCls = Losses.build(DEFAULT_LOSS_CLS);
    private Boolean useSigmoidCls;
    private Loss lossBbox = Losses.build(DEFAULT_LOSS_BBOX);
    private TrainConfig trainCfg;
    private BaseAssigner assigner;
    private Sampler sampler;
    private TestConfig testCfg;
    private Executor executor = ForkJoinPool.commonPool();
    private long seed;
    private boolean samplingAllowed = true;
    private boolean allowVaryingAnchors;

    /** @param type the head's MMDetection type name, used in messages and {@link AnchorHead#type()} */
    protected BaseBuilder(String type) {
      this.type = type;
    }

    /** This builder, typed as the concrete builder. */
    protected abstract B self();

    /** The head. @throws IllegalArgumentException for an inconsistent setting */
    public abstract H build();

    /** {@code num_classes}: foreground classes. */
    public B numClasses(int numClasses) {
      this.numClasses = numClasses;
      return self();
    }

    /** {@code anchor_generator}. */
    public B anchorGenerator(PriorGenerator anchorGenerator) {
      this.anchorGenerator = Tensors.requireNonNull(anchorGenerator, "anchorGenerator");
      return self();
    }

    /** {@code bbox_coder}. */
    public B bboxCoder(BBoxCoder bboxCoder) {
      this.bboxCoder = Tensors.requireNonNull(bboxCoder, "bboxCoder");
      return self();
    }

    /** {@code reg_decoded_bbox}. */
    public B regDecodedBbox(boolean regDecodedBbox) {
      this.regDecodedBbox = regDecodedBbox;
      return self();
    }

    /**
     * {@code loss_cls}. Unless {@link #useSigmoidCls} is set, sigmoid classification is assumed
     * for every loss but a softmax {@code CrossEntropyLoss}.
     */
    public B lossCls(Loss lossCls) {
      this.lossCls = Tensors.requireNonNull(lossCls, "lossCls");
      return self();
    }

    /** Whether the classifier is sigmoid (C channels) or softmax (C+1); null infers it from the loss. */
    public B useSigmoidCls(Boolean useSigmoidCls) {
      this.useSigmoidCls = useSigmoidCls;
      return self();
    }

    /** {@code loss_bbox}. */
    public B lossBbox(Loss lossBbox) {
      this.lossBbox = Tensors.requireNonNull(lossBbox, "lossBbox");
      return self();
    }

    /** {@code train_cfg} (null: the head cannot train). */
    public B trainCfg(TrainConfig trainCfg) {
      this.trainCfg = trainCfg;
      return self();
    }

    /** An assigner object that replaces the one {@code train_cfg.assigner} describes. */
    public B assigner(BaseAssigner assigner) {
      this.assigner = assigner;
      return self();
    }

    /** A sampler object that replaces the one {@code train_cfg.sampler} describes. */
    public B sampler(Sampler sampler) {
      this.sampler = sampler;
      return self();
    }

    /** {@code test_cfg}. */
    public B testCfg(TestConfig testCfg) {
      this.testCfg = testCfg;
      return self();
    }

    /** Where per-image work runs; null runs it in the caller's thread. */
    public B executor(Executor executor) {
      this.executor = executor;
      return self();
    }

    /** The seed sampling derives from. */
    public B seed(long seed) {
      this.seed = seed;
      return self();
    }

    /** For heads that never sample (ATSS): the sampler is always the PseudoSampler. */
    protected B disableSampling() {
      this.samplingAllowed = false;
      return self();
    }

    /** For heads whose levels may have different anchor counts per location. */
    protected B allowVaryingAnchors() {
      this.allowVaryingAnchors = true;
      return self();
    }
  }

  /** Builder of a plain {@link AnchorHead}. */
  public static final class Builder extends BaseBuilder<Builder, AnchorHead> {
    /** A builder with MMDetection's defaults. */
    public Builder() {
      super("AnchorHead");
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    public AnchorHead build() {
      return new AnchorHead(this);
    }
  }
}
