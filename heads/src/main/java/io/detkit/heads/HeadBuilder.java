package io.detkit.heads;

import io.detkit.core.anchor.PriorGenerator;
import io.detkit.core.anchor.PriorGenerators;
import io.detkit.core.assign.BaseAssigner;
import io.detkit.core.coder.BBoxCoder;
import io.detkit.core.coder.BBoxCoders;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.Loss;
import io.detkit.losses.Losses;
import io.detkit.samplers.Sampler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;

/**
 * The builder every dense head shares, self-typed: setters return the concrete builder {@code B}
 * and {@link #build()} the concrete head {@code H}. The defaults are MMDetection's
 * {@code AnchorHead}'s: {@code AnchorGenerator} with scales (8, 16, 32), ratios (0.5, 1, 2),
 * strides (4 .. 64); {@code DeltaXYWHBBoxCoder} with zero means and unit stds; sigmoid
 * {@code CrossEntropyLoss}; {@code SmoothL1Loss(beta=1/9)}; {@code reg_decoded_bbox=False}; no
 * train or test config; the common fork-join pool; seed 0.
 *
 * <p>One construction idiom for every head: a head declares only what differs from this builder,
 * namely its type name, how a builder becomes the head (its constructor), its defaults and its
 * own keys. A head with no keys of its own needs no builder class:
 * <pre>{@code
 * public static HeadBuilder.Of<MyHead> builder() {
 *   return RetinaHead.defaults(HeadBuilder.of("MyHead", MyHead::new));  // start from RetinaHead's
 * }
 * public static MyHead fromConfig(Config c) { return builder().fromConfig(c); }
 * }</pre>
 * A head with keys of its own subclasses with a constructor and its setters:
 * <pre>{@code
 * public static final class Builder extends HeadBuilder<Builder, MyHead> {
 *   public Builder() { super("MyHead", b -> new MyHead(b, b.myKey)); }
 *   public Builder myKey(int v) { myKey = v; return this; }
 *   protected void readConfig(Config c) { myKey(c.getInt("my_key", myKey)); }
 * }
 * }</pre>
 * and {@code fromConfig(cfg)} reads an MMDetection config dict: the common keys, the
 * convolution keys ({@link AnchorHead#CONV_KEYS}, accepted and ignored), the extra losses the
 * builder declared ({@link #declareLoss}) and whatever {@link #readConfig} reads.
 *
 * <p>Not thread-safe; a built head does not change when the builder does afterwards.
 *
 * @param <B> the concrete builder
 * @param <H> the head it builds
 */
public abstract class HeadBuilder<B extends HeadBuilder<B, H>, H extends BaseDenseHead> {
  static final Config DEFAULT_ANCHOR_GENERATOR = Config.of("type", "AnchorGenerator", "scales", List.of(8, 16, 32),
      "ratios", List.of(0.5, 1.0, 2.0), "strides", List.of(4, 8, 16, 32, 64));
  static final Config DEFAULT_BBOX_CODER = Config.of("type", "DeltaXYWHBBoxCoder", "clip_border", true,
      "target_means", List.of(0.0, 0.0, 0.0, 0.0), "target_stds", List.of(1.0, 1.0, 1.0, 1.0));
  static final Config DEFAULT_LOSS_CLS = Config.of("type", "CrossEntropyLoss", "use_sigmoid", true,
      "loss_weight", 1.0);
  static final Config DEFAULT_LOSS_BBOX = Config.of("type", "SmoothL1Loss", "beta", 1.0 / 9.0, "loss_weight", 1.0);

  final String type;
  private final Function<? super B, ? extends H> factory;
  Integer numClasses;
  PriorGenerator anchorGenerator = PriorGenerators.build(DEFAULT_ANCHOR_GENERATOR);
  BBoxCoder bboxCoder = BBoxCoders.build(DEFAULT_BBOX_CODER);
  boolean regDecodedBbox;
  Loss lossCls = Losses.build(DEFAULT_LOSS_CLS);
  Boolean useSigmoidCls;
  Loss lossBbox = Losses.build(DEFAULT_LOSS_BBOX);
  final Map<String, Loss> extraLosses = new LinkedHashMap<>();
  TrainConfig trainCfg;
  BaseAssigner assigner;
  Sampler sampler;
  TargetTransform targetTransform;
  TestConfig testCfg;
  Executor executor = ForkJoinPool.commonPool();
  long seed;
  boolean samplingAllowed = true;
  boolean buildsAssigner = true;
  boolean allowVaryingAnchors;
  private final List<String> ignoredKeys = new ArrayList<>(List.of(AnchorHead.CONV_KEYS));
  private final List<String> trainCfgKeys = new ArrayList<>();

  /**
   * @param type the head's MMDetection type name, used in messages and {@link AnchorHead#type()}
   * @param factory makes the head from this builder (usually the head's constructor,
   *     {@code MyHead::new}); called by {@link #build()} on the builder's thread
   */
  protected HeadBuilder(String type, Function<? super B, ? extends H> factory) {
    this.type = Tensors.requireNonNull(type, "type");
    this.factory = Tensors.requireNonNull(factory, "factory");
  }

