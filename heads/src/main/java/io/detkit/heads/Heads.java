package io.detkit.heads;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.Registry;
import io.detkit.core.tensor.Tensors;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The dense-head registry, MMDetection's {@code HEADS}: {@code Heads.build(cfg)} turns
 * {@code dict(type='RetinaHead', num_classes=80, ...)} into a head. Registered types:
 * {@code AnchorHead}, {@code RPNHead}, {@code RetinaHead}, {@code ATSSHead}, {@code GFLHead},
 * {@code TOODHead}, {@code FCOSHead}, {@code VFNetHead}. The last four live in subpackages and come
 * in through {@link HeadProvider}s ({@link ServiceLoader}), so this class does not depend on them;
 * a user's jar adds its heads the same way, or registers a subclass with
 * {@code Heads.REGISTRY.register("MyHead", MyHead::fromConfig)} once at start-up.
 *
 * <p>{@link #fromModel} builds the dense head of a whole MMDetection {@code model} dict the way
 * MMDetection's detectors do, handing it the detector-level {@code train_cfg} / {@code test_cfg}.
 *
 * <p>The Java way to the same heads:
 * {@code Heads.retinaHead().params(p -> p.withNumClasses(80).withTrainCfg(...)).build()}
 * (each builder starts from that head's MMDetection defaults).
 */
public final class Heads {
  /** Every built-in head, by MMDetection type name. */
  public static final Registry<BaseDenseHead> REGISTRY = withProviders(new Registry<BaseDenseHead>("head")
      .register("AnchorHead", AnchorHead::fromConfig)
      .register("RPNHead", RPNHead::fromConfig)
      .register("RetinaHead", RetinaHead::fromConfig)
      .register("ATSSHead", ATSSHead::fromConfig));

  private Heads() {}

  /**
   * {@code registry} with the heads of every {@link HeadProvider} on the class path (detkit's
   * {@code gfl}, {@code tood} and {@code anchorfree} packages, and users' jars), in the order
   * {@link ServiceLoader} finds them.
   *
   * @throws IllegalStateException naming the provider if it registers a type twice or cannot be loaded
   */
  private static Registry<BaseDenseHead> withProviders(Registry<BaseDenseHead> registry) {
    for (ServiceLoader.Provider<HeadProvider> p : ServiceLoader.load(HeadProvider.class, Heads.class.getClassLoader())
        .stream().toList()) {
      try {
        p.get().registerHeads(registry);
      } catch (RuntimeException | ServiceConfigurationError e) {
        throw new IllegalStateException("head provider " + p.type().getName() + " failed: " + e.getMessage(), e);
      }
    }
    return registry;
  }

  /** A builder of a plain {@link AnchorHead}. */
  public static AnchorHead.Builder anchorHead() {
    return new AnchorHead.Builder();
  }

  /** A builder of an {@link RPNHead} ({@code num_classes=1}). */
  public static RPNHead.Builder rpnHead() {
    return new RPNHead.Builder();
  }

  /** A builder of a {@link RetinaHead} (RetinaNet's default anchors). */
  public static RetinaHead.Builder retinaHead() {
    return new RetinaHead.Builder();
  }

  /** A builder of an {@link ATSSHead} ({@code reg_decoded_bbox=True}, centerness loss). */
  public static ATSSHead.Builder atssHead() {
    return new ATSSHead.Builder();
  }

  /**
   * Builds the dense head of a detector's {@code model} dict, configured as MMDetection's detectors
   * configure it (see {@link #headConfig}).
   *
   * @throws ConfigException if the model has no dense head, a detector-level setting the head needs
   *     is missing, or the head config is invalid (naming the key)
   */
  public static BaseDenseHead fromModel(Config model) {
    return build(headConfig(model));
  }

  /**
   * {@link #fromModel(Config)} for a caller that needs a head of a given kind (a tool written for
   * anchor heads asks for {@code AnchorHead.class}).
   *
   * @throws ConfigException as {@link #fromModel(Config)}, or naming the head's {@code type} if the
   *     head it gives is not a {@code kind}
   */
  public static <H extends BaseDenseHead> H fromModel(Config model, Class<H> kind) {
    return build(headConfig(model), kind);
  }

  /**
   * The config of a detector's dense head with the detector-level settings handed over, as
   * MMDetection's detectors do before building it:
   * <ul>
   *   <li>a single-stage detector ({@code model.bbox_head}, {@code SingleStageDetector}): the head
   *       gets {@code train_cfg=model.train_cfg} and {@code test_cfg=model.test_cfg} (None when
   *       absent);
   *   <li>a two-stage detector or an {@code RPN} ({@code model.rpn_head}, {@code TwoStageDetector}
   *       and {@code RPN}): the head gets {@code train_cfg=model.train_cfg.rpn} (None without a
   *       {@code train_cfg}) and {@code test_cfg=model.test_cfg.rpn}. MMDetection's
   *       {@code train_cfg.rpn_proposal} configures the proposals a two-stage detector passes to its
   *       RoI head during training, not the RPN head itself: see {@link #rpnProposalConfig}.
   * </ul>
   * Values already in the head dict under {@code train_cfg} / {@code test_cfg} are replaced, as
   * MMDetection's {@code dict.update} does.
   *
   * @throws ConfigException if the model has neither {@code bbox_head} nor {@code rpn_head}, or a
   *     two-stage {@code train_cfg} / {@code test_cfg} lacks its {@code rpn} entry
   */
  public static Config headConfig(Config model) {
    Tensors.requireNonNull(model, "model");
    Config trainCfg = model.getConfigOrNull("train_cfg");
    Config testCfg = model.getConfigOrNull("test_cfg");
    if (!model.isNull("bbox_head")) {
      return model.getConfig("bbox_head").with("train_cfg", trainCfg).with("test_cfg", testCfg);
    }
    if (!model.isNull("rpn_head")) {
      Config rpn = model.getConfig("rpn_head");
      return rpn.with("train_cfg", trainCfg == null ? null : trainCfg.getConfig("rpn"))
          .with("test_cfg", testCfg == null ? null : testCfg.getConfig("rpn"));
    }
    throw ConfigException.at(model.path(), "the model has no dense head: expected bbox_head (a single-stage"
        + " detector) or rpn_head (a two-stage detector or an RPN); present: " + String.join(", ", model.keys()));
  }

  /**
   * The test-time settings a two-stage detector uses for the RPN's proposals during training:
   * {@code model.train_cfg.rpn_proposal}, else {@code model.test_cfg.rpn}, as MMDetection's
   * {@code TwoStageDetector.forward_train} reads them; empty for a model without {@code rpn_head}
   * or without either setting.
   *
   * @throws ConfigException if the setting is present but invalid
   */
  public static Optional<TestConfig> rpnProposalConfig(Config model) {
    Tensors.requireNonNull(model, "model");
    if (model.isNull("rpn_head")) {
      return Optional.empty();
    }
    Config train = model.getConfigOrNull("train_cfg");
    if (train != null && !train.isNull("rpn_proposal")) {
      return Optional.of(TestConfig.fromConfig(train.getConfig("rpn_proposal")));
    }
    Config test = model.getConfigOrNull("test_cfg");
    return test == null || test.isNull("rpn") ? Optional.empty() : Optional.of(TestConfig.fromConfig(test.getConfig("rpn")));
  }

  /**
   * Builds the head {@code config} describes.
   *
   * @throws io.detkit.core.config.ConfigException for an unknown type or parameter, or a bad value
   */
  public static BaseDenseHead build(Config config) {
    return REGISTRY.build(config);
  }

  /**
   * {@link #build(Config)} for a caller that needs a head of a given kind.
   *
   * @throws ConfigException as {@link #build(Config)}, or naming the head's {@code type} if the head
   *     it gives is not a {@code kind}
   */
  public static <H extends BaseDenseHead> H build(Config config, Class<H> kind) {
    Tensors.requireNonNull(kind, "kind");
    BaseDenseHead head = build(config);
    if (!kind.isInstance(head)) {
      throw ConfigException.at(config.pathOf("type"), head.type() + " is a " + head.getClass().getSimpleName()
          + ", not the " + kind.getSimpleName() + " this caller needs");
    }
    return kind.cast(head);
  }
}
