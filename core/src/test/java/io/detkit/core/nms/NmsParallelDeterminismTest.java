package io.detkit.core.nms;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Large class-aware problems run their classes on the fork-join pool; the results must not depend on
 * the pool's size, must equal the single-threaded path, and must equal a plain greedy reference
 * (global stable sort, then one pass) computed in float32 arithmetic.
 */
class NmsParallelDeterminismTest {
  private static final int BOXES = 2000;
  private static final int CLASSES = 80;
  private static final ForkJoinPool ONE = new ForkJoinPool(1);
  private static final ForkJoinPool EIGHT = new ForkJoinPool(8);

  @AfterAll
  static void shutDown() {
    ONE.shutdownNow();
    EIGHT.shutdownNow();
  }

  /**
   * Boxes jittered around a few objects (heavy overlap) and scores quantised to 1/256 so equal
   * scores, whose order is decided by index, are common.
   */
  private static float[][] problem(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] objects = new float[4 * 25];
    for (int o = 0; o < 25; o++) {
      float x = (float) rnd.nextDouble(0, 1000);
      float y = (float) rnd.nextDouble(0, 700);
      objects[4 * o] = x;
      objects[4 * o + 1] = y;
      objects[4 * o + 2] = x + (float) rnd.nextDouble(10, 200);
      objects[4 * o + 3] = y + (float) rnd.nextDouble(10, 200);
    }
    float[] boxes = new float[4 * BOXES];
    for (int i = 0; i < BOXES; i++) {
      int o = rnd.nextInt(25);
      float w = objects[4 * o + 2] - objects[4 * o];
      for (int k = 0; k < 4; k++) {
        boxes[4 * i + k] = objects[4 * o + k] + (float) rnd.nextDouble(-0.15, 0.15) * w;
      }
      if (boxes[4 * i + 2] < boxes[4 * i]) {
        boxes[4 * i + 2] = boxes[4 * i];
      }
    }
    float[] scores = new float[BOXES * (CLASSES + 1)];
    for (int t = 0; t < scores.length; t++) {
      scores[t] = rnd.nextInt(256) / 256f;
    }
    return new float[][] {boxes, scores};
  }

  private static <T> T on(ForkJoinPool pool, Callable<T> work) throws Exception {
    return pool.submit(work).get();
  }

  private static void assertSame(MulticlassNmsResult actual, MulticlassNmsResult expected) {
    assertThat(actual.indArray()).containsExactly(expected.indArray());
    assertThat(actual.labelArray()).containsExactly(expected.labelArray());
    assertThat(actual.dets().dataType()).isEqualTo(expected.dets().dataType());
    assertThat(actual.dets().shape()).containsExactly(expected.dets().shape());
    assertThat(actual.dets().data().asDouble()).containsExactly(expected.dets().data().asDouble());
  }

  @Test
  void multiclassNmsIsIdenticalOnOneAndEightThreadsAndMatchesTheReference() throws Exception {
    float[][] p = problem(7);
    INDArray boxes = Tensors.create(p[0], DataType.FLOAT, BOXES, 4);
    INDArray scores = Tensors.create(p[1], DataType.FLOAT, BOXES, CLASSES + 1);
    NmsConfig cfg = NmsConfig.of(0.5);
    for (int maxNum : new int[] {-1, 100, 5000}) {
      Callable<MulticlassNmsResult> run = () -> Nms.multiclassNms(boxes, scores, 0.7, cfg, maxNum, null);
      MulticlassNmsResult one = on(ONE, run);
      MulticlassNmsResult eight = on(EIGHT, run);
      assertSame(eight, one);
      assertSame(run.call(), one);

      int[] expected = reference(p[0], p[1], 0.7f, 0.5f, maxNum);
      assertThat(one.indArray()).containsExactly(expected);
      if (maxNum < 0) {
        // Enough candidates and kept boxes that the parallel path and the merge really did work.
        assertThat(expected.length).isGreaterThan(1000);
      }
      float[] dets = one.dets().data().asFloat();
      for (int t = 0; t < expected.length; t++) {
        int prior = expected[t] / CLASSES;
        assertThat(one.labelArray()[t]).isEqualTo(expected[t] % CLASSES);
        assertThat(dets[5 * t + 4]).isEqualTo(p[1][prior * (CLASSES + 1) + expected[t] % CLASSES]);
        for (int k = 0; k < 4; k++) {
          assertThat(dets[5 * t + k]).isEqualTo(p[0][4 * prior + k]);
        }
      }
    }
  }

  @Test
  void keepGivesTheSameIndicesInParallelAndSerially() throws Exception {
    float[][] p = problem(11);
    int m = BOXES * CLASSES;
    double[] b = new double[4 * m];
    double[] s = new double[m];
    int[] labels = new int[m];
    double[] priors = toDoubles(p[0]);
    for (int i = 0; i < BOXES; i++) {
      for (int c = 0; c < CLASSES; c++) {
        int q = i * CLASSES + c;
        System.arraycopy(priors, 4 * i, b, 4 * q, 4);
        s[q] = p[1][i * (CLASSES + 1) + c];
        labels[q] = c;
      }
    }
    NmsConfig cfg = NmsConfig.of(0.6).withScoreThreshold(0.5);
    int[] serial = NmsKeep.keep(b, s, labels, cfg, true, -1, false);
    assertThat(on(ONE, () -> NmsKeep.keep(b, s, labels, cfg, true, -1, true))).containsExactly(serial);
    assertThat(on(EIGHT, () -> NmsKeep.keep(b, s, labels, cfg, true, -1, true))).containsExactly(serial);
    assertThat(serial.length).isGreaterThan(1000);
    // Float64 problems take the same path in double arithmetic.
    int[] serial64 = NmsKeep.keep(b, s, labels, cfg, false, -1, false);
    assertThat(on(EIGHT, () -> NmsKeep.keep(b, s, labels, cfg, false, -1, true))).containsExactly(serial64);
  }

  @Test
  void batchedNmsWithSparseClassIdsMatchesTheReferenceOnAnyPool() throws Exception {
    // Class ids spread over the whole int range group through the sorting fallback, not a table.
    float[][] p = problem(23);
    int n = BOXES;
    float[] scores = new float[n];
    int[] idxs = new int[n];
    int[] ids = {Integer.MIN_VALUE, -7, 0, 12345, 99_999_999, Integer.MAX_VALUE};
    SplittableRandom rnd = new SplittableRandom(5);
    for (int i = 0; i < n; i++) {
      scores[i] = p[1][i];
      idxs[i] = ids[rnd.nextInt(ids.length)];
    }
    for (NmsConfig cfg : new NmsConfig[] {NmsConfig.of(0.4), NmsConfig.of(0.4).withMaxNum(30),
        NmsConfig.of(0.4).withClassAgnostic(true), NmsConfig.of(0.4).withOffset(1), NmsConfig.of(0),
        NmsConfig.of(-0.1)}) {
      int[] one = on(ONE, () -> Nms.batchedNms(p[0], scores, idxs, cfg));
      assertThat(on(EIGHT, () -> Nms.batchedNms(p[0], scores, idxs, cfg))).containsExactly(one);
      int[] groups = cfg.classAgnostic() ? new int[n] : idxs;
      assertThat(one).as("%s", cfg).containsExactly(
          referenceKeep(p[0], scores, groups, (float) cfg.iouThreshold(), cfg.offset(), cfg.maxNum()));
    }
  }

  // ---------------------------------------------------------------- the reference

  /** multiclass_nms over flat (prior * C + class) candidates scoring above {@code scoreThr}. */
  private static int[] reference(float[] boxes, float[] scores, float scoreThr, float iouThr, int maxNum) {
    List<Integer> flat = new ArrayList<>();
    for (int i = 0; i < BOXES; i++) {
      for (int c = 0; c < CLASSES; c++) {
        if (scores[i * (CLASSES + 1) + c] > scoreThr) {
          flat.add(i * CLASSES + c);
        }
      }
    }
    int m = flat.size();
    float[] b = new float[4 * m];
    float[] s = new float[m];
    int[] g = new int[m];
    for (int q = 0; q < m; q++) {
      int i = flat.get(q) / CLASSES;
      int c = flat.get(q) % CLASSES;
      System.arraycopy(boxes, 4 * i, b, 4 * q, 4);
      s[q] = scores[i * (CLASSES + 1) + c];
      g[q] = c;
    }
    int[] kept = referenceKeep(b, s, g, iouThr, 0, maxNum);
    int[] out = new int[kept.length];
    for (int t = 0; t < kept.length; t++) {
      out[t] = flat.get(kept[t]);
    }
    return out;
  }

  /** The textbook greedy pass in float arithmetic: stable sort, then each box against kept boxes. */
  private static int[] referenceKeep(float[] b, float[] s, int[] g, float iouThr, int offset, int maxNum) {
    int n = s.length;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    order.sort((x, y) -> s[x] > s[y] ? -1 : s[x] < s[y] ? 1 : 0);
    List<Integer> kept = new ArrayList<>();
    Map<Integer, List<Integer>> keptOfGroup = new HashMap<>();
    for (int j : order) {
      boolean suppressed = false;
      List<Integer> same = keptOfGroup.computeIfAbsent(g[j], k -> new ArrayList<>());
      for (int i : same) {
        float w = Math.max(0f, Math.min(b[4 * i + 2], b[4 * j + 2]) - Math.max(b[4 * i], b[4 * j]) + offset);
        float h = Math.max(0f, Math.min(b[4 * i + 3], b[4 * j + 3]) - Math.max(b[4 * i + 1], b[4 * j + 1]) + offset);
        float inter = w * h;
        float ai = (b[4 * i + 2] - b[4 * i] + offset) * (b[4 * i + 3] - b[4 * i + 1] + offset);
        float aj = (b[4 * j + 2] - b[4 * j] + offset) * (b[4 * j + 3] - b[4 * j + 1] + offset);
        if (inter / (ai + aj - inter) > iouThr) {
          suppressed = true;
          break;
        }
      }
      if (!suppressed) {
        kept.add(j);
        same.add(j);
        if (maxNum > 0 && kept.size() == maxNum) {
          break;
        }
      }
    }
    return kept.stream().mapToInt(Integer::intValue).toArray();
  }

  private static double[] toDoubles(float[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
