package io.detkit.core.anchor;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.ComponentRunner;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs the anchor-generator golden cases ({@code call.method = "grid_priors/valid_flags"}): base
 * anchors, grid priors (and the deprecated grid anchors), valid flags for every pad shape and,
 * when asked, sparse priors, for any number of levels and pad shapes.
 */
final class PriorGeneratorRunner implements ComponentRunner {
  private static final Set<String> CALL_KEYS = Set.of("method", "featmap_sizes", "pad_shapes", "sparse_priors");

  @Override
  public Set<String> components() {
    return Set.of("AnchorGenerator", "SSDAnchorGenerator");
  }

  @Override
  public CaseOutputs run(GoldenCase c) {
    Config call = c.call();
    if (!c.method().equals("grid_priors/valid_flags")) {
      throw new UnsupportedCaseException(c.id() + ": unknown call '" + c.method() + "'");
    }
    for (String key : call.keys()) {
      if (!CALL_KEYS.contains(key)) {
        throw new UnsupportedCaseException(c.id() + ": unknown call key '" + key + "'");
      }
    }
    if (!c.inputNames().isEmpty()) {
      throw new UnsupportedCaseException(c.id() + ": unexpected inputs " + c.inputNames());
    }
    PriorGenerator gen = CoreRegistries.buildPriorGenerator(c.config());
    if (!(gen instanceof AnchorGenerator anchors)) {
      throw new UnsupportedCaseException(c.id() + ": " + gen + " is not an anchor generator");
    }
    List<int[]> sizes = pairs(call.getList("featmap_sizes"), c);
    DataType dtype = c.precision();
    CaseOutputs out = new CaseOutputs();
    out.output("num_base_priors", gen.numBasePriors());
    List<INDArray> grid = gen.gridPriors(sizes, dtype);
    List<INDArray> gridAnchors = anchors.gridAnchors(sizes);
    for (int l = 0; l < gen.numLevels(); l++) {
      out.output("base_anchors_l" + l, anchors.baseAnchors(l));
      out.output("grid_priors_l" + l, grid.get(l));
      out.output("grid_anchors_l" + l, gridAnchors.get(l));
    }
    List<int[]> pads = call.has("pad_shapes") ? pairs(call.getList("pad_shapes"), c) : List.of();
    for (int j = 0; j < pads.size(); j++) {
      List<boolean[]> flags = gen.validFlags(sizes, pads.get(j));
      for (int l = 0; l < flags.size(); l++) {
        out.output("valid_flags_pad" + j + "_l" + l, ints(flags.get(l)));
      }
    }
    if (!call.isNull("sparse_priors")) {
      Config sparse = call.getConfig("sparse_priors");
      int level = sparse.getInt("level");
      long[] idx = longs(sparse.getList("prior_idxs"), c);
      out.output("sparse_priors_l" + level, gen.sparsePriors(level, idx, sizes.get(level), dtype));
    }
    for (String name : c.expectedOutputs().keySet()) {
      if (!out.outputs().containsKey(name)) {
        throw new UnsupportedCaseException(c.id() + ": unknown output '" + name + "'");
      }
    }
    if (!c.expectedGrads().isEmpty()) {
      throw new UnsupportedCaseException(c.id() + ": prior generators have no gradients; got "
          + c.expectedGrads().keySet());
    }
    return out;
  }

  /** {@code [[h, w, ...], ...]} as int arrays (all entries kept). */
  private static List<int[]> pairs(List<Object> raw, GoldenCase c) {
    List<int[]> out = new ArrayList<>();
    for (Object o : raw) {
      if (!(o instanceof List<?> l)) {
        throw new UnsupportedCaseException(c.id() + ": expected a list of sizes, got " + o);
      }
      int[] v = new int[l.size()];
      for (int i = 0; i < v.length; i++) {
        if (!(l.get(i) instanceof Long n)) {
          throw new UnsupportedCaseException(c.id() + ": expected integer sizes, got " + l);
        }
        v[i] = Math.toIntExact(n);
      }
      out.add(v);
    }
    return out;
  }

  private static long[] longs(List<Object> raw, GoldenCase c) {
    long[] out = new long[raw.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(raw.get(i) instanceof Long n)) {
        throw new UnsupportedCaseException(c.id() + ": expected integer prior_idxs, got " + raw);
      }
      out[i] = n;
    }
    return out;
  }

  private static int[] ints(boolean[] flags) {
    int[] out = new int[flags.length];
    for (int i = 0; i < flags.length; i++) {
      out[i] = flags[i] ? 1 : 0;
    }
    return out;
  }
}