  /**
   * A builder for a head that has no settings beyond the common ones: {@code type} and its
   * constructor are all it declares.
   */
  public static <H extends BaseDenseHead> Of<H> of(String type,
      Function<? super HeadBuilder<?, ?>, ? extends H> factory) {
    return new Of<>(type, factory);
  }

  /** The builder of a head with only the common settings; see {@link HeadBuilder#of}. */
  public static final class Of<H extends BaseDenseHead> extends HeadBuilder<Of<H>, H> {
    Of(String type, Function<? super HeadBuilder<?, ?>, ? extends H> factory) {
      super(type, factory);
    }
  }

  /** The head's MMDetection type name. */
  public final String type() {
    return type;
  }

  /**
   * This builder, typed as the concrete builder: safe because {@code B} is by contract the class
   * that extends {@code HeadBuilder<B, H>} (the self type).
   */
  @SuppressWarnings("unchecked")
  protected final B self() {
    return (B) this;
  }

  /**
   * Runs {@code assignment} (a setter's field assignment) and returns this builder: the one body
   * of every plain typed setter here and in the heads' builders, so each setter states only what it
   * stores. Called by the thread building the head.
   */
  protected final B set(Runnable assignment) {
    assignment.run();
    return self();
  }

  /**
   * The head, made by the factory given to the constructor.
   *
   * @throws IllegalArgumentException for an inconsistent setting
   */
  public H build() {
    return factory.apply(self());
  }

