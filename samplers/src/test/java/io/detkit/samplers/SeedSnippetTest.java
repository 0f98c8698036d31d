package io.detkit.samplers;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.tensor.Tensors;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The seed tutorial's step 1: its train_cfg text, pasted as it is, builds a RandomSampler that samples. */
class SeedSnippetTest {
  private static final String SEED_SNIPPET =
      "train_cfg=dict(rpn=dict(sampler=dict(type='RandomSampler', num=256, pos_fraction=0.5, neg_pos_ub=-1,"
          + " add_gt_as_proposals=False)))";

  @Test
  void seedTrainCfgBuildsARandomSamplerThatSamplesByTheCountingRules() {
    Config trainCfg = ConfigLoader.fromPython(SEED_SNIPPET, "seed").getConfig("train_cfg");
    Sampler sampler = Samplers.build(trainCfg.getConfig("rpn").getConfig("sampler"));
    assertThat(sampler).isInstanceOf(RandomSampler.class);

    // 1,000 priors: 200 positive (assigned to gt 1 or 2), 700 negative, 100 ignored.
    int n = 1000;
    int[] gtInds = new int[n];
    for (int i = 0; i < n; i++) {
      gtInds[i] = i < 200 ? 1 + i % 2 : i < 900 ? 0 : -1;
    }
    AssignResult assign = new AssignResult(2, gtInds, new double[n], null);
    double[] boxes = new double[4 * n];
    for (int i = 0; i < n; i++) {
      boxes[4 * i + 2] = 10 + i;
      boxes[4 * i + 3] = 10 + i;
    }
    INDArray bboxes = Tensors.create(boxes, DataType.FLOAT, n, 4);
    INDArray gt = Tensors.create(new double[] {0, 0, 10, 10, 5, 5, 20, 20}, DataType.FLOAT, 2, 4);

    SamplingResult r = sampler.sample(assign, bboxes, gt, null, new SplittableRandom(42));
    assertThat(r.posInds().length()).isEqualTo(128); // int(256 * 0.5)
    assertThat(r.negInds().length()).isEqualTo(128); // fills up to num
    for (int i : r.posInds().toArray()) {
      assertThat(gtInds[i]).isPositive();
    }
    for (int i : r.negInds().toArray()) {
      assertThat(gtInds[i]).isZero();
    }
    assertThat(sampler.sample(assign, bboxes, gt, null, new SplittableRandom(42)).posInds().toArray())
        .containsExactly(r.posInds().toArray());
  }
}
