package io.detkit.bench;

import io.detkit.core.nms.MulticlassNmsResult;
import io.detkit.core.nms.Nms;
import io.detkit.core.nms.NmsConfig;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * RetinaNet's test-time {@code multiclass_nms}: 1,000 boxes shared by 80 classes, scores {@code
 * [1000, 81]}, {@code score_thr=0.05}, {@code nms=dict(type='nms', iou_threshold=0.5)}, {@code
 * max_per_img=100}. About a quarter of the 80,000 (box, class) pairs pass the threshold.
 */
public class NmsBench extends SampleTimeBench {
  private static final int BOXES = CocoScale.NMS_BOXES;

  private INDArray boxes;
  private INDArray scores;
  private final NmsConfig cfg = NmsConfig.of(0.5);

  @Setup(Level.Trial)
  public void setUp() {
    float[][] d = CocoScale.detections(BOXES, CocoScale.NMS_OBJECTS, CocoScale.NMS_SEED);
    boxes = Tensors.create(d[0], DataType.FLOAT, BOXES, 4);
    scores = Tensors.create(d[1], DataType.FLOAT, BOXES, CocoScale.NUM_CLASSES + 1);
  }

  @Benchmark
  public MulticlassNmsResult multiclassNms() {
    return Nms.multiclassNms(boxes, scores, 0.05, cfg, 100, null);
  }
}
