package io.detkit.bench;

import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.tensor.Tensors;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What {@link BboxOverlapsBench#api()} costs a caller that drops each result, and why: calls
 * {@code bbox_overlaps(20 gts, 182,403 anchors)} {@code calls} times and prints, over the last three
 * quarters, the p50/p90 per call, the minor page faults per call (from {@code /proc/self/stat}:
 * 3,564 means every page of the 14.6 MB output was fresh memory) and the garbage collections (only
 * a collection lets ND4J free dropped outputs). With {@code close} each output is closed instead;
 * with {@code periodic=MS} outputs are dropped with ND4J's periodic collection on (at most one
 * {@code System.gc()} every MS ms).
 *
 * <p>It uses only API that ad27d95 had too, so it compiles against an old build's class path for an
 * A/B run: {@code java ... io.detkit.bench.OverlapReleaseProbe 400 [close|periodic=MS]}. Linux only.
 */
public final class OverlapReleaseProbe {
  private OverlapReleaseProbe() {}

  public static void main(String[] args) throws Exception {
    int calls = Integer.parseInt(args[0]);
    String mode = args.length > 1 ? args[1] : "dropped";
    boolean close = mode.equals("close");
    if (mode.startsWith("periodic=")) {
      // ND4J's own remedy for buffers left to the collector: a System.gc() at most every N ms.
      Nd4j.getMemoryManager().togglePeriodicGc(true);
      Nd4j.getMemoryManager().setAutoGcWindow(Integer.parseInt(mode.substring("periodic=".length())));
    }
    float[] g = CocoScale.gtBoxes(20, CocoScale.GT_SEED);
    float[] a = CocoScale.anchors(CocoScale.retinaAnchorGenerator());
    INDArray gt = Tensors.create(g, DataType.FLOAT, 20, 4);
    INDArray anchors = Tensors.create(a, DataType.FLOAT, a.length / 4, 4);
    int from = calls / 4;
    double[] ms = new double[calls - from];
    long faults0 = 0;
    long gcs0 = 0;
    for (int i = 0; i < calls; i++) {
      if (i == from) {
        faults0 = minorFaults();
        gcs0 = collections();
      }
      long t0 = System.nanoTime();
      INDArray r = BboxOverlaps.bboxOverlaps(gt, anchors);
      if (i >= from) {
        ms[i - from] = (System.nanoTime() - t0) / 1e6;
      }
      if (close) {
        r.close();
      }
    }
    long faults = minorFaults() - faults0;
    Arrays.sort(ms);
    System.out.printf("%s: p50 %.1f ms, p90 %.1f ms; %d minor faults a call; %d collections in %d calls%n",
        mode, ms[ms.length / 2], ms[ms.length * 9 / 10], faults / ms.length,
        collections() - gcs0, ms.length);
  }

  private static long minorFaults() throws Exception {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    // Fields after the command name: state is the first, minflt the eighth.
    return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
  }

  private static long collections() {
    long n = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += b.getCollectionCount();
    }
    return n;
  }
}
