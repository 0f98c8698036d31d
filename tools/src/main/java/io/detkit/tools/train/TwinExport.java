package io.detkit.tools.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.detkit.heads.GroundTruth;
import io.detkit.tools.data.Batch;
import io.detkit.tools.model.DetectorNet;
import io.detkit.tools.model.GroupNorm;
import io.detkit.tools.model.NativeConvolution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes what a PyTorch twin of a {@link DetectorNet} needs to train the same network on the same
 * data ({@code bench/train_twin.py}): {@code graph.json} (the vertices in topological order with
 * their type, inputs, convolution geometry, activation and parameter files; tied head copies name
 * one shared parameter set), one {@code .npy} per parameter, and per exported iteration the
 * batch's images {@code batch_I_images.npy} {@code [N, 3, H, W]} and ground truths
 * {@code batch_I_gts.npy} {@code [K, 6]} (image index, label, x1, y1, x2, y2), plus
 * {@code losses.json} (detkit's total loss of those iterations). Caller's thread only.
 */
final class TwinExport {
  private final Path dir;
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  TwinExport(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
  }

  /** The graph and the current parameters (call before the first update). */
  void writeParams(DetectorNet net) throws IOException {
    // Once: for a canvas-form network each call copies every parameter into the per-level graph.
    ComputationGraph perLevel = net.perLevelGraph();
    ComputationGraphConfiguration conf = perLevel.getConfiguration();
    ObjectNode root = json.createObjectNode();
    ArrayNode vertices = root.putArray("vertices");
    for (String name : conf.getTopologicalOrderStr()) {
      GraphVertex v = conf.getVertices().get(name);
      if (v == null) {
        continue; // the network input
      }
      ObjectNode o = vertices.addObject();
      o.put("name", name);
      ArrayNode inputs = o.putArray("inputs");
      conf.getVertexInputs().get(name).forEach(inputs::add);
      describe(v, o);
      String shared = name.contains("@") ? name.substring(0, name.indexOf('@')) : name;
      o.put("params", shared);
      if (v instanceof LayerVertex && (name.equals(shared) || name.endsWith("@0"))) {
        for (Map.Entry<String, INDArray> p : perLevel.getLayer(name).paramTable().entrySet()) {
          write(shared + "." + p.getKey(), p.getValue());
        }
      }
    }
    ArrayNode outputs = root.putArray("outputs");
    conf.getNetworkOutputs().forEach(outputs::add);
    ArrayNode kinds = root.putArray("output_kinds");
    net.geometry().outputKinds().forEach(kinds::add);
    root.put("levels", net.geometry().numLevels());
    json.writeValue(dir.resolve("graph.json").toFile(), root);
  }

  private static void describe(GraphVertex v, ObjectNode o) {
    if (v instanceof ElementWiseVertex e) {
      o.put("type", "Add");
      if (!e.getOp().equals(ElementWiseVertex.Op.Add)) {
        throw new IllegalArgumentException("the twin knows only the Add element-wise vertex; got " + e.getOp());
      }
      return;
    }
    if (!(v instanceof LayerVertex lv)) {
      throw new IllegalArgumentException("the twin cannot describe vertex type " + v.getClass().getSimpleName());
    }
    org.deeplearning4j.nn.conf.layers.Layer l = lv.getLayerConf().getLayer();
    if (l instanceof NativeConvolution c) {
      o.put("type", "Conv2d");
      o.put("kernel", c.getKernelSize()[0]);
      o.put("stride", c.getStride()[0]);
      o.put("padding", c.getPadding()[0]);
      o.put("bias", c.hasBias());
    } else if (l instanceof GroupNorm g) {
      o.put("type", "GroupNorm");
      o.put("groups", g.settings().groups());
      o.put("eps", g.settings().eps());
    } else if (l instanceof Upsampling2D u) {
      o.put("type", "UpsampleNearest");
      o.put("scale", u.getSize()[0]);
    } else if (l instanceof SubsamplingLayer s && s.getPoolingType() == org.deeplearning4j.nn.conf.layers.PoolingType.MAX) {
      o.put("type", "MaxPool");
      o.put("kernel", s.getKernelSize()[0]);
      o.put("stride", s.getStride()[0]);
    } else if (l instanceof ActivationLayer) {
      o.put("type", "Identity");
    } else if (l instanceof io.detkit.tools.model.Scale) {
      o.put("type", "Scale");
    } else {
      throw new IllegalArgumentException("the twin cannot describe layer type " + l.getClass().getSimpleName());
    }
    Object act = l instanceof BaseLayer b ? b.getActivationFn() : l instanceof ActivationLayer a ? a.getActivationFn()
        : new ActivationIdentity();
    if (act instanceof ActivationReLU) {
      o.put("activation", "relu");
    } else if (act instanceof ActivationIdentity) {
      o.put("activation", "identity");
    } else {
      throw new IllegalArgumentException("the twin knows ReLU and identity activations; got " + act);
    }
  }

  /** Batch {@code index}'s images and ground truths. */
  void writeBatch(int index, Batch b) throws IOException {
    write("batch_" + index + "_images", b.images());
    int rows = 0;
    for (GroundTruth g : b.groundTruths()) {
      rows += g.size();
    }
    float[] gts = new float[rows * 6];
    int r = 0;
    for (int n = 0; n < b.groundTruths().size(); n++) {
      GroundTruth g = b.groundTruths().get(n);
      float[] boxes = g.bboxes().castTo(DataType.FLOAT).dup('c').data().asFloat();
      int[] labels = g.labelArray();
      for (int k = 0; k < g.size(); k++, r++) {
        gts[r * 6] = n;
        gts[r * 6 + 1] = labels[k];
        System.arraycopy(boxes, k * 4, gts, r * 6 + 2, 4);
      }
    }
    write("batch_" + index + "_gts", Nd4j.create(gts, new long[] {rows, 6}, DataType.FLOAT));
  }

  /** detkit's total loss of each exported iteration. */
  void writeLosses(List<Double> losses) throws IOException {
    json.writeValue(dir.resolve("losses.json").toFile(), losses);
  }

  private void write(String name, INDArray a) throws IOException {
    Nd4j.writeAsNumpy(a.castTo(DataType.FLOAT).dup('c'), dir.resolve(name + ".npy").toFile());
  }
}