  /**
   * Reads an MMDetection config dict into this builder and builds: {@code num_classes} (required;
   * not read when the builder fixed it, as RPN's does), {@code anchor_generator}, {@code bbox_coder},
   * {@code reg_decoded_bbox}, {@code loss_cls} (its {@code use_sigmoid}, default False as in
   * MMDetection, sets the output channels), {@code loss_bbox}, the declared extra losses,
   * {@code train_cfg}, {@code test_cfg}, detkit's {@code seed}, then {@link #readConfig}; the
   * ignored keys are accepted.
   *
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter, or an
   *     inconsistent head
   */
  public H fromConfig(Config c) {
    Tensors.requireNonNull(c, "config");
    try {
      if (numClasses == null) {  // a builder that fixes it (RPN) leaves the key unknown
        numClasses(c.getInt("num_classes"));
      }
      readPriorsAndCoder(c);
      Config lc = c.getConfigOrNull("loss_cls");
      if (lc != null) {
        lossCls(Losses.build(lc));
        useSigmoidCls(lc.getBoolean("use_sigmoid", false));
      }
      Config lb = c.getConfigOrNull("loss_bbox");
      if (lb != null) {
        lossBbox(Losses.build(lb));
      }
      for (String key : List.copyOf(extraLosses.keySet())) {
        Config l = c.getConfigOrNull(key);
        if (l != null) {
          loss(key, Losses.build(l));
        }
      }
      Config train = c.getConfigOrNull("train_cfg");
      if (train != null) {
        trainCfg(TrainConfig.fromConfig(train, trainCfgKeys));
      }
      Config test = c.getConfigOrNull("test_cfg");
      if (test != null) {
        readTestCfg(test);
      }
      if (c.has("seed")) {
        seed(c.getLong("seed"));
      }
      readConfig(c);
      c.accept(ignoredKeys.toArray(String[]::new));
      return build();
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.path(), e.getMessage());
    }
  }

  /**
   * Hook: reads the priors and their coding, called first by {@link #fromConfig}. The default reads
   * an anchor head's {@code anchor_generator}, {@code bbox_coder} and {@code reg_decoded_bbox}; a
   * point head's builder reads {@code strides} instead (its heads have no anchor generator).
   */
  protected void readPriorsAndCoder(Config c) {
    Config ag = c.getConfigOrNull("anchor_generator");
    if (ag != null) {
      anchorGenerator(PriorGenerators.build(ag));
    }
    Config coder = c.getConfigOrNull("bbox_coder");
    if (coder != null) {
      bboxCoder(BBoxCoders.build(coder));
    }
    if (c.has("reg_decoded_bbox")) {
      regDecodedBbox(c.getBoolean("reg_decoded_bbox"));
    }
  }

  /**
   * Hook: reads {@code test_cfg} (present and not None) into {@link #testCfg}; the default is
   * {@link TestConfig#fromConfig}, which refuses unknown keys.
   */
  protected void readTestCfg(Config test) {
    testCfg(TestConfig.fromConfig(test));
  }

  /**
   * Hook for a builder's own config keys, called by {@link #fromConfig} after the common ones; the
   * default reads nothing. Read a key with {@code c.getX(...)} (which marks it used); a key left
   * unread and not ignored is reported as unknown.
   */
  protected void readConfig(Config c) {}

  /** Config keys to accept and ignore (they shape the convolutions, which detkit does not run). */
  protected final B ignoreKeys(String... keys) {
    ignoredKeys.addAll(List.of(keys));
    return self();
  }

  /**
   * {@code train_cfg} keys of this head beyond {@link TrainConfig}'s (TOOD's {@code initial_epoch},
   * ...): {@link #fromConfig} accepts them in {@code train_cfg} (every other head refuses them), and
   * the builder's {@link #readConfig} reads them from {@code c.getConfig("train_cfg")}.
   */
  protected final B acceptTrainCfgKeys(String... keys) {
    trainCfgKeys.addAll(List.of(keys));
    return self();
  }

  /**
   * Declares an extra loss of the head under its config key (e.g. {@code loss_centerness}), with
   * the loss its config would give by default; {@link #fromConfig} reads the key, and the head gets
   * it with {@link AnchorHead#extraLoss}.
   */
  public final B declareLoss(String key, Config defaultConfig) {
    extraLosses.put(Tensors.requireNonNull(key, "key"), Losses.build(defaultConfig));
    return self();
  }

  /**
   * Sets a declared extra loss.
   *
   * @throws IllegalArgumentException if {@code key} was not declared (listing those that were)
   */
  public final B loss(String key, Loss loss) {
    if (!extraLosses.containsKey(key)) {
      throw new IllegalArgumentException(type + " has no extra loss '" + key + "'; declared: "
          + extraLosses.keySet());
    }
    extraLosses.put(key, Tensors.requireNonNull(loss, key));
    return self();
  }

  /** A declared extra loss, as set so far. */
  public final Optional<Loss> extraLoss(String key) {
    return Optional.ofNullable(extraLosses.get(key));
  }

  /** {@code num_classes}: foreground classes. */
  public B numClasses(int numClasses) {
    return set(() -> this.numClasses = numClasses);
  }

  /** {@code anchor_generator}: the priors of an anchor head (a point head's are set from its strides). */
  public B anchorGenerator(PriorGenerator anchorGenerator) {
    return set(() -> this.anchorGenerator = Tensors.requireNonNull(anchorGenerator, "anchorGenerator"));
  }

  /** {@code bbox_coder}. */
  public B bboxCoder(BBoxCoder bboxCoder) {
    return set(() -> this.bboxCoder = Tensors.requireNonNull(bboxCoder, "bboxCoder"));
  }

  /** {@code reg_decoded_bbox}. */
  public B regDecodedBbox(boolean regDecodedBbox) {
    return set(() -> this.regDecodedBbox = regDecodedBbox);
  }

  /**
   * {@code loss_cls}. Unless {@link #useSigmoidCls} is set, sigmoid classification is assumed for
   * every loss but a softmax {@code CrossEntropyLoss}.
   */
  public B lossCls(Loss lossCls) {
    return set(() -> this.lossCls = Tensors.requireNonNull(lossCls, "lossCls"));
  }

  /** Whether the classifier is sigmoid (C channels) or softmax (C+1); null infers it from the loss. */
  public B useSigmoidCls(Boolean useSigmoidCls) {
    return set(() -> this.useSigmoidCls = useSigmoidCls);
  }

  /** {@code loss_bbox}. */
  public B lossBbox(Loss lossBbox) {
    return set(() -> this.lossBbox = Tensors.requireNonNull(lossBbox, "lossBbox"));
  }

  /** {@code train_cfg} (null: the head cannot train). */
  public B trainCfg(TrainConfig trainCfg) {
    return set(() -> this.trainCfg = trainCfg);
  }

  /** An assigner object that replaces the one {@code train_cfg.assigner} describes. */
  public B assigner(BaseAssigner assigner) {
    return set(() -> this.assigner = assigner);
  }

  /** A sampler object that replaces the one {@code train_cfg.sampler} describes. */
  public B sampler(Sampler sampler) {
    return set(() -> this.sampler = sampler);
  }

  /**
   * A per-image target transform handed in instead of overriding {@link AnchorHead#refineTargets}:
   * the default hook applies it to every image's targets (null: none).
   */
  public B targetTransform(TargetTransform targetTransform) {
    return set(() -> this.targetTransform = targetTransform);
  }

  /** {@code test_cfg}. */
  public B testCfg(TestConfig testCfg) {
    return set(() -> this.testCfg = testCfg);
  }

  /** Where per-image work runs; null runs it in the caller's thread. */
  public B executor(Executor executor) {
    return set(() -> this.executor = executor);
  }

  /** The seed sampling derives from. */
  public B seed(long seed) {
    return set(() -> this.seed = seed);
  }

  /** For heads that never sample (ATSS): the sampler is always the PseudoSampler. */
  public B disableSampling() {
    return set(() -> this.samplingAllowed = false);
  }

  /**
   * For heads that assign by their own rules (FCOS's regress ranges) rather than with an assigner:
   * {@code train_cfg.assigner} is kept in {@link TrainConfig} but not built, and
   * {@link BaseDenseHead#assigner()} is empty, as MMDetection's {@code AnchorFreeHead} builds none.
   */
  public B withoutAssigner() {
    return set(() -> this.buildsAssigner = false);
  }

  /** For heads whose levels may have different anchor counts per location. */
  public B allowVaryingAnchors() {
    return set(() -> this.allowVaryingAnchors = true);
  }
}
