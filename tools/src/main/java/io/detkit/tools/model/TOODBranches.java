package io.detkit.tools.model;

import io.detkit.heads.HeadOutputs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.nd4j.linalg.activations.Activation;

/**
 * MMDetection's TOOD head network (the task-aligned head, anchor-free form) on one level:
 * <ol>
 *   <li>{@code stacked_convs} shared 3x3 ConvModules ({@code inter_convs}), their outputs
 *       concatenated into the task-interactive features {@code [N, S*F, H, W]};
 *   <li>task decomposition, once for classification and once for regression: a layer attention
 *       (global average, 1x1 conv to {@code F/8} + ReLU, 1x1 conv to {@code S} + sigmoid) weighting
 *       each convolution's channels ({@link LayerAttention}), then a 1x1 ConvModule to {@code F};
 *   <li>classification: a 3x3 conv to the class logits, and the alignment map (1x1 conv to
 *       {@code F/4} + ReLU, 3x3 conv to 1 logit) on the interactive features; the scores are their
 *       sigmoids' geometric mean ({@link SigmoidGeometricMean}), probabilities;
 *   <li>regression: a 3x3 conv, {@code exp}, the level's {@link Scale}, distances to boxes around
 *       the prior centres in stride units ({@link PointBoxes}), then each box side re-sampled at a
 *       learned offset (1x1 conv to {@code F/4} + ReLU, 3x3 conv to 8 offsets) by bilinear
 *       interpolation ({@link DeformSampling}), MMDetection's deformable sampling.
 * </ol>
 * Initialisation as MMDetection's: N(0, 0.01) for the convolutions, N(0, 0.001) for the layer
 * attention and the offsets, the class and alignment biases at {@code -log(99)}. Immutable.
 */
final class TOODBranches implements HeadBranches {
  private final TowerSettings towers;
  private final int clsChannels;
  private final double[][] priorOffsets;

  /**
   * @param clsChannels class channels ({@code A * C}, A = 1)
   * @param priorOffsets per level the prior centre of cell (0, 0) divided by the stride, (x, y)
   */
  TOODBranches(TowerSettings towers, int clsChannels, double[][] priorOffsets) {
    if (towers.stackedConvs() <= 0 || towers.featChannels() % 8 != 0) {
      throw new IllegalArgumentException("TOOD needs stacked_convs > 0 and feat_channels divisible by 8; got "
          + towers.stackedConvs() + " and " + towers.featChannels());
    }
    this.towers = towers;
    this.clsChannels = clsChannels;
    this.priorOffsets = priorOffsets.clone();
  }

  @Override
  public int inChannels() {
    return towers.inChannels();
  }

