package io.detkit.heads.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.config.Config;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.HeadStep;
import io.detkit.heads.ImageMeta;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The in-place step (the focal loss read from the network's layout, the box loss over the positive
 * rows, gradients written into reused arrays) gives the same bits as the general loss pipeline (forced by {@code check_finite}, which
 * changes no number), with and without a {@link HeadStep}; a step reuses its gradient arrays from
 * call to call and still gives the same bits.
 */
class HeadStepReuseTest {
  private static final int IMAGES = 2;
  private static final int H = 200;
  private static final int W = 136;

  @ParameterizedTest
  @CsvSource({"RetinaHead, FLOAT", "RetinaHead, DOUBLE", "ATSSHead, FLOAT", "ATSSHead, DOUBLE"})
  void inPlaceStepMatchesTheGeneralPipelineAndReusesItsArrays(String type, DataType dtype) {
    Config c = type.equals("ATSSHead") ? HeadFixtures.ATSS : HeadFixtures.RETINA;
    AnchorHead head = HeadFixtures.build(c, null);
    AnchorHead general = HeadFixtures.build(c.with("loss_cls", c.getConfig("loss_cls").with("check_finite", true))
        .with("loss_bbox", c.getConfig("loss_bbox").with("check_finite", true)), null);
    HeadOutputs outs = HeadFixtures.outputs(head, IMAGES, HeadFixtures.featmapSizes(H, W), dtype, 4, 7);
    List<GroundTruth> gts = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      gts.add(HeadFixtures.gts(4 + i, H, W, dtype, 50 + i));
    }
    List<ImageMeta> metas = HeadFixtures.metas(IMAGES, H, W);

    String reference = HeadFixtures.fingerprint(general.loss(outs, gts, metas, 0));
    assertThat(HeadFixtures.fingerprint(head.loss(outs, gts, metas, 0))).isEqualTo(reference);
    HeadStep step = new HeadStep();
    HeadLoss first = head.loss(outs, gts, metas, 0, step);
    assertThat(HeadFixtures.fingerprint(first)).isEqualTo(reference);
    List<INDArray> firstCls = first.grads().get(HeadOutputs.CLS_SCORES);
    HeadLoss second = head.loss(outs, gts, metas, 0, step);
    assertThat(HeadFixtures.fingerprint(second)).isEqualTo(reference);
    List<INDArray> secondCls = second.grads().get(HeadOutputs.CLS_SCORES);
    for (int l = 0; l < firstCls.size(); l++) {
      assertThat(secondCls.get(l)).isSameAs(firstCls.get(l));
    }
  }
}
