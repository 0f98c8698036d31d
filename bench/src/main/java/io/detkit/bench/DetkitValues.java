package io.detkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.nms.MulticlassNmsResult;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.HeadLoss;
import io.detkit.losses.LossResult;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs every benchmark case once and writes what it computed (loss values, the heads' gradient
 * absolute sums per output, positive counts, detection counts) to {@code detkit_values.json}, so {@code bench/pytorch_bench.py} can check
 * that PyTorch computed the same thing before comparing times. Usage: {@code DetkitValues <dir>
 * [heads]} (a comma list of {@link BenchHeads#HEADS}; default all of them).
 */
public final class DetkitValues {
  private DetkitValues() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      throw new IllegalArgumentException("usage: DetkitValues <output dir> [head,head,...]; got " + args.length
          + " arguments");
    }
    List<String> heads = args.length > 1 ? List.of(args[1].split(",")) : BenchHeads.HEADS;
    Map<String, Object> v = new LinkedHashMap<>();
    for (int n : new int[] {20, 100}) {
      BboxOverlapsBench o = new BboxOverlapsBench();
      o.numGts = n;
      o.setUp();
      v.put("bbox_overlaps_" + n + "_sum", sum(Tensors.toDoubles(o.apiDropped())));
      AssignerBench a = new AssignerBench();
      a.numGts = n;
      a.setUp();
      AssignResult m = a.maxIoU();
      v.put("maxiou_" + n + "_pos", m.numPositive());
      v.put("maxiou_" + n + "_neg", m.numNegative());
      v.put("atss_" + n + "_pos", a.atss().numPositive());
    }
    LossBench l = new LossBench();
    l.setUp();
    LossResult focal = l.focalLoss();
    v.put("focal_value", focal.scalar());
    v.put("focal_grad_abs_sum", absSum(Tensors.toDoubles(focal.gradPred())));
    v.put("giou_value", l.giouLoss().scalar());
    NmsBench nb = new NmsBench();
    nb.setUp();
    MulticlassNmsResult r = nb.multiclassNms();
    v.put("nms_kept", r.size());
    v.put("nms_score_sum", sum(Tensors.toDoubles(r.dets().getColumn(4))));
    for (String head : heads) {
      for (int batch : new int[] {1, 2}) {
        HeadState s = new HeadState();
        s.head = head;
        s.batch = batch;
        s.setUp();
        HeadLoss loss = s.benchHead.step(s.outputs, s.gts, s.metas);
        String prefix = head + "_b" + batch + "_";
        for (String name : loss.names()) {
          v.put(prefix + name, loss.sum(name));
        }
        for (String name : loss.grads().names()) {
          double g = 0;
          for (INDArray level : loss.grads().get(name)) {
            g += absSum(Tensors.toDoubles(level));
          }
          v.put(prefix + "grad_abs_sum_" + name, g);
        }
        loss.close();
        v.put(prefix + "num_pos", s.benchHead.positives(s.outputs, s.gts, s.metas));
        s.tearDown();
      }
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(Path.of(args[0]).resolve("detkit_values.json").toFile(), v);
  }

  private static double sum(double[] d) {
    double s = 0;
    for (double x : d) {
      s += x;
    }
    return s;
  }

  private static double absSum(double[] d) {
    double s = 0;
    for (double x : d) {
      s += Math.abs(x);
    }
    return s;
  }
}
