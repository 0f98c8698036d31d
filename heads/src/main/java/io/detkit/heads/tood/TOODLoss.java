package io.detkit.heads.tood;

import io.detkit.heads.LossDetails;
import java.util.List;

/**
 * The values a {@link TOODHead} loss call was computed from, carried by the
 * {@link io.detkit.heads.HeadLoss} it returns ({@code loss.details(TOODLoss.class)}).
 *
 * @param clsAvgFactor what every level's {@code loss_cls} was divided by: {@code max(sum of the
 *     alignment metrics, 1)} (the initial phase: the positive count)
 * @param bboxAvgFactor what every level's {@code loss_bbox} was divided by: {@code max(sum of the box
 *     weights, 1)}
 * @param bboxWeights per level, the box-loss weight of each positive (centerness, or normalised metric)
 * @param alignmentPhase whether the call trained in the alignment phase
 */
public record TOODLoss(double clsAvgFactor, double bboxAvgFactor, List<double[]> bboxWeights,
    boolean alignmentPhase) implements LossDetails {}
