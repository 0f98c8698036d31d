package io.detkit.tools.model;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.heads.BaseDenseHead;
import io.detkit.heads.HeadOutputs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * A single-stage detector as a DL4J {@link ComputationGraph}: backbone, FPN neck and the dense
 * head's convolutions, whose raw per-level outputs ({@link HeadOutputs} layout) go to a detkit
 * head. Training uses external errors: {@link #forwardTrain} runs the graph, the head computes the
 * losses and their gradients with respect to the outputs, {@link #backward} backpropagates those
 * gradients, and {@link #step} applies the optimizer. No loss is computed on the DL4J side.
 *
 * <h2>Shared head weights</h2>
 * MMDetection applies one set of head convolutions to every level. Heads whose towers are
 * normalized ({@link HeadBranches#mergesLevels}) run each shared layer once for all levels, on a
 * {@link LevelCanvas} of the levels' maps (one libnd4j call per layer instead of one per level);
 * the other heads, or every head when the system property {@value #PER_LEVEL_PROPERTY} is
 * {@code true}, run in the per-level form: a ComputationGraph layer has one input, so each level
 * gets its own copy of the head layers, and {@code shared_head=True} (the default) ties the
 * copies: they start equal, and before every update the gradients of the copies are summed and
 * handed to each copy. Every copy then receives the same update (the updater is elementwise and
 * its state evolves identically), so the copies stay equal and the result is the gradient of the
 * shared weights, exactly. {@code shared_head=False} keeps the copies independent (and runs per
 * level). Both forms start from the same initial weights (the canvas form copies the per-level
 * form's draws) and give the same outputs; their weight gradients differ in the last bits (one
 * convolution backward sums over every level's pixels, where the per-level form sums per level
 * and then adds the levels' sums); {@link #perLevelGraph} gives the per-level form.
 *
 * <p>Inputs are {@code [N, in_channels, H, W]} float32 with H and W multiples of
 * {@link Geometry#sizeDivisor()}. Not thread-safe (the graph keeps activations between calls).
 */
public final class DetectorNet {
  /** Detector types accepted as {@code model.type} (all single-stage). */
  public static final Set<String> DETECTOR_TYPES = DetectorSpec.DETECTOR_TYPES;

  /**
   * The system property that, set to {@code true}, builds every head in the per-level form (for
   * comparisons and measurements; {@link #build(Config, BaseDenseHead, OptimizerSpec, long)} reads it).
   */
  public static final String PER_LEVEL_PROPERTY = "detkit.perLevelHead";

  private final ComputationGraph graph;
  /** The per-level form of a canvas-form network (null when {@link #graph} is per level). */
  private final ComputationGraph perLevel;
  private final HeadBranches branches;
  private final Geometry geometry;
  private final String[][] outputLayers;
  private final List<List<String>> tiedLayers;
  private final OptimizerSpec optimizer;
  private final TiedGradients tiedGradients;
  private GradientUpdater<?> updater;
  private Gradient gradient;

  private DetectorNet(ComputationGraph graph, ComputationGraph perLevel, HeadBranches branches, Geometry geometry,
      String[][] outputLayers, List<List<String>> tied, OptimizerSpec optimizer) {
    this.graph = graph;
    this.perLevel = perLevel;
    this.branches = branches;
    this.geometry = geometry;
    this.outputLayers = outputLayers;
    this.tiedLayers = tied;
    this.optimizer = optimizer;
    this.tiedGradients = new TiedGradients(graph, tied);
  }

  /**
   * What a caller needs to know of the network's inputs and outputs. Immutable.
   *
   * @param inChannels the images' channels
   * @param strides the stride of each feature level (level 0 first)
   * @param outputKinds the output kinds ({@link HeadOutputs} names), in order
   * @param sharedHead whether the head's levels share weights
   */
  public record Geometry(int inChannels, List<Integer> strides, List<String> outputKinds, boolean sharedHead) {
    public Geometry {
      strides = List.copyOf(strides);
      outputKinds = List.copyOf(outputKinds);
    }

    /** Number of feature levels. */
    public int numLevels() {
      return strides.size();
    }

    /** Input heights and widths must be multiples of this (the coarsest stride). */
    public int sizeDivisor() {
      return strides.get(strides.size() - 1);
    }

    /**
     * Checks a batch of images against this geometry.
     *
     * @throws IllegalArgumentException unless {@code images} is {@code [N, inChannels, H, W]} with H
     *     and W multiples of {@link #sizeDivisor()}
     */
    public void checkImages(INDArray images) {
      if (images.rank() != 4 || images.size(1) != inChannels || images.size(2) % sizeDivisor() != 0
          || images.size(3) % sizeDivisor() != 0) {
        throw new IllegalArgumentException("images must be [N, " + inChannels + ", H, W] with H and W multiples of "
            + sizeDivisor() + "; got " + Arrays.toString(images.shape()));
      }
    }
  }

  /**
   * Builds the network that {@code model} describes for {@code head} (built from
   * {@code model.bbox_head}): validation by {@link DetectorSpec#of}, then the graph.
   *
   * @throws ConfigException naming the key for an unknown key or type, a missing part, or parts that
   *     do not fit together (channels, level counts, prior strides)
   */
  public static DetectorNet build(Config model, BaseDenseHead head, OptimizerSpec optimizer, long seed) {
    return build(model, head, optimizer, seed, !SystemSettings.flag(PER_LEVEL_PROPERTY));
  }

  /**
   * {@link #build(Config, BaseDenseHead, OptimizerSpec, long)} with the form of the shared head
   * chosen: {@code mergeLevels} runs it on a level canvas where the head allows it, else per level.
   */
  public static DetectorNet build(Config model, BaseDenseHead head, OptimizerSpec optimizer, long seed,
      boolean mergeLevels) {
    DetectorSpec spec = DetectorSpec.of(model, head);
    DetectorGraph perLevel = DetectorGraph.of(spec, optimizer, seed, false);
    boolean merge = mergeLevels && spec.sharedHead() && spec.strides().length > 1 && spec.head().mergesLevels();
    DetectorGraph main = merge ? DetectorGraph.of(spec, optimizer, seed, true) : perLevel;
    List<List<String>> tied = new ArrayList<>();
    if (spec.sharedHead() && spec.strides().length > 1) {
      for (String base : spec.head().sharedLayerNames()) {
        if (DetectorGraph.layerNamed(main.graph(), base + "@0") != null) {
          List<String> copies = new ArrayList<>();
          for (int l = 0; l < spec.strides().length; l++) {
            copies.add(base + "@" + l);
          }
          tied.add(copies);
        }
      }
    }
    Geometry geometry = new Geometry(spec.backbone().inChannels(),
        Arrays.stream(spec.strides()).boxed().toList(), spec.head().outputKinds(), spec.sharedHead()
            && spec.strides().length > 1);
    DetectorNet net = new DetectorNet(main.graph(), merge ? perLevel.graph() : null, spec.head(), geometry,
        main.outputs(), tied, optimizer);
    net.syncTiedCopies();
    if (merge) {
      // The per-level form drew the initial weights (its level-0 copies are the shared layers'):
      // the canvas form starts from the same network.
      DetectorGraph.copyParams(perLevel.graph(), main.graph());
    }
    return net;
  }

  /** Makes every tied copy equal to the level-0 copy (after initialisation or loading). */
  private void syncTiedCopies() {
    for (List<String> copies : tiedLayers) {
      Layer master = graph.getLayer(copies.get(0));
      for (int i = 1; i < copies.size(); i++) {
        Layer copy = graph.getLayer(copies.get(i));
        for (Map.Entry<String, INDArray> p : master.paramTable().entrySet()) {
          copy.getParam(p.getKey()).assign(p.getValue());
        }
      }
    }
  }

  /** The DL4J graph. */
  public ComputationGraph graph() {
    return graph;
  }

  /**
   * The network in the per-level form (each shared head layer copied per level, named
   * {@code <name>@<level>}, as {@link HeadBranches#addTo} builds it), holding this network's current
   * parameters: what an exporter describes layer by layer ({@code bench/train_twin.py}'s twin).
   * The network's own graph when it already runs per level; else a second graph, refreshed by each
   * call, whose training state is not this network's.
   */
  public ComputationGraph perLevelGraph() {
    if (perLevel == null) {
      return graph;
    }
    DetectorGraph.copyParams(graph, perLevel);
    return perLevel;
  }

  /** The network's input channels, levels, strides and outputs. */
  public Geometry geometry() {
    return geometry;
  }

  /** Number of distinct trainable values (tied copies counted once). */
  public long numDistinctParams() {
    long n = graph.numParams();
    for (List<String> copies : tiedLayers) {
      n -= (copies.size() - 1) * graph.getLayer(copies.get(0)).numParams();
    }
    return n;
  }

  /** The flattened parameters (a live view; tied copies included). */
  public INDArray params() {
    return graph.params();
  }

  /**
   * Replaces the parameters: this network's flattened array, or, for a canvas-form network, that
   * of its per-level form (checkpoints written before the canvas form; the level-0 copies are read).
   *
   * @throws IllegalArgumentException if the length differs
   */
  public void setParams(INDArray params) {
    if (perLevel != null && params.length() == perLevel.numParams() && params.length() != graph.numParams()) {
      // The per-level form's flattened parameters (a checkpoint written before the canvas form).
      perLevel.params().assign(params.reshape(perLevel.params().shape()).castTo(DataType.FLOAT));
      DetectorGraph.copyParams(perLevel, graph);
      return;
    }
    if (params.length() != graph.numParams()) {
      throw new IllegalArgumentException("params must hold " + graph.numParams() + " values for this model; got "
          + params.length() + " (was the checkpoint written by another config?)");
    }
    graph.params().assign(params.reshape(graph.params().shape()).castTo(DataType.FLOAT));
    syncTiedCopies();
  }

  /** A training forward pass, keeping the activations that {@link #backward} needs. */
  public HeadOutputs forwardTrain(INDArray images) {
    geometry.checkImages(images);
    Map<String, INDArray> acts = graph.feedForward(new INDArray[] {images}, true, false);
    HeadOutputs out = HeadOutputs.empty();
    List<String> kinds = geometry.outputKinds();
    for (int k = 0; k < kinds.size(); k++) {
      List<INDArray> levels = new ArrayList<>();
      for (String name : outputLayers[k]) {
        levels.add(acts.get(name));
      }
      out = out.with(kinds.get(k), levels);
    }
    return out;
  }

  /** An inference forward pass. */
  public HeadOutputs forward(INDArray images) {
    geometry.checkImages(images);
    INDArray[] flat = graph.output(false, images);
    HeadOutputs out = HeadOutputs.empty();
    int i = 0;
    for (String kind : geometry.outputKinds()) {
      List<INDArray> levels = new ArrayList<>();
      for (int l = 0; l < geometry.numLevels(); l++) {
        levels.add(flat[i++]);
      }
      out = out.with(kind, levels);
    }
    return branches.forInference(out, geometry.strides().stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * Backpropagates the gradients of the loss with respect to the outputs of the last
   * {@link #forwardTrain}, and ties the shared head's gradients.
   *
   * @return the global L2 norm of the parameter gradient (tied weights counted once)
   * @throws IllegalArgumentException if an output kind is missing or a shape differs
   */
  public double backward(HeadOutputs grads) {
    INDArray[] eps = new INDArray[geometry.outputKinds().size() * geometry.numLevels()];
    int i = 0;
    for (String kind : geometry.outputKinds()) {
      for (int l = 0; l < geometry.numLevels(); l++) {
        INDArray e = grads.get(kind, l);
        eps[i++] = e.dataType() == DataType.FLOAT ? e : e.castTo(DataType.FLOAT);
      }
    }
    gradient = graph.backpropGradient(eps);
    return tiedGradients.tieAndNorm(gradient);
  }

  /**
   * {@link #step(double, int, int, double)} at the rate the configured updater's own schedule
   * gives for {@code iteration} and {@code epoch}.
   */
  public void step(double gradNorm, int iteration, int epoch) {
    step(gradNorm, iteration, epoch, optimizer.updater().getLearningRate(iteration, epoch));
  }

  /**
   * Clips the last gradient to {@code max_norm} (when configured, as PyTorch's
   * {@code clip_grad_norm_}), runs the updater at learning rate {@code lr} and subtracts the update
   * from the parameters. The rate replaces the updater's schedule for this step (as mmcv's
   * {@code LrUpdaterHook} writes the rate into the optimizer's param groups); {@code iteration}
   * still drives what else depends on the step count (Adam's bias correction).
   *
   * @param gradNorm what {@link #backward} returned
   * @param lr the learning rate of this step (finite, >= 0)
   * @throws IllegalArgumentException for a negative or non-finite {@code lr}
   * @throws IllegalStateException if {@link #backward} has not run since the last step
   */
  public void step(double gradNorm, int iteration, int epoch, double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("lr must be finite and >= 0; got " + lr);
    }
    if (gradient == null) {
      throw new IllegalStateException("step needs a gradient; call backward first");
    }
    double maxNorm = optimizer.maxGradNorm();
    INDArray g = gradient.gradient();
    if (maxNorm > 0 && gradNorm > maxNorm) {
      g.muli(maxNorm / (gradNorm + 1e-6));
    }
    // DL4J's order: L2 added to the gradient before the updater, decoupled decay to the update
    // after it, scaled by the learning rate (the same operation DL4J would run per parameter).
    INDArray params = graph.params();
    if (optimizer.l2() > 0) {
      new L2Regularization(optimizer.l2()).apply(params, g, 0, iteration, epoch);
    }
    GradientUpdater<?> u = flatUpdater();
    u.getConfig().setLrAndSchedule(lr, null);
    u.applyUpdater(g, iteration, epoch);
    if (optimizer.decoupledWeightDecay() > 0) {
      new WeightDecay(optimizer.decoupledWeightDecay(), true).apply(params, g, lr, iteration, epoch);
    }
    params.subi(g);
    gradient = null;
  }

  /**
   * ND4J's updater for the configured {@link org.nd4j.linalg.learning.config.IUpdater} over the
   * whole flattened gradient, with its own state (e.g. Adam's moments). DL4J's network updater
   * runs the same updater on the same single block (every layer shares the configuration), but
   * walks every layer and parameter around it on each step, which cost several times the update
   * itself; the arithmetic, and so every result, is the same.
   */
  private GradientUpdater<?> flatUpdater() {
    if (updater == null) {
      org.nd4j.linalg.learning.config.IUpdater conf = optimizer.updater().clone();
      long size = conf.stateSize(graph.numParams());
      updater = conf.instantiate(size == 0 ? null : Nd4j.zeros(DataType.FLOAT, 1, size), true);
    }
    return updater;
  }

  /** A summary: parameter counts and levels. */
  public String summary() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("levels", geometry.numLevels());
    s.put("strides", geometry.strides().toString());
    s.put("params", numDistinctParams());
    s.put("shared_head", geometry.sharedHead());
    return s.toString();
  }
}
