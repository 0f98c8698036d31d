package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.GoldenSet;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The heads keep float64 end to end: the golden head cases run on float64 copies of their inputs
 * give float64 gradients, the same targets, and losses within float32 round-off of MMDetection's.
 * (RPNHead/deterministic_sampling is left out: its low-quality matching assigns every anchor tied at
 * a gt's best IoU, and several float32 ties there are not ties in float64.)
 */
class Float64HeadTest {
  @ParameterizedTest
  @ValueSource(strings = {"RetinaHead/standard", "ATSSHead/ignore_and_empty_gt", "ATSSHead/standard",
      "AnchorHead/softmax_decoded_posweight", "GFLHead/standard", "GFLHead/beta_weights_variant",
      "TOODHead/initial_phase", "TOODHead/alignment_phase", "TOODHead/alignment_phase_anchor_based"})
  void float64RunsAgreeWithTheFloat32Goldens(String id) throws Exception {
    GoldenCase c = GoldenSet.load().cases().stream().filter(g -> g.id().equals(id)).findFirst().orElseThrow();
    HeadRunner.Produced out = HeadRunner.produceLoss(c.withPrecision(DataType.DOUBLE));
    Map<String, GoldenCase.Expected> expected = c.outputsF32();
    for (GoldenCase.Expected e : expected.values()) {
      Object actual = out.outputs().get(e.name());
      if (e.name().startsWith("loss_") || e.name().equals("total_loss")) {
        double v = ((Number) actual).doubleValue();
        assertThat(Math.abs(v - e.data()[0])).as(e.name()).isLessThanOrEqualTo(1e-5 + 1e-4 * Math.abs(e.data()[0]));
      } else if (e.name().startsWith("labels_") || e.name().startsWith("aux_assigned_gt_inds")) {
        double[] a = ((INDArray) actual).castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        assertThat(a).as(e.name()).containsExactly(e.data());
      } else if (e.name().startsWith("bbox_targets_")) {
        assertThat(((INDArray) actual).dataType()).isEqualTo(DataType.DOUBLE);
      }
    }
    for (String name : out.grads().names()) {
      for (INDArray g : out.grads().get(name)) {
        assertThat(g.dataType()).isEqualTo(DataType.DOUBLE);
      }
    }
  }
}
