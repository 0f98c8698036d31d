package io.detkit.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.tensor.Tensors;
import io.detkit.losses.FocalLoss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class FocalLossSketchTest {
  @Test
  void scalarAndVectorSketchesMatchFocalLoss() throws Exception {
    int n = 600;
    int c = CocoScale.NUM_CLASSES;
    float[] x = CocoScale.logits(n, c, 5);
    // Spread some logits far out so both tails and the log1p branch are exercised.
    for (int i = 0; i < x.length; i += 97) {
      x[i] = (i % 2 == 0 ? 1 : -1) * (5 + i % 40);
    }
    int[] labels = CocoScale.anchorLabels(n, 7, 6);
    double avg = 86;
    LossResult ref = FocalLoss.builder().build().forward(
        LossArgs.of(Tensors.create(x, DataType.FLOAT, n, c), Tensors.createLong(labels, n)).avgFactor(avg));
    float[] refGrad = Tensors.toFloats(ref.gradPred());
    ExecutorService pool = FocalLossSketch.pool(2);
    try {
      for (int threads : new int[] {1, 2}) {
        float[] grad = new float[x.length];
        double v = FocalLossSketch.forward(x, labels, c, avg, grad, threads, pool);
        assertThat(v).isCloseTo(ref.scalar(), within(1e-5 * Math.abs(ref.scalar())));
        for (int i = 0; i < grad.length; i++) {
          assertThat(grad[i]).as("grad[%d]", i).isCloseTo(refGrad[i], within(1e-6f * Math.abs(refGrad[i]) + 1e-12f));
        }
      }
      float[] grad = new float[x.length];
      double v = FocalLossVectorSketch.forward(x, labels, c, avg, grad);
      assertThat(v).isCloseTo(ref.scalar(), within(1e-5 * Math.abs(ref.scalar())));
      for (int i = 0; i < grad.length; i++) {
        assertThat(grad[i]).as("vector grad[%d]", i).isCloseTo(refGrad[i], within(1e-5f * Math.abs(refGrad[i]) + 1e-9f));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
