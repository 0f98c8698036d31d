package io.detkit.heads.gfl;

import io.detkit.heads.LossDetails;
import java.util.List;

/**
 * The values a {@link GFLHead} loss call was computed from, per level {@code l}, carried by the
 * {@link io.detkit.heads.HeadLoss} it returns ({@code loss.details(GFLLoss.class)}):
 *
 * @param numTotalSamples the classification loss's avg factor, {@code max(num_total_pos, 1)}
 * @param bboxAvgFactor what every level's box and DFL losses were divided by:
 *     {@code max(sum of the weights over levels, 1)}
 * @param qflScores the quality target of every row of the level (IoU for positives, 0 else), image-major
 * @param bboxWeights the weight of each positive: its max-class score
 * @param posDecodedPreds the positives' predicted boxes in stride units, 4 per positive
 * @param posDecodedTargets the positives' gt boxes in stride units, 4 per positive
 * @param dflTargets the DFL targets, 4 per positive (sides l, t, r, b), clamped to {@code [0, reg_max - 0.1]}
 */
public record GFLLoss(double numTotalSamples, double bboxAvgFactor, List<double[]> qflScores,
    List<double[]> bboxWeights, List<double[]> posDecodedPreds, List<double[]> posDecodedTargets,
    List<double[]> dflTargets) implements LossDetails {}
