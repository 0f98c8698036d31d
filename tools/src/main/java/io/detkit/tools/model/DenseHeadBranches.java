package io.detkit.tools.model;

import io.detkit.heads.HeadOutputs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * The head network of MMDetection's RetinaHead, ATSSHead, GFLHead and FCOSHead (and, without
 * towers, the plain AnchorHead): per level a classification tower and a regression tower of
 * {@link TowerSettings#stackedConvs} ConvModules, then prediction convolutions: the class logits
 * on the classification tower, the regression output on the regression tower, optionally followed
 * by a per-level {@link Scale} and an activation, and optionally a centerness logit on either
 * tower. Weights start from N(0, 0.01), the class bias from {@code -log(99)} (prior probability
 * 0.01), as in MMDetection. Which parts a head gets is decided in {@link HeadNetworks}. Immutable.
 */
final class DenseHeadBranches implements HeadBranches {
  /** MMDetection's {@code bias_init_with_prob(0.01)}. */
  static final double CLS_BIAS = -Math.log((1 - 0.01) / 0.01);

  /** Which tower feeds the centerness convolution, if any. */
  enum Centerness { NONE, ON_REG, ON_CLS }

  /** What follows the (scaled) regression convolution. */
  enum RegActivation {
    /** Raw output (box deltas, distributions). */
    IDENTITY,
    /** {@code exp}: positive distances (FCOS without {@code norm_on_bbox}). */
    EXP,
    /** {@code relu}: non-negative distances in stride units (FCOS's {@code norm_on_bbox}). */
    RELU
  }

  private final TowerSettings towers;
  private final int predKernel;
  private final int clsChannels;
  private final int regChannels;
  private final int centernessChannels;
  private final Centerness centerness;
  private final boolean scale;
  private final RegActivation regActivation;
  private final boolean inferenceTimesStride;

  /**
   * @param predKernel 3 after towers, 1 for the tower-less AnchorHead
   * @param centernessChannels channels of the centerness output (ignored for {@code NONE})
   * @param scale whether each level's regression output passes a {@link Scale}
   * @param inferenceTimesStride whether inference multiplies the regression output by the level's
   *     stride (FCOS's {@code norm_on_bbox}: trained in stride units, predicted in pixels)
   */
  DenseHeadBranches(TowerSettings towers, int predKernel, int clsChannels, int regChannels, Centerness centerness,
      int centernessChannels, boolean scale, RegActivation regActivation, boolean inferenceTimesStride) {
    this.towers = towers;
    this.predKernel = predKernel;
    this.clsChannels = clsChannels;
    this.regChannels = regChannels;
    this.centerness = centerness;
    this.centernessChannels = centernessChannels;
    this.scale = scale;
    this.regActivation = regActivation;
    this.inferenceTimesStride = inferenceTimesStride;
  }

  @Override
  public int inChannels() {
    return towers.inChannels();
  }

  /** Whether each level's regression output passes a {@link Scale}. */
  boolean hasScale() {
    return scale;
  }

  @Override
  public List<String> outputKinds() {
    List<String> kinds = new ArrayList<>(List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS));
    if (centerness != Centerness.NONE) {
      kinds.add(HeadOutputs.CENTERNESSES);
    }
    return kinds;
  }

  @Override
  public Map<String, String> addTo(GraphBuilder g, String input, int level) {
    return addLevelOutputs(g, addConvs(g, input, "@" + level, null), level);
  }

  /**
   * With GN towers (the normalization clears the canvas's gaps between the tower convolutions) and
   * prediction kernels that reach no further than the gap (the towers' are 3x3).
   */
  @Override
  public boolean mergesLevels() {
    return towers.stackedConvs() > 0 && towers.normGroups() > 0 && predKernel / 2 <= LevelCanvas.GAP;
  }

  /**
   * The shared convolutions once, on a {@link LevelCanvas} of every level's input (the vertex
   * {@code bbox_head.levels}; layers named as MMDetection's parameters, no level suffix), then per
   * level a crop of each prediction ({@code <name>@<level>}) and the level's own layers.
   *
   * @throws IllegalStateException unless {@link #mergesLevels}: without GroupNorm nothing would clear
   *     the canvas's gaps between the convolutions, and levels would leak into each other
   */
  @Override
  public List<Map<String, String>> addLevels(GraphBuilder g, List<String> inputs, int[] strides) {
    if (!mergesLevels()) {
      // The interface's refusal; the per-level form is DetectorGraph's, with addTo.
      return HeadBranches.super.addLevels(g, inputs, strides);
    }
    LevelCanvas canvas = new LevelCanvas(strides);
    String levels = "bbox_head.levels";
    g.addVertex(levels, new LevelCanvas.Assemble(canvas.ratios()), inputs.toArray(new String[0]));
    Map<String, String> convs = addConvs(g, levels, "", canvas);
    List<Map<String, String>> out = new ArrayList<>();
    for (int l = 0; l < inputs.size(); l++) {
      Map<String, String> crops = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : convs.entrySet()) {
        String crop = e.getValue() + "@" + l;
        g.addVertex(crop, new LevelCanvas.Crop(canvas.ratios(), l), e.getValue());
        crops.put(e.getKey(), crop);
      }
      out.add(addLevelOutputs(g, crops, l));
    }
    return out;
  }

  /**
   * The towers and the prediction convolutions after {@code input}, their names ending in
   * {@code suffix}, on a canvas when {@code canvas} is given.
   *
   * @return output kind to the prediction convolution producing it
   */
  private Map<String, String> addConvs(GraphBuilder g, String input, String suffix, LevelCanvas canvas) {
    List<String> clsTower = towers.addTower(g, "bbox_head.cls_convs", suffix, input, canvas);
    List<String> regTower = towers.addTower(g, "bbox_head.reg_convs", suffix, input, canvas);
    String cls = clsTower.isEmpty() ? input : clsTower.get(clsTower.size() - 1);
    String reg = regTower.isEmpty() ? input : regTower.get(regTower.size() - 1);
    int nIn = towers.towerOutChannels();
    Map<String, String> out = new LinkedHashMap<>();
    String clsOut = "bbox_head.conv_cls" + suffix;
    g.addLayer(clsOut, Layers.conv(predKernel, 1, nIn, clsChannels, Activation.IDENTITY, Layers.Init.NORMAL_001,
        CLS_BIAS), cls);
    out.put(HeadOutputs.CLS_SCORES, clsOut);
    String regOut = "bbox_head.conv_reg" + suffix;
    g.addLayer(regOut, Layers.conv(predKernel, 1, nIn, regChannels, Activation.IDENTITY, Layers.Init.NORMAL_001, 0),
        reg);
    out.put(HeadOutputs.BBOX_PREDS, regOut);
    if (centerness != Centerness.NONE) {
      String ctr = "bbox_head.conv_centerness" + suffix;
      g.addLayer(ctr, Layers.conv(predKernel, 1, nIn, centernessChannels, Activation.IDENTITY,
          Layers.Init.NORMAL_001, 0), centerness == Centerness.ON_REG ? reg : cls);
      out.put(HeadOutputs.CENTERNESSES, ctr);
    }
    return out;
  }

  /** Level {@code level}'s own layers after its predictions: the regression's Scale and activation. */
  private Map<String, String> addLevelOutputs(GraphBuilder g, Map<String, String> predictions, int level) {
    String suffix = "@" + level;
    Map<String, String> out = new LinkedHashMap<>(predictions);
    String regOut = predictions.get(HeadOutputs.BBOX_PREDS);
    if (scale) {
      String scaled = "bbox_head.scales." + level;
      g.addLayer(scaled, Scale.of(1.0), regOut);
      regOut = scaled;
    }
    if (regActivation == RegActivation.EXP) {
      g.addVertex("bbox_head.reg_exp" + suffix, new Exp(), regOut);
      regOut = "bbox_head.reg_exp" + suffix;
    } else if (regActivation == RegActivation.RELU) {
      g.addLayer("bbox_head.reg_relu" + suffix, new ActivationLayer.Builder().activation(Activation.RELU).build(),
          regOut);
      regOut = "bbox_head.reg_relu" + suffix;
    }
    out.put(HeadOutputs.BBOX_PREDS, regOut);
    return out;
  }

  @Override
  public List<String> sharedLayerNames() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < towers.stackedConvs(); i++) {
      names.addAll(Layers.convModuleLayerNames("bbox_head.cls_convs." + i, towers.normGroups()));
      names.addAll(Layers.convModuleLayerNames("bbox_head.reg_convs." + i, towers.normGroups()));
    }
    names.add("bbox_head.conv_cls");
    names.add("bbox_head.conv_reg");
    if (centerness != Centerness.NONE) {
      names.add("bbox_head.conv_centerness");
    }
    return names;
  }

  @Override
  public HeadOutputs forInference(HeadOutputs outputs, int[] strides) {
    if (!inferenceTimesStride) {
      return outputs;
    }
    List<org.nd4j.linalg.api.ndarray.INDArray> scaled = new ArrayList<>();
    for (int l = 0; l < strides.length; l++) {
      scaled.add(outputs.get(HeadOutputs.BBOX_PREDS, l).mul(strides[l]));
    }
    return outputs.with(HeadOutputs.BBOX_PREDS, scaled);
  }
}
