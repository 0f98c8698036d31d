package io.detkit.heads.examples;

import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.ATSSHead;
import io.detkit.heads.HeadBuilder;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.LevelLosses;
import org.nd4j.linalg.api.ndarray.INDArray;

// tag::qfl-atss-head[]
/**
 * An ATSSHead trained with QualityFocalLoss on IoU soft targets (Generalized Focal Loss's quality
 * branch): the classification target of each positive is the IoU of its decoded prediction with its
 * gt box (a constant for the gradient), 0 for every other anchor. Configure it with
 * {@code loss_cls=dict(type='QualityFocalLoss', use_sigmoid=True, beta=2.0)}; the targets, box and
 * centerness losses are ATSS's.
 */
public class QualityFocalATSSHead extends ATSSHead {
  protected QualityFocalATSSHead(HeadBuilder<?, ?> b) {
    super(b);
  }

  /** Its builder: ATSSHead's defaults, this head's type and constructor ({@code builder().fromConfig(c)}). */
  public static HeadBuilder.Of<QualityFocalATSSHead> builder() {
    return ATSSHead.defaults(HeadBuilder.of(QualityFocalATSSHead.class, QualityFocalATSSHead::new));
  }

  /** The per-level classification hook: runs on the caller's thread, once per level. */
  @Override
  protected double clsLoss(LevelLosses level) {
    int[] pos = level.positives();                                   // rows of this level, image-major
    double[] scores = new double[level.targets().labelsData(level.level()).length];
    if (pos.length > 0) {
      INDArray anchors = Tensors.create(level.anchorsAt(pos), level.dataType(), pos.length, 4);
      INDArray deltas = Tensors.create(level.valuesAt(HeadOutputs.BBOX_PREDS, pos, 4), level.dataType(),
          pos.length, 4);
      INDArray decoded = bboxCoder().decode(anchors, deltas, null);
      // reg_decoded_bbox: ATSS's regression targets are the gt boxes themselves.
      INDArray gts = Tensors.create(level.bboxTargetsAt(pos), level.dataType(), pos.length, 4);
      double[] iou = Tensors.toDoubles(BboxOverlaps.bboxOverlaps(decoded, gts, "iou", true));
      for (int k = 0; k < pos.length; k++) {
        scores[pos[k]] = iou[k];
      }
    }
    return lossComputer().clsLoss(level, lossCls(), scores);        // (labels, scores) as MMDetection's tuple
  }
}
// end::qfl-atss-head[]
