package io.detkit.heads;

import com.fasterxml.jackson.databind.JsonNode;
import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.ComponentRunner;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs the golden cases of the anchor heads: {@code loss + get_targets} (targets, losses, gradients),
 * its summary-only variant on generated head outputs, and {@code get_bboxes}.
 */
final class HeadRunner implements ComponentRunner {
  private static final String LOSS = "loss + get_targets";
  private static final String SUMMARY = "loss + get_targets (summary only)";
  private static final String GET_BBOXES = "get_bboxes";

  @Override
  public Set<String> components() {
    return Set.of("AnchorHead", "RPNHead", "RetinaHead", "ATSSHead");
  }

  @Override
  public CaseOutputs run(GoldenCase c) {
    AnchorHead head = Heads.build(c.config(), AnchorHead.class);
    List<ImageMeta> metas = ImageMeta.listFromConfig(c.call().getList("img_metas"));
    return switch (c.method()) {
      case LOSS -> runLoss(c, head, metas, false);
      case SUMMARY -> runLoss(c, head, metas, true);
      case GET_BBOXES -> runGetBboxes(c, head, metas);
      default -> throw new UnsupportedCaseException(c.id() + ": unknown head call '" + c.method() + "'");
    };
  }

  /**
   * The head outputs the case provides, as many levels as it has ({@code <name>_l0, _l1, ...}), so
   * that a case with a wrong level count reaches the head's own check.
   */
  private static HeadOutputs outputs(GoldenCase c, AnchorHead head, boolean generated) {
    HeadOutputs out = HeadOutputs.empty();
    JsonNode gen = c.raw().path("call").path("generated_inputs");
    for (String name : head.outputNames()) {
      List<INDArray> levels = new ArrayList<>();
      for (int l = 0; generated ? gen.has(name + "_l" + l) : c.hasInput(name + "_l" + l); l++) {
        String key = name + "_l" + l;
        if (generated) {
          JsonNode spec = gen.get(key);
          float[] v = GeneratedInputs.build(c.id() + " " + key, spec);
          long[] shape = new long[spec.get("shape").size()];
          for (int i = 0; i < shape.length; i++) {
            shape[i] = spec.get("shape").get(i).asLong();
          }
          levels.add(Tensors.create(v, c.precision(), shape));
        } else {
          levels.add(c.input(key));
        }
      }
      if (levels.isEmpty()) {
        throw new UnsupportedCaseException(c.id() + ": no input '" + name + "_l0' for " + head.type());
      }
      out = out.with(name, levels);
    }
    return out;
  }

  private static List<GroundTruth> groundTruths(GoldenCase c, int numImages) {
    List<GroundTruth> gts = new ArrayList<>();
    for (int j = 0; j < numImages; j++) {
      INDArray boxes = c.input("gt_bboxes_img" + j);
      INDArray labels = c.hasInput("gt_labels_img" + j) ? c.input("gt_labels_img" + j) : null;
      INDArray ignore = c.hasInput("gt_bboxes_ignore_img" + j) ? c.input("gt_bboxes_ignore_img" + j) : null;
      gts.add(GroundTruth.of(boxes, labels, ignore));
    }
    return gts;
  }

  /** Everything a loss case can ask for, by output name, and the gradients. */
  record Produced(Map<String, Object> outputs, HeadOutputs grads, HeadTargets targets, HeadOutputs inputs) {}

  /** Runs a loss case and returns every output it knows (not only the expected ones). */
  static Produced produceLoss(GoldenCase c) {
    AnchorHead head = Heads.build(c.config(), AnchorHead.class);
    List<ImageMeta> metas = ImageMeta.listFromConfig(c.call().getList("img_metas"));
    return produceLoss(c, head, metas, c.method().equals(SUMMARY));
  }

  private static CaseOutputs runLoss(GoldenCase c, AnchorHead head, List<ImageMeta> metas, boolean summary) {
    Produced p = produceLoss(c, head, metas, summary);
    Map<String, Object> produced = p.outputs();
    CaseOutputs out = new CaseOutputs();
    for (String name : c.expectedOutputs().keySet()) {
      Object v = produced.get(name);
      if (v == null) {
        throw new UnsupportedCaseException(c.id() + ": unknown head output '" + name + "'");
      }
      if (v instanceof INDArray a) {
        out.output(name, a);
      } else if (v instanceof double[] d) {
        out.output(name, d);
      } else {
        out.output(name, (Double) v);
      }
    }
    for (String input : c.expectedGrads().keySet()) {
      out.grad(input, gradOf(c, p.grads(), input));
    }
    return out;
  }

