package io.detkit.heads.anchorfree;

import static io.detkit.heads.DenseHeadEdgeFixture.assertSameDetections;
import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.golden.GoldenCase;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.Detections;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * FCOSHead on the golden inputs: bit-identical results whatever runs the images (the caller's
 * thread or 8 threads), and float64 inputs giving MMDetection's float32 values within the case's
 * tolerance (no float64 values are stored for FCOS).
 */
class FCOSHeadDeterminismTest {
  @Test
  void lossAndPredictionAreBitIdenticalOnOneAndEightThreads() {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (String id : List.of("FCOSHead/standard_5lv_default_ranges", "FCOSHead/center_normbbox_centeronreg_giou")) {
        GoldenCase c = GoldenPointInputs.golden(id);
        List<ImageMeta> metas = ImageMeta.listFromConfig(c.call().getList("img_metas"));
        FCOSHead serial = FCOSHead.builder().executor(null).fromConfig(c.config());
        FCOSHead parallel = FCOSHead.builder().executor(pool).fromConfig(c.config());
        HeadOutputs outs = GoldenPointInputs.outputs(c, serial.outputNames());
        List<GroundTruth> gts = GoldenPointInputs.gts(c, metas.size());
        HeadLoss a = serial.loss(outs, gts, metas);
        HeadLoss b = parallel.loss(outs, gts, metas);
        assertThat(Double.doubleToRawLongBits(b.total())).isEqualTo(Double.doubleToRawLongBits(a.total()));
        for (String name : serial.outputNames()) {
          for (int l = 0; l < serial.numLevels(); l++) {
            assertThat(Tensors.toDoubles(b.grads().get(name, l))).containsExactly(Tensors.toDoubles(a.grads().get(name,
                l)));
          }
        }
      }
      GoldenCase c = GoldenPointInputs.golden("FCOSHead/get_bboxes");
      List<ImageMeta> metas = ImageMeta.listFromConfig(c.call().getList("img_metas"));
      FCOSHead serial = FCOSHead.builder().executor(null).fromConfig(c.config());
      FCOSHead parallel = FCOSHead.builder().executor(pool).fromConfig(c.config());
      HeadOutputs outs = GoldenPointInputs.outputs(c, serial.outputNames());
      List<Detections> a = serial.predict(outs, metas);
      List<Detections> b = parallel.predict(outs, metas);
      assertSameDetections(a, b);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void float64InputsReproduceTheFloat32Losses() {
    for (String id : List.of("FCOSHead/standard_5lv_default_ranges", "FCOSHead/center_normbbox_centeronreg_giou")) {
      GoldenCase c = GoldenPointInputs.golden(id).withPrecision(DataType.DOUBLE);
      List<ImageMeta> metas = ImageMeta.listFromConfig(c.call().getList("img_metas"));
      FCOSHead head = FCOSHead.fromConfig(c.config());
      FCOSLoss r = head.lossWithDetails(GoldenPointInputs.outputs(c, head.outputNames()),
          GoldenPointInputs.gts(c, metas.size()), metas);
      assertThat(r.loss().grads().get(HeadOutputs.CLS_SCORES, 0).dataType()).isEqualTo(DataType.DOUBLE);
      GoldenCase.Tolerance tol = c.tolerance();
      for (String name : List.of("loss_cls", "loss_bbox", "loss_centerness")) {
        double expected = c.outputsF32().get(name).data()[0];
        assertThat(tol.accepts(r.loss().sum(name), expected)).as(id + " " + name + ": " + r.loss().sum(name)
            + " vs " + expected).isTrue();
      }
      assertThat((double) r.posInds().length).isEqualTo(c.outputsF32().get("aux_num_pos").data()[0]);
    }
  }
}
