package io.detkit.heads;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.List;

/**
 * MMDetection 2.x's {@code RetinaHead}: an {@link AnchorHead} whose outputs come from stacked
 * convolutions (not part of detkit) and whose default anchors are RetinaNet's: octave base scale 4,
 * 3 scales per octave, ratios (0.5, 1, 2), strides (8, 16, 32, 64, 128). With the usual
 * {@code FocalLoss} it does not sample, so losses average over the positives.
 *
 * <p>Targets, losses, predictions, thread-safety and errors are those of {@link AnchorHead}.
 */
public class RetinaHead extends AnchorHead {
  static final Config DEFAULT_ANCHOR_GENERATOR = Config.of("type", "AnchorGenerator", "octave_base_scale", 4,
      "scales_per_octave", 3, "ratios", List.of(0.5, 1.0, 2.0), "strides", List.of(8, 16, 32, 64, 128));

  /** Builds the head a builder describes. */
  protected RetinaHead(HeadBuilder<?, ?> b) {
    super(b);
  }

  /**
   * Builds from an MMDetection config dict ({@code type='RetinaHead'}): the keys of
   * {@link HeadBuilder#fromConfig}.
   *
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter
   */
  public static RetinaHead fromConfig(Config c) {
    return new Builder().fromConfig(c);
  }

  /**
   * Gives {@code b} RetinaHead's defaults (RetinaNet's anchors), for the builder of a subclass:
   * {@code super(MyHead.class, MyHead::new); RetinaHead.defaults(this);}.
   */
  public static <B extends HeadBuilder<B, ?>> B defaults(B b) {
    return b.params(p -> p.withAnchorGenerator(CoreRegistries.buildPriorGenerator(DEFAULT_ANCHOR_GENERATOR)));
  }

  /** Builder of {@link RetinaHead}s. */
  public static final class Builder extends HeadBuilder<Builder, RetinaHead> {
    /** A builder with this head's defaults. */
    public Builder() {
      super(RetinaHead.class, RetinaHead::new);
      defaults(this);
    }
  }
}
