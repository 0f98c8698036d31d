package io.detkit.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.testing.RandomBoxes;
import io.detkit.core.anchor.AnchorGenerator;
import io.detkit.core.anchor.Stride;
import io.detkit.core.assign.ATSSAssigner;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.assign.MaxIoUAssigner;
import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.coder.BBoxCoder;
import io.detkit.core.coder.DeltaXYWHBBoxCoder;
import io.detkit.core.coder.TBLRBBoxCoder;
import io.detkit.core.nms.MulticlassNmsResult;
import io.detkit.core.nms.Nms;
import io.detkit.core.nms.NmsConfig;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Core's components are immutable and stateless: one instance used from 8 threads at once gives,
 * call for call, exactly (bit for bit) the result of a serial call, and repeated calls agree.
 */
class CoreThreadSafetyTest {
  private static final int THREADS = 8;
  private static final int ROUNDS = 3;

  private static final AnchorGenerator ANCHORS = new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8, 16, 32),
      new double[] {0.5, 1, 2}, new double[] {4}));
  private static final int[][] SIZES = {{24, 32}, {12, 16}, {6, 8}};

  private static float[] priors() {
    float[][] levels = new float[SIZES.length][];
    int total = 0;
    for (int l = 0; l < SIZES.length; l++) {
      levels[l] = ANCHORS.gridPriorsFlat(l, SIZES[l][0], SIZES[l][1]);
      total += levels[l].length;
    }
    float[] all = new float[total];
    int at = 0;
    for (float[] l : levels) {
      System.arraycopy(l, 0, all, at, l.length);
      at += l.length;
    }
    return all;
  }

  private static int[] levelCounts() {
    int[] c = new int[SIZES.length];
    for (int l = 0; l < SIZES.length; l++) {
      c[l] = SIZES[l][0] * SIZES[l][1] * ANCHORS.numBasePriors(l);
    }
    return c;
  }

  private static float[] gts(int k) {
    Random rnd = new Random(11);
    return RandomBoxes.floats(rnd, k, 200, 150, 8, 80);
  }

  /** A result flattened to a comparable string of exact bit patterns. */
  private static String bits(Object... parts) {
    StringBuilder sb = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof INDArray a) {
        sb.append(a.dataType()).append(Arrays.toString(a.shape()));
        for (double d : Tensors.toDoubles(a)) {
          sb.append(Long.toHexString(Double.doubleToRawLongBits(d))).append(',');
        }
      } else if (p instanceof float[] f) {
        for (float v : f) {
          sb.append(Integer.toHexString(Float.floatToRawIntBits(v))).append(',');
        }
      } else if (p instanceof double[] d) {
        for (double v : d) {
          sb.append(Long.toHexString(Double.doubleToRawLongBits(v))).append(',');
        }
      } else if (p instanceof int[] i) {
        sb.append(Arrays.toString(i));
      } else if (p instanceof AssignResult r) {
        sb.append(Arrays.toString(r.gtInds())).append(bits(r.maxOverlaps()))
            .append(Arrays.toString(r.labels()));
      } else {
        sb.append(p);
      }
      sb.append('|');
    }
    return sb.toString();
  }

  private static void assertConcurrentEqualsSerial(String what, Callable<String> task) throws Exception {
    String serial = task.call();
    assertThat(task.call()).as("%s is repeatable", what).isEqualTo(serial);
    List<String> all = Concurrency.runTogether(THREADS, ROUNDS, task);
    assertThat(all).as(what).hasSize(THREADS * ROUNDS).allMatch(serial::equals);
  }

  @Test
  void overlapsAndGradientsFromEightThreads() throws Exception {
    INDArray p = Tensors.create(priors(), DataType.FLOAT, priors().length / 4, 4);
    INDArray g = Tensors.create(gts(40), DataType.FLOAT, 40, 4);
    INDArray up = Tensors.create(new float[40 * (int) p.size(0)], DataType.FLOAT, 40, p.size(0)).addi(0.25);
    assertConcurrentEqualsSerial("bbox_overlaps", () -> bits(
        BboxOverlaps.bboxOverlaps(g, p, OverlapMode.GIOU, false),
        BboxOverlaps.vjp(g, p, OverlapMode.GIOU, false, 1e-6, up).bboxes1()));
  }

  @Test
  void codersFromEightThreads() throws Exception {
    float[] pr = Arrays.copyOf(priors(), 4 * 500);
    float[] gt = new float[pr.length];
    Random rnd = new Random(5);
    for (int i = 0; i < gt.length; i++) {
      gt[i] = pr[i] + rnd.nextFloat() * 6 - 3;
    }
    INDArray p = Tensors.create(pr, DataType.FLOAT, 500, 4);
    INDArray g = Tensors.create(gt, DataType.FLOAT, 500, 4);
    for (BBoxCoder coder : new BBoxCoder[] {new DeltaXYWHBBoxCoder(), new TBLRBBoxCoder(4.0, true)}) {
      assertConcurrentEqualsSerial(coder.toString(), () -> {
        INDArray t = coder.encode(p, g);
        return bits(t, coder.decode(p, t, new int[] {200, 260}), coder.decodeVjp(p, t, new int[] {200, 260}, g));
      });
    }
  }

  @Test
  void assignersAndAnchorsFromEightThreads() throws Exception {
    float[] gt = gts(12);
    int[] labels = new int[12];
    for (int j = 0; j < labels.length; j++) {
      labels[j] = j % 5;
    }
    MaxIoUAssigner maxIou = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withMinPosIou(0));
    ATSSAssigner atss = new ATSSAssigner(ATSSAssigner.Params.of(9));
    assertConcurrentEqualsSerial("anchors + assigners", () -> {
      float[] p = priors();
      return bits(p, maxIou.assign(p, gt, null, labels), atss.assign(p, levelCounts(), gt, null, labels));
    });
  }

  @Test
  void multiclassNmsFromEightThreads() throws Exception {
    Random rnd = new Random(9);
    int n = 600;
    float[] scores = new float[n * 4];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = rnd.nextFloat();
    }
    INDArray boxes = Tensors.create(Arrays.copyOf(priors(), 4 * n), DataType.FLOAT, n, 4);
    INDArray s = Tensors.create(scores, DataType.FLOAT, n, 4);
    NmsConfig cfg = NmsConfig.of(0.5);
    assertConcurrentEqualsSerial("multiclass_nms", () -> {
      MulticlassNmsResult r = Nms.multiclassNms(boxes, s, 0.05, cfg, 100, null);
      return bits(r.dets(), r.labelArray(), r.indArray());
    });
  }
}