  static Produced produceLoss(GoldenCase c, AnchorHead head, List<ImageMeta> metas, boolean summary) {
    HeadOutputs outs = outputs(c, head, summary);
    List<GroundTruth> gts = groundTruths(c, metas.size());
    // call.epoch: the training epoch the trainer hands in (TOOD's two phases).
    HeadLoss loss = head.loss(outs, gts, metas, c.call().has("epoch") ? c.call().getInt("epoch") : 0);
    HeadTargets t = loss.targets().orElseThrow(() -> new AssertionError(c.id() + ": no valid anchors"));
    Map<String, Object> produced = new LinkedHashMap<>();
    for (String name : loss.names()) {
      double[] v = loss.get(name);
      for (int l = 0; l < v.length; l++) {
        produced.put(name + "_l" + l, v[l]);
      }
    }
    produced.put("total_loss", loss.total());
    produced.put("num_total_pos", (double) t.numTotalPos());
    produced.put("num_total_neg", (double) t.numTotalNeg());
    int levels = t.numLevels();
    if (summary) {
      double[] assigned = new double[t.numImages()];
      for (int j = 0; j < t.numImages(); j++) {
        for (int g : t.image(j).assignResult().gtInds()) {
          assigned[j] += g > 0 ? 1 : 0;
        }
      }
      produced.put("num_pos_assigned_per_img", assigned);
      double[] posPerLevel = new double[levels];
      double[] lwSum = new double[levels];
      double[] btAbs = new double[levels];
      for (int l = 0; l < levels; l++) {
        for (int lab : t.labelsData(l)) {
          posPerLevel[l] += lab >= 0 && lab < head.numClasses() ? 1 : 0;
        }
        for (double w : t.labelWeightsData(l)) {
          lwSum[l] += w;
        }
        for (double b : t.bboxTargetsData(l)) {
          btAbs[l] += Math.abs(b);
        }
      }
      produced.put("num_pos_per_level", posPerLevel);
      produced.put("label_weight_sum_per_level", lwSum);
      produced.put("bbox_target_abs_sum_per_level", btAbs);
      checkGradStats(c, loss.grads());
    } else {
      MultiLevelAnchors anchors = head.getAnchors(anchorsSizes(outs), metas, outs.clsScores().get(0).dataType());
      for (int l = 0; l < levels; l++) {
        produced.put("anchors_l" + l, anchors.anchors(l));
        produced.put("labels_l" + l, t.labels(l));
        produced.put("label_weights_l" + l, t.labelWeights(l));
        produced.put("bbox_targets_l" + l, t.bboxTargets(l));
        produced.put("bbox_weights_l" + l, t.bboxWeights(l));
        int level = l;
        t.anchors(l).ifPresent(a -> produced.put("targets_anchors_l" + level, a));
        for (int j = 0; j < metas.size(); j++) {
          produced.put("valid_flags_img" + j + "_l" + l, flags(anchors.validFlags(j, l)));
        }
      }
      for (int j = 0; j < metas.size(); j++) {
        ImageTargets it = t.image(j);
        produced.put("aux_inside_flags_img" + j, flags(it.insideFlags()));
        produced.put("aux_assigned_gt_inds_img" + j, Tensors.createLong(it.assignResult().gtInds(),
            it.assignResult().size()));
        produced.put("aux_assign_max_overlaps_img" + j, it.assignResult().maxOverlapsArray(c.precision()));
      }
    }
    return new Produced(produced, loss.grads(), t, outs);
  }

  private static List<int[]> anchorsSizes(HeadOutputs outs) {
    List<int[]> sizes = new ArrayList<>();
    for (INDArray a : outs.clsScores()) {
      sizes.add(new int[] {(int) a.size(2), (int) a.size(3)});
    }
    return sizes;
  }

  private static INDArray gradOf(GoldenCase c, HeadOutputs grads, String input) {
    int cut = input.lastIndexOf("_l");
    if (cut < 0) {
      throw new UnsupportedCaseException(c.id() + ": unknown gradient input '" + input + "'");
    }
    String name = input.substring(0, cut);
    int level = Integer.parseInt(input.substring(cut + 2));
    if (!grads.has(name)) {
      throw new UnsupportedCaseException(c.id() + ": no gradient for '" + input + "'");
    }
    return grads.get(name, level);
  }