  @Override
  public List<String> outputKinds() {
    return List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS);
  }

  private int interChannels() {
    return towers.featChannels() * towers.stackedConvs();
  }

  @Override
  public Map<String, String> addTo(GraphBuilder g, String input, int level) {
    String sfx = "@" + level;
    int feat = towers.featChannels();
    List<String> inter = towers.addTower(g, "bbox_head.inter_convs", sfx, input);
    String stacked = inter.get(0);
    if (inter.size() > 1) {
      stacked = "bbox_head.inter_feats" + sfx;
      g.addVertex(stacked, new MergeVertex(), inter.toArray(new String[0]));
    }
    String avg = "bbox_head.avg_feat" + sfx;
    g.addLayer(avg, new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(false).build(), stacked);
    String clsFeat = decomposition(g, "bbox_head.cls_decomp", sfx, stacked, avg);
    String regFeat = decomposition(g, "bbox_head.reg_decomp", sfx, stacked, avg);

    String logits = "bbox_head.tood_cls" + sfx;
    g.addLayer(logits, Layers.conv(3, 1, feat, clsChannels, Activation.IDENTITY, Layers.Init.NORMAL_001,
        DenseHeadBranches.CLS_BIAS), clsFeat);
    String prob = smallBranch(g, "bbox_head.cls_prob_module", sfx, stacked, 1, Layers.Init.NORMAL_001,
        DenseHeadBranches.CLS_BIAS);
    String scores = "bbox_head.cls_score" + sfx;
    g.addVertex(scores, new SigmoidGeometricMean(), logits, prob);

    String dist = "bbox_head.tood_reg" + sfx;
    g.addLayer(dist, Layers.conv(3, 1, feat, 4, Activation.IDENTITY, Layers.Init.NORMAL_001, 0), regFeat);
    g.addVertex(dist + ".exp", new Exp(), dist);
    String scaled = "bbox_head.scales." + level;
    g.addLayer(scaled, Scale.of(1.0), dist + ".exp");
    String boxes = "bbox_head.reg_bbox" + sfx;
    g.addVertex(boxes, new PointBoxes(priorOffsets[level][0], priorOffsets[level][1]), scaled);
    String offsets = smallBranch(g, "bbox_head.reg_offset_module", sfx, stacked, 8, Layers.Init.NORMAL_0001, 0);
    String sampled = "bbox_head.bbox_pred" + sfx;
    g.addVertex(sampled, new DeformSampling(), boxes, offsets);

    Map<String, String> out = new LinkedHashMap<>();
    out.put(HeadOutputs.CLS_SCORES, scores);
    out.put(HeadOutputs.BBOX_PREDS, sampled);
    return out;
  }

  /** Layer attention over {@code stacked}, then the 1x1 reduction ConvModule; returns its output. */
  private String decomposition(GraphBuilder g, String name, String sfx, String stacked, String avg) {
    int s = towers.stackedConvs();
    int in = interChannels();
    // MMDetection's la_down_rate is 8 * stacked_convs: the attention's hidden width is F / 8.
    int hidden = in / (8 * s);
    g.addLayer(name + ".layer_attention.0" + sfx, Layers.conv(1, 1, in, hidden, Activation.RELU,
        Layers.Init.NORMAL_0001, 0), avg);
    g.addLayer(name + ".layer_attention.2" + sfx, Layers.conv(1, 1, hidden, s, Activation.SIGMOID,
        Layers.Init.NORMAL_0001, 0), name + ".layer_attention.0" + sfx);
    g.addVertex(name + ".attended" + sfx, new LayerAttention(s), stacked, name + ".layer_attention.2" + sfx);
    return Layers.convModule(g, name + ".reduction_conv", sfx, name + ".attended" + sfx, 1, 1, in,
        towers.featChannels(), Layers.Init.NORMAL_001, towers.normGroups());
  }

  /** A 1x1 conv to {@code F/4} + ReLU, then a 3x3 conv to {@code out} channels. */
  private String smallBranch(GraphBuilder g, String name, String sfx, String stacked, int out, Layers.Init init,
      double bias) {
    int hidden = towers.featChannels() / 4;
    g.addLayer(name + ".0" + sfx, Layers.conv(1, 1, interChannels(), hidden, Activation.RELU, init, 0), stacked);
    g.addLayer(name + ".2" + sfx, Layers.conv(3, 1, hidden, out, Activation.IDENTITY, init, bias), name + ".0" + sfx);
    return name + ".2" + sfx;
  }

  @Override
  public List<String> sharedLayerNames() {
    List<String> names = new ArrayList<>(towers.towerLayerNames("bbox_head.inter_convs"));
    for (String task : List.of("bbox_head.cls_decomp", "bbox_head.reg_decomp")) {
      names.add(task + ".layer_attention.0");
      names.add(task + ".layer_attention.2");
      names.addAll(Layers.convModuleLayerNames(task + ".reduction_conv", towers.normGroups()));
    }
    for (String branch : List.of("bbox_head.cls_prob_module", "bbox_head.reg_offset_module")) {
      names.add(branch + ".0");
      names.add(branch + ".2");
    }
    names.add("bbox_head.tood_cls");
    names.add("bbox_head.tood_reg");
    return names;
  }
}
