package io.detkit.heads;

import io.detkit.core.CoreRegistries;
import io.detkit.core.anchor.PriorGenerator;
import io.detkit.core.assign.BaseAssigner;
import io.detkit.core.coder.BBoxCoder;
import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.Loss;
import io.detkit.losses.Losses;
import io.detkit.samplers.Sampler;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * The settings every dense head shares, as its {@link HeadBuilder} holds them: one immutable record,
 * each setting declared here once, edited with the withers record-builder generates
 * ({@code builder.params(p -> p.withNumClasses(80).withSeed(1))}) and filled from a config dict by
 * {@link HeadBuilder#fromConfig}. The head's constructor ({@link BaseDenseHead}) checks them together.
 *
 * @param numClasses {@code num_classes}: foreground classes; null until set (required to build)
 * @param anchorGenerator {@code anchor_generator}: the priors of an anchor head (a point head's are
 *     set from its strides)
 * @param bboxCoder {@code bbox_coder}
 * @param regDecodedBbox {@code reg_decoded_bbox}: whether the regression loss sees decoded boxes
 * @param lossCls {@code loss_cls}; unless {@code useSigmoidCls} is set, sigmoid classification is
 *     assumed for every loss but a softmax {@code CrossEntropyLoss}
 * @param useSigmoidCls whether the classifier is sigmoid (C channels) or softmax (C+1); null infers
 *     it from the loss
 * @param lossBbox {@code loss_bbox}
 * @param trainCfg {@code train_cfg} (null: the head cannot train)
 * @param assigner an assigner object that replaces the one {@code train_cfg.assigner} describes, or null
 * @param sampler a sampler object that replaces the one {@code train_cfg.sampler} describes, or null
 * @param targetTransform a per-image target transform handed in instead of overriding
 *     {@link AnchorHead#refineTargets}: the default hook applies it to every image's targets (null: none)
 * @param testCfg {@code test_cfg}, or null
 * @param executor where per-image work runs; null runs it in the caller's thread
 * @param seed the seed sampling derives from
 * @param samplingAllowed false for heads that never sample (ATSS): the sampler is then always the
 *     PseudoSampler ({@link HeadBuilder#disableSampling})
 * @param buildsAssigner false for heads that assign by their own rules (FCOS's regress ranges):
 *     {@code train_cfg.assigner} is kept in {@link TrainConfig} but not built, and
 *     {@link BaseDenseHead#assigner()} is empty, as MMDetection's {@code AnchorFreeHead} builds none
 * @param allowVaryingAnchors true for heads whose levels may have different anchor counts per location
 */
@RecordBuilder
public record HeadParams(Integer numClasses, PriorGenerator anchorGenerator, BBoxCoder bboxCoder,
    boolean regDecodedBbox, Loss lossCls, Boolean useSigmoidCls, Loss lossBbox, TrainConfig trainCfg,
    BaseAssigner assigner, Sampler sampler, TargetTransform targetTransform, TestConfig testCfg,
    Executor executor, long seed, boolean samplingAllowed, boolean buildsAssigner, boolean allowVaryingAnchors)
    implements HeadParamsBuilder.With {

  static final Config DEFAULT_ANCHOR_GENERATOR = Config.of("type", "AnchorGenerator", "scales", List.of(8, 16, 32),
      "ratios", List.of(0.5, 1.0, 2.0), "strides", List.of(4, 8, 16, 32, 64));
  static final Config DEFAULT_BBOX_CODER = Config.of("type", "DeltaXYWHBBoxCoder", "clip_border", true,
      "target_means", List.of(0.0, 0.0, 0.0, 0.0), "target_stds", List.of(1.0, 1.0, 1.0, 1.0));
  static final Config DEFAULT_LOSS_CLS = Config.of("type", "CrossEntropyLoss", "use_sigmoid", true,
      "loss_weight", 1.0);
  static final Config DEFAULT_LOSS_BBOX = Config.of("type", "SmoothL1Loss", "beta", 1.0 / 9.0, "loss_weight", 1.0);

  /**
   * MMDetection's {@code AnchorHead} defaults: {@code AnchorGenerator} with scales (8, 16, 32), ratios
   * (0.5, 1, 2), strides (4 .. 64); {@code DeltaXYWHBBoxCoder} with zero means and unit stds; sigmoid
   * {@code CrossEntropyLoss}; {@code SmoothL1Loss(beta=1/9)}; {@code reg_decoded_bbox=False}; no
   * class count, train or test config; the common fork-join pool; seed 0; sampling allowed, the
   * assigner built, the same anchor count at every level.
   */
  public static final HeadParams DEFAULTS = new HeadParams(null, CoreRegistries.buildPriorGenerator(DEFAULT_ANCHOR_GENERATOR),
      CoreRegistries.buildBBoxCoder(DEFAULT_BBOX_CODER), false, Losses.build(DEFAULT_LOSS_CLS), null,
      Losses.build(DEFAULT_LOSS_BBOX), null, null, null, null, null, ForkJoinPool.commonPool(), 0, true, true, false);

  /** @throws IllegalArgumentException if the prior generator, the coder or a loss is null */
  public HeadParams {
    Tensors.requireNonNull(anchorGenerator, "anchor_generator");
    Tensors.requireNonNull(bboxCoder, "bbox_coder");
    Tensors.requireNonNull(lossCls, "loss_cls");
    Tensors.requireNonNull(lossBbox, "loss_bbox");
  }
}