  private static INDArray flags(boolean[] f) {
    long[] v = new long[f.length];
    for (int i = 0; i < f.length; i++) {
      v[i] = f[i] ? 1 : 0;
    }
    return Tensors.createLong(v, v.length);
  }

  /** Checks {@code invariants.grad_stats_<input>} (sum, abs_sum, l2, max_abs, numel) of the gradients. */
  static void checkGradStats(GoldenCase c, HeadOutputs grads) {
    Config inv = c.invariants();
    GoldenCase.Tolerance tol = c.tolerance();
    int checked = 0;
    for (String key : inv.keys()) {
      if (!key.startsWith("grad_stats_")) {
        continue;
      }
      Config stats = inv.getConfig(key);
      double[] g = Tensors.toDoubles(gradOf(c, grads, key.substring("grad_stats_".length())));
      double sum = 0;
      double abs = 0;
      double sq = 0;
      double max = 0;
      for (double v : g) {
        sum += v;
        abs += Math.abs(v);
        sq += v * v;
        max = Math.max(max, Math.abs(v));
      }
      if (stats.getLong("numel") != g.length) {
        throw new AssertionError(c.id() + " " + key + ": numel " + g.length + ", expected " + stats.getLong("numel"));
      }
      double[] actual = {sum, abs, Math.sqrt(sq), max};
      String[] names = {"sum", "abs_sum", "l2", "max_abs"};
      for (int i = 0; i < names.length; i++) {
        double e = stats.getDouble(names[i]);
        if (!tol.accepts(actual[i], e)) {
          throw new AssertionError(c.id() + " " + key + "." + names[i] + ": " + actual[i] + ", expected " + e);
        }
      }
      checked++;
    }
    if (checked == 0) {
      throw new AssertionError(c.id() + ": a summary case without grad_stats invariants");
    }
  }

  static CaseOutputs runGetBboxes(GoldenCase c, AnchorHead head, List<ImageMeta> metas) {
    Config call = c.call();
    String factors = call.getString("score_factors", null);
    HeadOutputs outs = outputs(c, head, false);
    if ((factors != null) != (head.scoreFactorName() != null)
        || (factors != null && !factors.equals(head.scoreFactorName()))) {
      throw new UnsupportedCaseException(c.id() + ": score_factors '" + factors + "' but " + head.type() + " uses "
          + head.scoreFactorName());
    }
    TestConfig cfg = call.isNull("cfg") ? null : TestConfig.fromConfig(call.getConfig("cfg"));
    List<Detections> dets = head.predict(outs, metas, cfg, call.getBoolean("rescale", false),
        call.getBoolean("with_nms", true));
    CaseOutputs out = new CaseOutputs();
    Config inv = c.invariants();
    for (int j = 0; j < dets.size(); j++) {
      Detections d = dets.get(j);
      if (inv.has("num_dets_img" + j) && inv.getLong("num_dets_img" + j) != d.size()) {
        throw new AssertionError(c.id() + ": image " + j + " has " + d.size() + " detections, expected "
            + inv.getLong("num_dets_img" + j));
      }
    }
    for (Map.Entry<String, GoldenCase.Expected> e : c.expectedOutputs().entrySet()) {
      String name = e.getKey();
      Detections d = dets.get(imageOf(c, name));
      String kind = name.substring(0, name.lastIndexOf("_img"));
      long[] shape = e.getValue().shape();
      switch (kind) {
        // Without NMS MMDetection returns boxes, scores and labels separately.
        case "det_bboxes", "bboxes", "mlvl_bboxes" ->
            out.output(name, shape.length == 2 && shape[1] == 4 ? d.bboxes() : d.detBboxes());
        case "det_scores", "scores", "mlvl_scores" -> out.output(name, d.scores());
        case "det_labels", "labels", "mlvl_labels" -> out.output(name, d.labels());
        default -> throw new UnsupportedCaseException(c.id() + ": unknown get_bboxes output '" + name + "'");
      }
    }
    return out;
  }

  private static int imageOf(GoldenCase c, String name) {
    int cut = name.lastIndexOf("_img");
    if (cut < 0) {
      throw new UnsupportedCaseException(c.id() + ": unknown output '" + name + "'");
    }
    return Integer.parseInt(name.substring(cut + 4));
  }
}
