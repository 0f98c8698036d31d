package io.detkit.heads;

import io.detkit.core.CoreRegistries;
import io.detkit.core.anchor.PriorGenerator;
import io.detkit.core.coder.BBoxCoder;
import io.detkit.core.config.ComponentType;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ParamsBuilder;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.Loss;
import io.detkit.losses.Losses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The builder every dense head shares, self-typed: its methods return the concrete builder
 * {@code B} and {@link #build()} the concrete head {@code H}. The settings every head shares are one
 * {@link HeadParams} record, edited with its generated withers through {@link #params(UnaryOperator)}
 * (core's {@link ParamsBuilder}, the base of the losses' and samplers' builders too):
 * {@code RetinaHead.builder().params(p -> p.withNumClasses(80).withTrainCfg(cfg)).build()}. The
 * defaults are {@link HeadParams#DEFAULTS}, MMDetection's {@code AnchorHead}'s.
 *
 * <p>One construction idiom for every head: a head declares only what differs from this builder,
 * namely its type name, how a builder becomes the head (its constructor), its defaults and its
 * own keys. A head with no keys of its own needs no builder class:
 * <pre>{@code
 * public static HeadBuilder.Of<MyHead> builder() {
 *   return RetinaHead.defaults(HeadBuilder.of(MyHead.class, MyHead::new));  // start from RetinaHead's
 * }
 * // Heads.REGISTRY.register("MyHead", c -> MyHead.builder().fromConfig(c));
 * }</pre>
 * A head with keys of its own subclasses with a constructor and its setters:
 * <pre>{@code
 * public static final class Builder extends HeadBuilder<Builder, MyHead> {
 *   public Builder() { super(MyHead.class, b -> new MyHead(b, b.myKey)); }
 *   public Builder myKey(int v) { return set(() -> myKey = v); }
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
public abstract class HeadBuilder<B extends HeadBuilder<B, H>, H extends BaseDenseHead>
    extends ParamsBuilder<HeadParams, B> {
  final String type;
  private final Function<? super B, ? extends H> factory;
  final Map<String, Loss> extraLosses = new LinkedHashMap<>();
  private final List<String> ignoredKeys = new ArrayList<>(List.of(AnchorHead.CONV_KEYS));
  private final List<String> trainCfgKeys = new ArrayList<>();

  /**
   * @param type the head's class, whose simple name is its MMDetection type name
   *     ({@link ComponentType#typeNameOf}, the rule every component type follows), used in messages
   *     and {@link AnchorHead#type()}
   * @param factory makes the head from this builder (usually the head's constructor,
   *     {@code MyHead::new}); called by {@link #build()} on the builder's thread
   * @throws IllegalArgumentException for an anonymous class
   */
  protected HeadBuilder(Class<? extends H> type, Function<? super B, ? extends H> factory) {
    this(ComponentType.typeNameOf(type), factory);
  }

  private HeadBuilder(String type, Function<? super B, ? extends H> factory) {
    super(type, true, HeadParams.DEFAULTS);
    this.type = type;
    this.factory = Tensors.requireNonNull(factory, "factory");
  }

  /**
   * A builder for a head that has no settings beyond the common ones: its class (which names the
   * type) and its constructor are all it declares.
   */
  public static <H extends BaseDenseHead> Of<H> of(Class<H> type,
      Function<? super HeadBuilder<?, ?>, ? extends H> factory) {
    return new Of<>(type, factory);
  }

  /** The builder of a head with only the common settings; see {@link HeadBuilder#of}. */
  public static final class Of<H extends BaseDenseHead> extends HeadBuilder<Of<H>, H> {
    Of(Class<H> type, Function<? super HeadBuilder<?, ?>, ? extends H> factory) {
      super(type, factory);
    }
  }

  /** The head's MMDetection type name. */
  public final String type() {
    return type;
  }

  /** The shared settings as set so far. */
  public final HeadParams params() {
    return currentParams();
  }

  /**
   * Runs {@code assignment} (a setter's field assignment) and returns this builder: the one body
   * of every plain typed setter of the heads' builders (their own keys), so each setter states only
   * what it stores. Called by the thread building the head.
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
    return ConfigException.reraisedAt(c, () -> {
      if (params().numClasses() == null) {  // a builder that fixes it (RPN) leaves the key unknown
        int numClasses = c.getInt("num_classes");
        params(p -> p.withNumClasses(numClasses));
      }
      readPriorsAndCoder(c);
      Config lc = c.getConfigOrNull("loss_cls");
      if (lc != null) {
        Loss loss = Losses.build(lc);
        boolean sigmoid = lc.getBoolean("use_sigmoid", false);
        params(p -> p.withLossCls(loss).withUseSigmoidCls(sigmoid));
      }
      Config lb = c.getConfigOrNull("loss_bbox");
      if (lb != null) {
        Loss loss = Losses.build(lb);
        params(p -> p.withLossBbox(loss));
      }
      for (String key : List.copyOf(extraLosses.keySet())) {
        Config l = c.getConfigOrNull(key);
        if (l != null) {
          loss(key, Losses.build(l));
        }
      }
      Config train = c.getConfigOrNull("train_cfg");
      if (train != null) {
        TrainConfig trainCfg = TrainConfig.fromConfig(train, trainCfgKeys);
        params(p -> p.withTrainCfg(trainCfg));
      }
      Config test = c.getConfigOrNull("test_cfg");
      if (test != null) {
        readTestCfg(test);
      }
      if (c.has("seed")) {
        long seed = c.getLong("seed");
        params(p -> p.withSeed(seed));
      }
      readConfig(c);
      c.accept(ignoredKeys.toArray(String[]::new));
      return build();
    });
  }

  /**
   * Hook: reads the priors and their coding, called first by {@link #fromConfig}. The default reads
   * an anchor head's {@code anchor_generator}, {@code bbox_coder} and {@code reg_decoded_bbox}; a
   * point head's builder reads {@code strides} instead (its heads have no anchor generator).
   */
  protected void readPriorsAndCoder(Config c) {
    Config ag = c.getConfigOrNull("anchor_generator");
    if (ag != null) {
      PriorGenerator generator = CoreRegistries.buildPriorGenerator(ag);
      params(p -> p.withAnchorGenerator(generator));
    }
    Config coder = c.getConfigOrNull("bbox_coder");
    if (coder != null) {
      BBoxCoder bboxCoder = CoreRegistries.buildBBoxCoder(coder);
      params(p -> p.withBboxCoder(bboxCoder));
    }
    if (c.has("reg_decoded_bbox")) {
      boolean decoded = c.getBoolean("reg_decoded_bbox");
      params(p -> p.withRegDecodedBbox(decoded));
    }
  }

  /**
   * Hook: reads {@code test_cfg} (present and not None) into {@link HeadParams#testCfg}; the
   * default is {@link TestConfig#fromConfig}, which refuses unknown keys.
   */
  protected void readTestCfg(Config test) {
    TestConfig testCfg = TestConfig.fromConfig(test);
    params(p -> p.withTestCfg(testCfg));
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

  /**
   * For heads that never sample (ATSS): the sampler is always the PseudoSampler
   * ({@link HeadParams#samplingAllowed}).
   */
  public B disableSampling() {
    return params(p -> p.withSamplingAllowed(false));
  }
}
