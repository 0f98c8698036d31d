package io.detkit.tools.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The DL4J graph of a {@link DetectorSpec} for {@link DetectorNet}, in either form of the shared
 * head (per level, or once on a {@link LevelCanvas}), initialised from the seed; and the copy of
 * parameters between the two forms. Immutable (the graph itself is not: the caller owns it).
 *
 * @param graph the initialised graph
 * @param outputs per output kind and level, the name of the vertex producing it
 */
record DetectorGraph(ComputationGraph graph, String[][] outputs) {
  /**
   * Builds and initialises the graph: backbone, neck, and the head per level, or with
   * {@code mergeLevels} through {@link HeadBranches#addLevels} (once on a canvas where the head
   * {@link HeadBranches#mergesLevels}).
   */
  static DetectorGraph of(DetectorSpec spec, OptimizerSpec optimizer, long seed, boolean mergeLevels) {
    // DL4J treats a configured seed of 0 as "unseeded" and initialises randomly; map every seed,
    // 0 included, to a non-zero one so that a seed always gives the same initial network.
    long netSeed = seed ^ 0x5DEECE66DL;
    NeuralNetConfiguration.Builder nb = new NeuralNetConfiguration.Builder()
        .seed(netSeed == 0 ? 1 : netSeed)
        .dataType(DataType.FLOAT)
        .updater(optimizer.updater())
        // The head's gradients are already averaged over the batch (avg_factor); DL4J must not
        // divide them by the batch size again.
        .miniBatch(false)
        .trainingWorkspaceMode(WorkspaceMode.ENABLED)
        .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
        .cacheMode(CacheMode.NONE);
    // No regularization in the layer configurations: it applies to every parameter alike, so
    // step() applies it to the whole flattened array in one operation each, where DL4J's updater
    // would run one per parameter (52 in the shapes detector).
    GraphBuilder g = nb.graphBuilder().addInputs("img");
    List<String> feats = spec.neck().addTo(g, spec.backbone().addTo(g, "img"));
    HeadBranches branches = spec.head();
    List<String> kinds = branches.outputKinds();
    String[][] outputs = new String[kinds.size()][feats.size()];
    List<Map<String, String>> perLevel = new ArrayList<>();
    if (mergeLevels) {
      perLevel = branches.addLevels(g, feats, spec.strides());
    } else {
      for (int l = 0; l < feats.size(); l++) {
        perLevel.add(branches.addTo(g, feats.get(l), l));
      }
    }
    for (int l = 0; l < feats.size(); l++) {
      for (int k = 0; k < kinds.size(); k++) {
        outputs[k][l] = perLevel.get(l).get(kinds.get(k));
      }
    }
    List<String> outNames = new ArrayList<>();
    for (String[] names : outputs) {
      outNames.addAll(Arrays.asList(names));
    }
    g.setOutputs(outNames.toArray(new String[0]));
    ComputationGraph graph = new ComputationGraph(g.build());
    graph.init();
    return new DetectorGraph(graph, outputs);
  }

  /**
   * Copies every parameterised layer's parameters of {@code from} into {@code to}, matching the
   * layers by name across the two forms of the head: the same name, else a shared layer's name
   * with or without its level suffix ({@code x} from {@code x@0}, {@code x@l} from {@code x}).
   */
  static void copyParams(ComputationGraph from, ComputationGraph to) {
    for (Layer layer : to.getLayers()) {
      if (layer.numParams() == 0) {
        continue;
      }
      String name = layer.conf().getLayer().getLayerName();
      Layer src = layerNamed(from, name);
      if (src == null) {
        int at = name.lastIndexOf('@');
        src = layerNamed(from, at >= 0 ? name.substring(0, at) : name + "@0");
      }
      if (src == null) {
        throw new IllegalStateException("no layer matches " + name + " in the other form of the network");
      }
      for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
        p.getValue().assign(src.getParam(p.getKey()));
      }
    }
  }

  /** The layer named {@code name}, or null when there is none (or that vertex has no layer). */
  static Layer layerNamed(ComputationGraph g, String name) {
    org.deeplearning4j.nn.graph.vertex.GraphVertex v = g.getVertex(name);
    return v != null && v.hasLayer() ? v.getLayer() : null;
  }
}
