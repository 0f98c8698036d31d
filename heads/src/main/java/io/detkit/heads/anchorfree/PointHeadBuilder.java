package io.detkit.heads.anchorfree;

import io.detkit.core.anchor.MlvlPointGenerator;
import io.detkit.core.anchor.Stride;
import io.detkit.core.coder.DistancePointBBoxCoder;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.heads.HeadBuilder;
import io.detkit.heads.HeadParams;
import io.detkit.losses.CrossEntropyLoss;
import io.detkit.losses.FocalLoss;
import io.detkit.losses.Loss;
import io.detkit.losses.Losses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The {@link HeadBuilder} of point heads ({@link AnchorFreeHead}), with MMDetection's
 * {@code AnchorFreeHead} defaults: strides (4, 8, 16, 32, 64) with points at offset 0.5 of their cell
 * ({@link MlvlPointGenerator}), {@code DistancePointBBoxCoder}, sigmoid FocalLoss (gamma 2, alpha
 * 0.25), IoULoss, no sampling and no assigner ({@link HeadParams#buildsAssigner}: point heads
 * assign by their own rules). Every other setting and config key is {@link HeadBuilder}'s, read
 * once by {@link HeadBuilder#fromConfig}; this builder reads {@code strides} where an anchor head
 * reads {@code anchor_generator}, and accepts the convolution keys {@code dcn_on_last_conv} and
 * {@code conv_bias}.
 *
 * <p>Not thread-safe; a built head does not change when the builder does afterwards.
 *
 * @param <B> the concrete builder
 * @param <H> the head it builds
 */
public abstract class PointHeadBuilder<B extends PointHeadBuilder<B, H>, H extends AnchorFreeHead>
    extends HeadBuilder<B, H> {
  /** MMDetection's default strides of {@code AnchorFreeHead}. */
  static final double[] DEFAULT_STRIDES = {4, 8, 16, 32, 64};

  double[] strides = DEFAULT_STRIDES.clone();
  private double offset = 0.5;

  /**
   * @param type the head's class, whose simple name is its MMDetection type name
   * @param factory makes the head (see {@link HeadBuilder})
   */
  protected PointHeadBuilder(Class<? extends H> type, Function<? super B, ? extends H> factory) {
    super(type, factory);
    params(p -> p.withLossCls(FocalLoss.TYPE.builder().build())
        .withLossBbox(Losses.build(Config.of("type", "IoULoss", "loss_weight", 1.0)))
        .withBboxCoder(new DistancePointBBoxCoder()).withBuildsAssigner(false));
    disableSampling();
    ignoreKeys("dcn_on_last_conv", "conv_bias");
    points();
  }

  /**
   * The strides of the levels, one point per cell of each.
   *
   * @throws IllegalArgumentException if empty or a stride is not a positive finite number
   */
  public B strides(double... strides) {
    if (strides == null || strides.length == 0) {
      throw new IllegalArgumentException("strides must name at least one level");
    }
    for (double s : strides) {
      if (!(s > 0) || !Double.isFinite(s)) {
        throw new IllegalArgumentException("strides must be positive; got " + Arrays.toString(strides));
      }
    }
    this.strides = strides.clone();
    return points();
  }

  /**
   * The point's position inside its cell as a fraction of the stride (0.5 for FCOS).
   *
   * @throws IllegalArgumentException if not finite
   */
  public B offset(double offset) {
    if (!Double.isFinite(offset)) {
      throw new IllegalArgumentException("offset must be finite; got " + offset);
    }
    this.offset = offset;
    return points();
  }

  /** The number of levels set so far. */
  protected final int numLevels() {
    return strides.length;
  }

  private B points() {
    List<Stride> list = new ArrayList<>();
    for (double s : strides) {
      list.add(Stride.of(s));
    }
    return params(p -> p.withAnchorGenerator(new MlvlPointGenerator(list, offset)));
  }

  /**
   * Reads {@code strides} (a point head has no {@code anchor_generator}) and {@code bbox_coder},
   * which must be the {@code DistancePointBBoxCoder} point heads decode with.
   */
  @Override
  protected void readPriorsAndCoder(Config c) {
    if (c.has("strides")) {
      strides(c.getDoubleArray("strides"));
    }
    Config coder = c.getConfigOrNull("bbox_coder");
    if (coder != null && !coder.getString("type").equals("DistancePointBBoxCoder")) {
      throw ConfigException.at(coder.pathOf("type"), "point heads decode distances: bbox_coder must be"
          + " DistancePointBBoxCoder; got " + coder.getString("type"));
    }
  }

  /**
   * Point heads classify with a per-class sigmoid ({@code cls_scores} has no background channel):
   * refuses a {@code loss_cls} with {@code use_sigmoid=False}, else sets sigmoid classification.
   * A subclass calls {@code super.readConfig(c)} first.
   */
  @Override
  protected void readConfig(Config c) {
    Config lc = c.getConfigOrNull("loss_cls");
    if (lc != null && lc.has("use_sigmoid") && !lc.getBoolean("use_sigmoid")) {
      throw ConfigException.at(lc.pathOf("use_sigmoid"), type() + " classifies with a sigmoid (cls_scores have no"
          + " background channel): loss_cls must have use_sigmoid=True");
    }
    params(p -> p.withUseSigmoidCls(true));
  }

  /**
   * Whether {@code loss} fits the head's classification targets; the default (FCOS's hard labels):
   * FocalLoss, or CrossEntropyLoss with {@code use_sigmoid}.
   */
  protected boolean allowsClassificationLoss(Loss loss) {
    return loss instanceof FocalLoss || (loss instanceof CrossEntropyLoss ce && ce.useSigmoid());
  }

  /** What {@link #allowsClassificationLoss} accepts, for the message that refuses another loss. */
  protected String allowedClassificationLosses() {
    return "a sigmoid loss (FocalLoss or CrossEntropyLoss with use_sigmoid=True): cls_scores have no background"
        + " channel";
  }
}
