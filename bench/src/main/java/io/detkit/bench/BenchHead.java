package io.detkit.bench;

import io.detkit.heads.AnchorHead;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.HeadStep;
import io.detkit.heads.HeadTargets;
import io.detkit.heads.ImageMeta;
import io.detkit.heads.MultiLevelAnchors;
import io.detkit.heads.anchorfree.FCOSHead;
import io.detkit.heads.anchorfree.FCOSLoss;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A head as the benchmarks drive it, through its public API only: the whole training step
 * (MMDetection's {@code loss()}: targets, losses, gradients), the targets alone, and the losses from
 * targets computed before where the head exposes that step. Implementations hold an immutable,
 * thread-safe head; the benchmark thread calls them.
 */
interface BenchHead {
  /** One training step (the epoch, where the head reads one, fixed by the implementation). */
  default HeadLoss step(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas) {
    return step(outputs, gts, metas, null);
  }

  /** {@link #step} with its gradients in {@code step}'s reused arrays (null: new arrays). */
  HeadLoss step(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas, HeadStep step);

  /**
   * The step's targets alone, as the head computes them without its outputs.
   *
   * @throws UnsupportedOperationException for a head whose targets read its predictions
   */
  Object targets(List<int[]> featmapSizes, List<GroundTruth> gts, List<ImageMeta> metas);

  /**
   * The losses and gradients from {@link #targets}' result.
   *
   * @throws UnsupportedOperationException for a head without a public loss-from-targets step
   */
  HeadLoss lossFromTargets(HeadOutputs outputs, Object targets);

  /** Positive priors (anchors or points) of the batch in a step on these inputs, over all images. */
  int positives(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas);

  /**
   * An anchor head ({@link AnchorHead} and its subclasses) trained in {@code epoch};
   * {@code separateTargets} when its targets come from the public {@code getTargets} without the
   * outputs (not TOOD, whose per-image target step reads the predictions and attaches the alignment
   * metrics its loss reads).
   */
  record Anchor(AnchorHead head, int epoch, boolean separateTargets) implements BenchHead {
    @Override
    public HeadLoss step(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas, HeadStep step) {
      return head.loss(outputs, gts, metas, epoch, step);
    }

    /** {@code get_anchors} plus {@code get_targets}. */
    @Override
    public Object targets(List<int[]> featmapSizes, List<GroundTruth> gts, List<ImageMeta> metas) {
      if (!separateTargets) {
        throw new UnsupportedOperationException(head + ": its targets are computed inside its step only");
      }
      MultiLevelAnchors anchors = head.getAnchors(featmapSizes, metas, DataType.FLOAT);
      HeadTargets t = head.getTargets(anchors, gts, metas, head.labelChannels())
          .orElseThrow(() -> new IllegalStateException("no anchor inside the image"));
      return new AnchorTargets(anchors, t);
    }

    @Override
    public HeadLoss lossFromTargets(HeadOutputs outputs, Object targets) {
      AnchorTargets t = (AnchorTargets) targets;
      return head.lossFromTargets(outputs, t.anchors(), t.targets());
    }

    @Override
    public int positives(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas) {
      HeadTargets t;
      try (HeadLoss l = step(outputs, gts, metas)) {
        t = l.targets().orElseThrow();  // the targets stay readable after close
      }
      int pos = 0;
      for (int l = 0; l < t.numLevels(); l++) {
        for (int label : t.labelsData(l)) {
          pos += label < t.numClasses() ? 1 : 0;
        }
      }
      return pos;
    }
  }

  /** The anchors and targets of one batch. */
  record AnchorTargets(MultiLevelAnchors anchors, HeadTargets targets) {}

  /** FCOS: points instead of anchors; its loss from targets is not public, only the whole step. */
  record Fcos(FCOSHead head) implements BenchHead {
    @Override
    public HeadLoss step(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas, HeadStep step) {
      return head.loss(outputs, gts, metas, 0, step);
    }

    @Override
    public Object targets(List<int[]> featmapSizes, List<GroundTruth> gts, List<ImageMeta> metas) {
      return head.getTargets(featmapSizes, gts, DataType.FLOAT);
    }

    @Override
    public HeadLoss lossFromTargets(HeadOutputs outputs, Object targets) {
      throw new UnsupportedOperationException("FCOSHead has no public loss-from-targets step");
    }

    @Override
    public int positives(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas) {
      try (HeadLoss l = head.loss(outputs, gts, metas)) {
        return l.details(FCOSLoss.class).posInds().length;
      }
    }
  }
}
