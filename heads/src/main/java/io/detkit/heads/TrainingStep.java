package io.detkit.heads;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One {@link AnchorHead#loss} call (MMDetection's {@code loss}): checks, anchors, the batch's
 * targets through the head's target hooks, then {@link AnchorHead#lossFromTargets}; with a
 * {@link HeadStep} bound to the calling thread for the call, so that the accumulators of the loss
 * computation take their arrays from it.
 */
final class TrainingStep {
  private TrainingStep() {}

  /** The step; {@code step} null for new gradient arrays. Caller's thread. */
  static HeadLoss run(AnchorHead head, HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas, int epoch,
      HeadStep step) {
    head.requireTraining();
    BaseDenseHead.checkedEpoch(epoch);
    OutputChecks.checkBatch(gts, metas, metas == null ? 0 : metas.size());
    OutputShapes batch = head.outputChecks().check(outputs, metas.size());
    MultiLevelAnchors anchors = head.getAnchors(batch.featmapSizes(), metas, batch.dataType());
    Optional<HeadTargets> targets = head.targetBuilder().collect(anchors, gts, metas, head.labelChannels(),
        head.nextRandomRoot(), epoch, head.targetStep(outputs, anchors)).map(head::refineBatchTargets);
    return HeadStep.run(step, () -> targets.isEmpty()
        ? HeadLoss.of(Map.of(), GradAccumulator.forCall(outputs, batch.dataType()).toOutputs(), null)
        : head.lossFromTargets(outputs, anchors, targets.get()));
  }
}
