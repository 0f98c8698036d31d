package io.detkit.heads;

import com.fasterxml.jackson.databind.JsonNode;
import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.ComponentRunner;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.anchorfree.FCOSHead;
import io.detkit.heads.anchorfree.FCOSLoss;
import io.detkit.heads.anchorfree.FCOSTargets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs the golden cases of {@code FCOSHead} through the public anchor-free API only: the loss cases
 * (targets, losses, the loss's intermediate values, gradients), the summary case on generated
 * outputs, and {@code get_bboxes}.
 */
final class FCOSHeadRunner implements ComponentRunner {
  private static final String LOSS = "loss + get_targets";
  private static final String SUMMARY = "loss + get_targets (summary only)";

  @Override
  public Set<String> components() {
    return Set.of("FCOSHead");
  }

  @Override
  public CaseOutputs run(GoldenCase c) {
    FCOSHead head = Heads.build(c.config(), FCOSHead.class);
    List<ImageMeta> metas = ImageMeta.listFromConfig(c.call().getList("img_metas"));
    return switch (c.method()) {
      case LOSS, SUMMARY -> runLoss(c, head, metas, c.method().equals(SUMMARY));
      case "get_bboxes" -> runGetBboxes(c, head, metas);
      default -> throw new UnsupportedCaseException(c.id() + ": unknown FCOSHead call '" + c.method() + "'");
    };
  }

  /** Stored or generated ({@code call.generated_inputs}) head outputs, as many levels as the case has. */
  static HeadOutputs outputs(GoldenCase c, List<String> names, boolean generated) {
    HeadOutputs out = HeadOutputs.empty();
    JsonNode gen = c.raw().path("call").path("generated_inputs");
    for (String name : names) {
      List<INDArray> levels = new ArrayList<>();
      for (int l = 0; generated ? gen.has(name + "_l" + l) : c.hasInput(name + "_l" + l); l++) {
        String key = name + "_l" + l;
        if (generated) {
          JsonNode spec = gen.get(key);
          long[] shape = new long[spec.get("shape").size()];
          for (int i = 0; i < shape.length; i++) {
            shape[i] = spec.get("shape").get(i).asLong();
          }
          levels.add(Tensors.create(GeneratedInputs.build(c.id() + " " + key, spec), c.precision(), shape));
        } else {
          levels.add(c.input(key));
        }
      }
      if (levels.isEmpty()) {
        throw new UnsupportedCaseException(c.id() + ": no input '" + name + "_l0'");
      }
      out = out.with(name, levels);
    }
    return out;
  }

  static List<GroundTruth> groundTruths(GoldenCase c, int numImages) {
    boolean ignoreGiven = c.call().getBoolean("gt_bboxes_ignore_given", false);
    List<GroundTruth> gts = new ArrayList<>();
    for (int j = 0; j < numImages; j++) {
      INDArray ignore = ignoreGiven && c.hasInput("gt_bboxes_ignore_img" + j) ? c.input("gt_bboxes_ignore_img" + j)
          : null;
      gts.add(GroundTruth.of(c.input("gt_bboxes_img" + j), c.input("gt_labels_img" + j), ignore));
    }
    return gts;
  }

  private static CaseOutputs runLoss(GoldenCase c, FCOSHead head, List<ImageMeta> metas, boolean summary) {
    HeadOutputs outs = outputs(c, head.outputNames(), summary);
    FCOSLoss r = head.lossWithDetails(outs, groundTruths(c, metas.size()), metas);
    HeadLoss loss = r.loss();
    FCOSTargets t = r.targets();
    Map<String, Object> produced = new LinkedHashMap<>();
    for (String name : loss.names()) {
      produced.put(name, loss.sum(name));
    }
    produced.put("total_loss", loss.total());
    produced.put("aux_num_pos", r.numPos());
    produced.put("aux_centerness_denorm", r.centernessDenorm());
    produced.put("aux_pos_inds", Tensors.createLong(r.posInds(), r.posInds().length));
    produced.put("centerness_targets", Tensors.create(r.centernessTargets(), c.precision(),
        r.centernessTargets().length));
    produced.put("aux_pos_decoded_bbox_preds", r.posDecodedBboxPreds());
    produced.put("aux_pos_decoded_bbox_targets", r.posDecodedBboxTargets());
    List<int[]> sizes = new ArrayList<>();
    for (INDArray a : outs.clsScores()) {
      sizes.add(new int[] {(int) a.size(2), (int) a.size(3)});
    }
    List<double[]> points = head.points(sizes, c.precision());
    int levels = t.numLevels();
    double[] posPerLevel = new double[levels];
    double[] absPerLevel = new double[levels];
    for (int l = 0; l < levels; l++) {
      produced.put("points_l" + l, Tensors.create(points.get(l), c.precision(), points.get(l).length / 2, 2));
      produced.put("labels_l" + l, t.labels(l));
      produced.put("bbox_targets_l" + l, t.bboxTargets(l));
      for (int v : t.labelsData(l)) {
        posPerLevel[l] += v >= 0 && v < head.numClasses() ? 1 : 0;
      }
      for (double v : t.bboxTargetsData(l)) {
        absPerLevel[l] += Math.abs(v);
      }
    }
    double[] perImage = new double[t.numImages()];
    for (int j = 0; j < perImage.length; j++) {
      perImage[j] = t.numPositive(j, head.numClasses());
    }
    double ctrSum = 0;
    for (double v : r.centernessTargets()) {
      ctrSum += v;
    }
    produced.put("num_pos_assigned_per_img", perImage);
    produced.put("num_pos_per_level", posPerLevel);
    produced.put("bbox_target_abs_sum_per_level", absPerLevel);
    produced.put("centerness_target_sum", ctrSum);
    checkCounts(c, head.numClasses(), r.posInds().length);
    if (summary) {
      HeadRunner.checkGradStats(c, loss.grads());
    }
    return select(c, produced, loss.grads());
  }

  /**
   * The expected outputs taken from {@code produced} (an expected None where nothing was produced)
   * and the expected gradients from {@code grads}.
   */
  static CaseOutputs select(GoldenCase c, Map<String, Object> produced, HeadOutputs grads) {
    CaseOutputs out = new CaseOutputs();
    for (Map.Entry<String, GoldenCase.Expected> e : c.expectedOutputs().entrySet()) {
      String name = e.getKey();
      Object v = produced.get(name);
      if (v == null && e.getValue().isNone()) {
        out.none(name);
      } else if (v == null) {
        throw new UnsupportedCaseException(c.id() + ": unknown " + c.component() + " output '" + name + "'");
      } else if (v instanceof INDArray a) {
        out.output(name, a);
      } else if (v instanceof double[] d) {
        out.output(name, d);
      } else {
        out.output(name, (Double) v);
      }
    }
    for (String input : c.expectedGrads().keySet()) {
      int cut = input.lastIndexOf("_l");
      String name = cut < 0 ? input : input.substring(0, cut);
      if (cut < 0 || !grads.has(name)) {
        throw new UnsupportedCaseException(c.id() + ": no gradient for '" + input + "'");
      }
      out.grad(input, grads.get(name, Integer.parseInt(input.substring(cut + 2))));
    }
    return out;
  }

  /** The count invariants of a point-head loss case ({@code grad_stats_*} are checked elsewhere). */
  static void checkCounts(GoldenCase c, int numClasses, int numPos) {
    Config inv = c.invariants();
    for (String key : inv.keys()) {
      if (key.startsWith("grad_stats_")) {
        continue;
      }
      long actual = switch (key) {
        case "cls_out_channels" -> numClasses;
        case "num_pos" -> numPos;
        default -> throw new UnsupportedCaseException(c.id() + ": unknown invariant '" + key + "'");
      };
      if (actual != inv.getLong(key)) {
        throw new AssertionError(c.id() + ": invariant " + key + " expected " + inv.getLong(key) + ", got " + actual);
      }
    }
  }

  private static CaseOutputs runGetBboxes(GoldenCase c, FCOSHead head, List<ImageMeta> metas) {
    Config call = c.call();
    String factors = call.getString("score_factors", null);
    if (factors != null && !factors.equals(head.scoreFactorName())) {
      throw new UnsupportedCaseException(c.id() + ": score_factors '" + factors + "' but FCOSHead uses "
          + head.scoreFactorName());
    }
    TestConfig cfg = call.isNull("cfg") ? null : TestConfig.fromConfig(call.getConfig("cfg"));
    List<Detections> dets = head.predict(outputs(c, head.outputNames(), false), metas, cfg,
        call.getBoolean("rescale", false), call.getBoolean("with_nms", true));
    Config inv = c.invariants();
    for (int j = 0; j < dets.size(); j++) {
      if (inv.has("num_dets_img" + j) && inv.getLong("num_dets_img" + j) != dets.get(j).size()) {
        throw new AssertionError(c.id() + ": image " + j + " has " + dets.get(j).size() + " detections, expected "
            + inv.getLong("num_dets_img" + j));
      }
    }
    CaseOutputs out = new CaseOutputs();
    for (Map.Entry<String, GoldenCase.Expected> e : c.expectedOutputs().entrySet()) {
      String name = e.getKey();
      int cut = name.lastIndexOf("_img");
      Detections d = dets.get(Integer.parseInt(name.substring(cut + 4)));
      long[] shape = e.getValue().shape();
      switch (name.substring(0, cut)) {
        case "det_bboxes", "bboxes", "mlvl_bboxes" ->
            out.output(name, shape.length == 2 && shape[1] == 4 ? d.bboxes() : d.detBboxes());
        case "det_scores", "scores", "mlvl_scores" -> out.output(name, d.scores());
        case "det_labels", "labels", "mlvl_labels" -> out.output(name, d.labels());
        default -> throw new UnsupportedCaseException(c.id() + ": unknown get_bboxes output '" + name + "'");
      }
    }
    return out;
  }
}
