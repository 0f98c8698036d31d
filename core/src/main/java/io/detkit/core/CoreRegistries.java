package io.detkit.core;

import io.detkit.core.anchor.AnchorGenerator;
import io.detkit.core.anchor.MlvlPointGenerator;
import io.detkit.core.anchor.PriorGenerator;
import io.detkit.core.anchor.SSDAnchorGenerator;
import io.detkit.core.assign.ATSSAssigner;
import io.detkit.core.assign.BaseAssigner;
import io.detkit.core.assign.MaxIoUAssigner;
import io.detkit.core.assign.TaskAlignedAssigner;
import io.detkit.core.bbox.BboxOverlaps2D;
import io.detkit.core.coder.BBoxCoder;
import io.detkit.core.coder.DeltaXYWHBBoxCoder;
import io.detkit.core.coder.DistancePointBBoxCoder;
import io.detkit.core.coder.TBLRBBoxCoder;
import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;

/**
 * The registries of {@code core}'s component kinds, under MMDetection's names: {@link
 * #PRIOR_GENERATORS}, {@link #BBOX_ASSIGNERS}, {@link #BBOX_CODERS} and {@link #IOU_CALCULATORS}.
 * Build a component as MMDetection's {@code build_assigner(cfg)} does, through its registry:
 * {@code CoreRegistries.BBOX_ASSIGNERS.build(cfg)} (what {@link Registry#build} checks and throws is
 * written there once). Add a type of your own with {@code register}, once at start-up; tests that
 * need a private type make a {@code Registry} of their own instead of touching these.
 *
 * <p>The registries live here, above the component packages, rather than beside each kind: the
 * kinds' packages then never refer back to a class that refers to all of them (no package cycle),
 * and the module's kinds are declared in one place. The other modules' kinds are registered the same
 * way, one registry per kind, in their own module ({@code Losses.REGISTRY}, {@code Samplers.REGISTRY},
 * {@code Heads.REGISTRY}).
 *
 * <p>Every registry is thread-safe; building is as thread-safe as the registered factories, which
 * for the built-in types read only the config they are given.
 */
public final class CoreRegistries {
  /**
   * Prior generators (kind "prior generator"), MMDetection's {@code PRIOR_GENERATORS}: {@code
   * AnchorGenerator}, {@code SSDAnchorGenerator}, {@code MlvlPointGenerator}; for configs such as
   * {@code dict(type='AnchorGenerator', octave_base_scale=4, ...)}.
   */
  public static final Registry<PriorGenerator> PRIOR_GENERATORS = new Registry<PriorGenerator>("prior generator")
      .register("AnchorGenerator", AnchorGenerator::fromConfig)
      .register("SSDAnchorGenerator", SSDAnchorGenerator::fromConfig)
      .register("MlvlPointGenerator", MlvlPointGenerator::fromConfig);

  /**
   * Assigners (kind "assigner"), MMDetection's {@code BBOX_ASSIGNERS}: {@code MaxIoUAssigner},
   * {@code ATSSAssigner}, {@code TaskAlignedAssigner}; for configs such as {@code
   * dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.4, min_pos_iou=0, ignore_iof_thr=-1)}.
   */
  public static final Registry<BaseAssigner> BBOX_ASSIGNERS = new Registry<BaseAssigner>("assigner")
      .register("MaxIoUAssigner", MaxIoUAssigner::fromConfig)
      .register("ATSSAssigner", ATSSAssigner::fromConfig)
      .register("TaskAlignedAssigner", TaskAlignedAssigner::fromConfig);

  /**
   * Box coders (kind "bbox coder"), MMDetection's {@code BBOX_CODERS}: {@code DeltaXYWHBBoxCoder},
   * {@code TBLRBBoxCoder}, {@code DistancePointBBoxCoder}; for configs such as {@code
   * dict(type='DeltaXYWHBBoxCoder', target_stds=[...])}.
   */
  public static final Registry<BBoxCoder> BBOX_CODERS = new Registry<BBoxCoder>("bbox coder")
      .register("DeltaXYWHBBoxCoder", DeltaXYWHBBoxCoder::fromConfig)
      .register("TBLRBBoxCoder", TBLRBBoxCoder::fromConfig)
      .register("DistancePointBBoxCoder", DistancePointBBoxCoder::fromConfig);

  /**
   * IoU calculators (kind "iou calculator"), MMDetection's {@code IOU_CALCULATORS}: {@code
   * BboxOverlaps2D}, for {@code dict(type='BboxOverlaps2D', scale=1.0, dtype=None)}.
   */
  public static final Registry<BboxOverlaps2D> IOU_CALCULATORS = new Registry<BboxOverlaps2D>("iou calculator")
      .register(BboxOverlaps2D.TYPE, BboxOverlaps2D::fromConfig);

  private CoreRegistries() {}

  /** MMDetection's {@code build_prior_generator(cfg)}. */
  public static PriorGenerator buildPriorGenerator(Config config) {
    return PRIOR_GENERATORS.build(config);
  }

  /** MMDetection's {@code build_assigner(cfg)}. */
  public static BaseAssigner buildAssigner(Config config) {
    return BBOX_ASSIGNERS.build(config);
  }

  /** MMDetection's {@code build_bbox_coder(cfg)}. */
  public static BBoxCoder buildBBoxCoder(Config config) {
    return BBOX_CODERS.build(config);
  }

  /** MMDetection's {@code build_iou_calculator(cfg)}. */
  public static BboxOverlaps2D buildIouCalculator(Config config) {
    return IOU_CALCULATORS.build(config);
  }
}
