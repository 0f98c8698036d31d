package io.detkit.heads.anchorfree;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.TestConfig;
import io.detkit.heads.TrainConfig;
import io.detkit.losses.CrossEntropyLoss;
import io.detkit.losses.FocalLoss;
import io.detkit.losses.Loss;
import io.detkit.losses.Losses;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * The settings every anchor-free head shares, with MMDetection's defaults: strides
 * (4, 8, 16, 32, 64), point offset 0.5, sigmoid FocalLoss (gamma 2, alpha 0.25), IoULoss, no
 * train or test config, the common fork-join pool. Mutable; read once by the head's constructor.
 * Self-typed, so that a head's builder extends it and its setters return the builder.
 *
 * @param <B> the concrete builder type
 */
public abstract class AnchorFreeSettings<B extends AnchorFreeSettings<B>> {
  int numClasses = -1;
  double[] strides = AnchorFreeHead.DEFAULT_STRIDES.clone();
  double offset = 0.5;
  Loss lossCls = FocalLoss.builder().build();
  Loss lossBbox = Losses.build(Config.of("type", "IoULoss", "loss_weight", 1.0));
  TrainConfig trainCfg;
  TestConfig testCfg;
  Executor executor = ForkJoinPool.commonPool();

  /** @throws IllegalArgumentException if {@code n < 1} */
  public B numClasses(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("num_classes must be >= 1; got " + n);
    }
    this.numClasses = n;
    return self();
  }

  /** @throws IllegalArgumentException if empty or a stride is not a positive finite number */
  public B strides(double... strides) {
    if (strides == null || strides.length == 0) {
      throw new IllegalArgumentException("strides must name at least one level");
    }
    for (double s : strides) {
      if (!(s > 0) || !Double.isFinite(s)) {
        throw new IllegalArgumentException("strides must be positive; got " + java.util.Arrays.toString(strides));
      }
    }
    this.strides = strides.clone();
    return self();
  }

  /** The point's position inside its cell as a fraction of the stride (0.5 for FCOS). */
  public B offset(double offset) {
    if (!Double.isFinite(offset)) {
      throw new IllegalArgumentException("offset must be finite; got " + offset);
    }
    this.offset = offset;
    return self();
  }

  /**
   * A sigmoid classification loss: FocalLoss, or CrossEntropyLoss with {@code use_sigmoid}.
   *
   * @throws IllegalArgumentException for any other loss (the outputs have no background channel)
   */
  public B lossCls(Loss loss) {
    Tensors.requireNonNull(loss, "loss_cls");
    if (!allowsClassificationLoss(loss)) {
      throw new IllegalArgumentException("loss_cls of " + headName()
          + " must be a sigmoid loss (FocalLoss or CrossEntropyLoss with use_sigmoid=True): cls_scores have no"
          + " background channel; got " + loss);
    }
    this.lossCls = loss;
    return self();
  }

  /** The loss on the decoded positive boxes (any loss of {@code [P,4]} boxes). */
  public B lossBbox(Loss loss) {
    this.lossBbox = Tensors.requireNonNull(loss, "loss_bbox");
    return self();
  }

  /** MMDetection's {@code train_cfg} (anchor-free heads keep it but FCOS reads nothing from it), or null. */
  public B trainCfg(TrainConfig cfg) {
    this.trainCfg = cfg;
    return self();
  }

  /** The default test config of {@link AnchorFreeHead#predict}, or null. */
  public B testCfg(TestConfig cfg) {
    this.testCfg = cfg;
    return self();
  }

  /** Where per-image work runs; null runs it in the caller's thread. */
  public B executor(Executor executor) {
    this.executor = executor;
    return self();
  }

  /**
   * Reads {@code num_classes}, {@code strides}, {@code loss_cls}, {@code loss_bbox},
   * {@code bbox_coder} (DistancePointBBoxCoder only), {@code train_cfg}, {@code test_cfg}, and
   * accepts the keys that only size or initialise the convolutions ({@code in_channels},
   * {@code feat_channels}, {@code stacked_convs}, {@code conv_cfg}, {@code norm_cfg},
   * {@code init_cfg}, {@code dcn_on_last_conv}, {@code conv_bias}).
   *
   * @throws ConfigException naming the key for a missing or invalid value
   */
  public B read(Config c) {
    try {
      numClasses(c.getInt("num_classes"));
      if (c.has("strides")) {
        strides(c.getDoubleArray("strides"));
      }
      Config lc = c.getConfigOrNull("loss_cls");
      if (lc != null) {
        lossCls(Losses.build(lc));
      }
      Config lb = c.getConfigOrNull("loss_bbox");
      if (lb != null) {
        lossBbox(Losses.build(lb));
      }
      Config coder = c.getConfigOrNull("bbox_coder");
      if (coder != null && !coder.getString("type").equals("DistancePointBBoxCoder")) {
        throw ConfigException.at(coder.pathOf("type"), "anchor-free heads decode distances: bbox_coder must be"
            + " DistancePointBBoxCoder; got " + coder.getString("type"));
      }
      Config train = c.getConfigOrNull("train_cfg");
      if (train != null) {
        trainCfg(TrainConfig.fromConfig(train));
      }
      Config test = c.getConfigOrNull("test_cfg");
      if (test != null) {
        readTestCfg(test);
      }
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.path(), e.getMessage());
    }
    c.accept(AnchorFreeHead.CONV_KEYS);
    return self();
  }

  /** Reads {@code test_cfg} into the head's default test config. */
  void readTestCfg(Config test) {
    testCfg(TestConfig.fromConfig(test));
  }

  /** The head's type name, for messages. */
  String headName() {
    Class<?> outer = getClass().getEnclosingClass();
    return outer != null ? outer.getSimpleName() : getClass().getSimpleName();
  }

  /** Whether {@code loss} fits the head's classification targets; FCOS: hard labels, sigmoid losses. */
  boolean allowsClassificationLoss(Loss loss) {
    return loss instanceof FocalLoss || (loss instanceof CrossEntropyLoss ce && ce.useSigmoid());
  }

  /** This builder, typed as the subclass. */
  protected abstract B self();

  void requireComplete() {
    if (numClasses < 1) {
      throw new IllegalStateException("num_classes must be set");
    }
  }
}
