package io.detkit.heads.examples;

import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.HeadBuilder;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageTargets;
import io.detkit.heads.LevelLosses;
import io.detkit.heads.RetinaHead;
import io.detkit.heads.SingleImageInput;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

// tag::iou-branch-head[]
/**
 * A RetinaHead with an IoU-prediction branch: a fourth output {@code iou_preds} {@code [N, A, H, W]}
 * (one logit per anchor) trained by {@code loss_iou} (sigmoid cross-entropy by default) to predict,
 * at each positive, the IoU of the decoded box prediction with its gt box, averaged like the other
 * losses by {@code num_total_pos}. Everything else is RetinaHead's.
 */
public class IoUBranchRetinaHead extends RetinaHead {
  public static final String IOU_PREDS = "iou_preds";
  public static final String LOSS_IOU = "loss_iou";
  /** The per-anchor extra holding the box of the gt each positive is assigned to. */
  public static final String ASSIGNED_GT = "assigned_gt_bboxes";

  protected IoUBranchRetinaHead(HeadBuilder<?, ?> b) {
    super(b);
  }

  public static IoUBranchRetinaHead fromConfig(Config c) {
    return builder().fromConfig(c);
  }

  /** Its builder: RetinaHead's defaults and the declared {@code loss_iou}. */
  public static HeadBuilder.Of<IoUBranchRetinaHead> builder() {
    return RetinaHead.defaults(HeadBuilder.of(IoUBranchRetinaHead.class, IoUBranchRetinaHead::new))
        .declareLoss(LOSS_IOU, Config.of("type", "CrossEntropyLoss", "use_sigmoid", true, "loss_weight", 1.0));
  }

  /** 1. Declare the output: checked like the others, and its gradient comes back with theirs. */
  @Override
  public List<String> outputNames() {
    return List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS, IOU_PREDS);
  }

  @Override
  public int outputChannels(String name, int level) {
    return name.equals(IOU_PREDS) ? numBaseAnchors(level) : super.outputChannels(name, level);
  }

  /** 2. Each positive carries its gt box (an extra, split per level like the other targets). */
  @Override
  protected ImageTargets refineTargets(SingleImageInput in, ImageTargets t) {
    double[] gts = Tensors.toDoubles(in.gt().bboxes());
    double[] assigned = new double[t.numAnchors() * 4];
    int[] pos = t.posInds();
    int[] gt = t.posGtInds();
    for (int k = 0; k < pos.length; k++) {
      System.arraycopy(gts, gt[k] * 4, assigned, pos[k] * 4, 4);
    }
    return super.refineTargets(in, t).withExtra(ASSIGNED_GT, 4, assigned);
  }

  /** 3. Add the term and hand its gradient back (caller's thread, one level per call). */
  @Override
  protected void levelLosses(LevelLosses level) {
    super.levelLosses(level);                                        // loss_cls, loss_bbox
    int[] pos = level.positives();
    if (pos.length == 0) {
      level.put(LOSS_IOU, 0.0);
      return;
    }
    int m = pos.length;
    INDArray anchors = Tensors.create(level.anchorsAt(pos), level.dataType(), m, 4);
    INDArray deltas = Tensors.create(level.valuesAt(HeadOutputs.BBOX_PREDS, pos, 4), level.dataType(), m, 4);
    INDArray decoded = bboxCoder().decode(anchors, deltas, null);
    double[] all = Tensors.toDoubles(level.targets().extra(ASSIGNED_GT, level.level()).orElseThrow());
    double[] gt = new double[m * 4];
    for (int k = 0; k < m; k++) {
      System.arraycopy(all, pos[k] * 4, gt, k * 4, 4);
    }
    INDArray iou = BboxOverlaps.bboxOverlaps(decoded, Tensors.create(gt, level.dataType(), m, 4), "iou", true);
    INDArray logits = Tensors.create(level.valuesAt(IOU_PREDS, pos, 1), level.dataType(), m);
    LossResult r = extraLoss(LOSS_IOU).forward(LossArgs.of(logits, iou).avgFactor(level.avgFactor()));
    level.grads().addAtRows(IOU_PREDS, level.level(), pos, Tensors.toDoubles(r.gradPred()),
        numBaseAnchors(level.level()), 1);
    level.put(LOSS_IOU, r.scalar());
  }
}
// end::iou-branch-head[]
