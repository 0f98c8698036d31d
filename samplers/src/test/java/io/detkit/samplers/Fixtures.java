package io.detkit.samplers;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Small inputs with recognisable values: prior {@code i} is {@code (i, i, i+10, i+10)}. */
final class Fixtures {
  private Fixtures() {}

  /**
   * An assign result over {@code gtInds} with overlap 0.8 for positives, 0.1 for negatives, 0.45
   * for ignored priors, and label {@code 10 + gt} for positives.
   */
  static AssignResult assign(int numGts, int... gtInds) {
    double[] ov = new double[gtInds.length];
    int[] labels = new int[gtInds.length];
    for (int i = 0; i < gtInds.length; i++) {
      ov[i] = gtInds[i] > 0 ? 0.8 : gtInds[i] == 0 ? 0.1 : 0.45;
      labels[i] = gtInds[i] > 0 ? 10 + gtInds[i] : -1;
    }
    return new AssignResult(numGts, gtInds, ov, labels);
  }

  /** {@code pos} priors assigned round-robin to gts 1..numGts, then {@code neg} negatives, then ignored ones. */
  static int[] gtInds(int numGts, int pos, int neg, int ignored) {
    int[] g = new int[pos + neg + ignored];
    for (int i = 0; i < pos; i++) {
      g[i] = 1 + i % Math.max(1, numGts);
    }
    for (int i = pos + neg; i < g.length; i++) {
      g[i] = -1;
    }
    return g;
  }

  static INDArray boxes(int n) {
    return boxes(n, DataType.FLOAT);
  }

  static INDArray boxes(int n, DataType type) {
    double[] d = new double[n * 4];
    for (int i = 0; i < n; i++) {
      d[i * 4] = i;
      d[i * 4 + 1] = i;
      d[i * 4 + 2] = i + 10;
      d[i * 4 + 3] = i + 10;
    }
    return Tensors.create(d, type, n, 4);
  }

  /** Gt {@code j} is {@code (1000+j, 1000+j, 1050+j, 1050+j)}. */
  static INDArray gts(int k) {
    double[] d = new double[k * 4];
    for (int j = 0; j < k; j++) {
      d[j * 4] = 1000 + j;
      d[j * 4 + 1] = 1000 + j;
      d[j * 4 + 2] = 1050 + j;
      d[j * 4 + 3] = 1050 + j;
    }
    return Tensors.create(d, DataType.FLOAT, k, 4);
  }

  /** Gt {@code j} has label {@code 20 + j}. */
  static INDArray labels(int k) {
    long[] l = new long[k];
    for (int j = 0; j < k; j++) {
      l[j] = 20 + j;
    }
    return Tensors.createLong(l, k);
  }
}
