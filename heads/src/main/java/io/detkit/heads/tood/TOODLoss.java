package io.detkit.heads.tood;

import io.detkit.heads.HeadLoss;
import io.detkit.heads.LossDetails;
import java.util.List;

/**
 * A {@link TOODHead} loss call with the values it was computed from.
 *
 * @param loss the loss dict ({@code loss_cls}, {@code loss_bbox}) and gradients
 * @param clsAvgFactor what every level's {@code loss_cls} was divided by: {@code max(sum of the
 *     alignment metrics, 1)} (the initial phase: the positive count)
 * @param bboxAvgFactor what every level's {@code loss_bbox} was divided by: {@code max(sum of the box
 *     weights, 1)}
 * @param bboxWeights per level, the box-loss weight of each positive (centerness, or normalised metric)
 * @param alignmentPhase whether the call trained in the alignment phase
 */
public record TOODLoss(HeadLoss loss, double clsAvgFactor, double bboxAvgFactor, List<double[]> bboxWeights,
    boolean alignmentPhase) implements LossDetails {}
