package io.detkit.tools.data;

import io.detkit.heads.GroundTruth;
import io.detkit.heads.ImageMeta;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch: images {@code [N, 3, H, W]} float32 (each sample padded at the bottom and right to the
 * batch's H and W), and per image its ground truth, meta and sample.
 */
public record Batch(INDArray images, List<GroundTruth> groundTruths, List<ImageMeta> metas,
    List<DetectionSample> samples) {
  /** Number of images. */
  public int size() {
    return samples.size();
  }
}
