package io.detkit.heads.anchorfree;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.golden.GoldenCase;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import java.util.List;
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
    GoldenPointInputs.assertSameOnOneAndEightThreads(
        (c, e) -> FCOSHead.builder().params(p -> p.withExecutor(e)).fromConfig(c),
        List.of("FCOSHead/standard_5lv_default_ranges", "FCOSHead/center_normbbox_centeronreg_giou"),
        "FCOSHead/get_bboxes");
  }


  @Test
  void float64InputsReproduceTheFloat32Losses() {
    for (String id : List.of("FCOSHead/standard_5lv_default_ranges", "FCOSHead/center_normbbox_centeronreg_giou")) {
      GoldenCase c = GoldenPointInputs.golden(id).withPrecision(DataType.DOUBLE);
      List<ImageMeta> metas = ImageMeta.listFromConfig(c.call().getList("img_metas"));
      FCOSHead head = FCOSHead.fromConfig(c.config());
      HeadLoss loss = head.loss(GoldenPointInputs.outputs(c, head.outputNames()),
          GoldenPointInputs.gts(c, metas.size()), metas);
      FCOSLoss r = loss.details(FCOSLoss.class);
      assertThat(loss.grads().get(HeadOutputs.CLS_SCORES, 0).dataType()).isEqualTo(DataType.DOUBLE);
      GoldenCase.Tolerance tol = c.tolerance();
      for (String name : List.of("loss_cls", "loss_bbox", "loss_centerness")) {
        double expected = c.outputsF32().get(name).data()[0];
        assertThat(tol.accepts(loss.sum(name), expected)).as(id + " " + name + ": " + loss.sum(name)
            + " vs " + expected).isTrue();
      }
      assertThat((double) r.posInds().length).isEqualTo(c.outputsF32().get("aux_num_pos").data()[0]);
    }
  }
}
