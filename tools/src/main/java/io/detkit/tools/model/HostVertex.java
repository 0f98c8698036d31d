package io.detkit.tools.model;

import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A parameter-free DL4J graph vertex whose forward and backward passes are primitive loops over
 * {@code double[]} copies of its NCHW inputs ({@link HostBuffers}): a subclass writes only the
 * arithmetic ({@link #pass}) and, when it differs from the first input's, the output shape
 * ({@link #shapeOf}). The TOOD head's small
 * element-wise operations with several inputs or broadcasting (layer attention, the sigmoid
 * geometric mean, the bilinear offset sampling, the boxes around the grid) are such vertices: DL4J
 * has no broadcasting element-wise vertex, and one bulk copy in and out costs less than the dozen
 * ND4J operations each would take.
 *
 * <p>Configuration objects are immutable apart from DL4J's data type; the vertex itself is
 * single-threaded, as DL4J calls it.
 */
abstract class HostVertex extends org.deeplearning4j.nn.conf.graph.GraphVertex {
  private static final long serialVersionUID = 1L;

  /** In {@link #HostVertex(String...)}: an input of any number of channels. */
  static final String ANY = "C";

  private final int numInputs;
  /** Per input its channel count (or {@link #ANY}), when the inputs share N, H and W; else null. */
  private final String[] channels;

  /** A vertex of {@code numInputs} NCHW inputs that checks their shapes itself ({@link #fits}). */
  HostVertex(int numInputs) {
    this.numInputs = numInputs;
    this.channels = null;
  }

  /**
   * A vertex whose inputs are aligned NCHW maps: the same N, H and W, input {@code i} with
   * {@code channels[i]} channels (a number, or {@link #ANY}). {@link #fits} and
   * {@link #expectedShapes} follow from it.
   */
  HostVertex(String... channels) {
    this.numInputs = channels.length;
    this.channels = channels.clone();
  }

  /** Number of inputs, all NCHW. */
  final int numInputs() {
    return numInputs;
  }

  /**
   * The sizes of an NCHW shape as ints, for the loops; {@code hw} is the number of pixels of one
   * channel plane.
   */
  record Nchw(int n, int c, int h, int w) {
    static Nchw of(long[] shape) {
      return new Nchw((int) shape[0], (int) shape[1], (int) shape[2], (int) shape[3]);
    }

    int hw() {
      return h * w;
    }
  }

  /**
   * The output shape for these input shapes, once {@link #fits} accepts them: {@link #shapeOf}.
   *
   * @throws IllegalArgumentException naming the vertex, the shapes it takes and those it got, when
   *     they do not fit
   */
  final long[] outputShape(long[][] in) {
    if (!fits(in)) {
      throw new IllegalArgumentException(this + " needs " + expectedShapes() + "; got " + shapes(in));
    }
    return shapeOf(in);
  }

  /**
   * The output shape for input shapes {@link #fits} accepted: the first input's, unless the vertex
   * reshapes (the level canvas's vertices, {@link LevelCanvas}).
   */
  long[] shapeOf(long[][] in) {
    return in[0].clone();
  }

  /**
   * Whether the input shapes fit this vertex: for aligned inputs (declared channels), rank 4, the
   * first input's N, H and W, and each input's channels; else any shapes unless a subclass says
   * otherwise.
   */
  boolean fits(long[][] in) {
    if (channels == null) {
      return true;
    }
    long[] first = in[0];
    for (int i = 0; i < in.length; i++) {
      long[] s = in[i];
      if (s.length != 4 || s[0] != first[0] || s[2] != first[2] || s[3] != first[3]
          || !channels[i].equals(ANY) && s[1] != Long.parseLong(channels[i])) {
        return false;
      }
    }
    return true;
  }

  /** The input shapes this vertex takes, in words, for the message of {@link #outputShape}. */
  String expectedShapes() {
    if (channels == null) {
      return "NCHW inputs";
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < channels.length; i++) {
      s.append(i == 0 ? "" : " and ").append("[N, ").append(channels[i]).append(", H, W]");
    }
    return s.toString();
  }

  /** Writes the output of {@code in} (shaped {@code shapes}) into {@code out}. */
  final void forward(double[][] in, long[][] shapes, double[] out) {
    pass(in, shapes, out, null, null);
  }

  /**
   * Writes the gradient of the loss with respect to each input into {@code grads} (zeroed, one per
   * input, shaped as the inputs), given {@code eps}, its gradient with respect to the output.
   */
  final void backward(double[][] in, long[][] shapes, double[] eps, double[][] grads) {
    pass(in, shapes, null, eps, grads);
  }

  /**
   * Whether {@link #pass} reads the inputs' values when it computes gradients; a vertex whose
   * backward needs only the shapes and the output's gradient (a copy, such as the level canvas's)
   * returns false and gets {@code in == null} there, sparing a copy of every input.
   */
  boolean backwardReadsInputs() {
    return true;
  }

  /**
   * The arithmetic, forward and backward in one walk over the data (a vertex's backward retraces
   * its forward): with {@code eps} null, the output into {@code out}; otherwise the gradients into
   * {@code grads} as {@link #backward} describes, and {@code out} is null.
   */
  abstract void pass(double[][] in, long[][] shapes, double[] out, double[] eps, double[][] grads);

  /** The class name; a vertex with settings appends them (equality compares this text). */
  @Override
  public String toString() {
    return getClass().getSimpleName();
  }

  /** The configuration itself: every subclass is immutable, so a clone may share it. */
  @Override
  public HostVertex clone() {
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && o.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public long numParams(boolean backprop) {
    return 0;
  }

  @Override
  public int minVertexInputs() {
    return numInputs();
  }

  @Override
  public int maxVertexInputs() {
    return numInputs();
  }

  @Override
  public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
      boolean initializeParams, DataType networkDatatype) {
    return new Impl(graph, name, idx, networkDatatype, this);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
    return vertexInputs[0];
  }

  @Override
  public MemoryReport getMemoryReport(InputType... inputTypes) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no memory report");
  }

  static String shapes(long[][] in) {
    StringBuilder s = new StringBuilder();
    for (long[] a : in) {
      s.append(s.length() == 0 ? "" : ", ").append(Arrays.toString(a));
    }
    return s.toString();
  }

  /** The vertex implementation: copies in, the subclass's loops, copies out. */
  static final class Impl extends BaseGraphVertex {
    private final HostVertex conf;
    /*
     * Scratch arrays reused from call to call (training repeats the same shapes): the inputs'
     * values, the output, the output's gradient and the inputs' gradients. New arrays each call
     * were most of the training thread's heap allocation in the level-canvas head's copies,
     * and with it the garbage collector's pauses in the iteration's tail.
     */
    private double[][] inScratch = new double[0][];
    private double[] outScratch;
    private double[] epsScratch;
    private double[][] gradScratch = new double[0][];

    Impl(ComputationGraph graph, String name, int idx, DataType dataType, HostVertex conf) {
      super(graph, name, idx, null, null, dataType);
      this.conf = conf;
    }

    private long[][] inputShapes() {
      long[][] s = new long[inputs.length][];
      for (int i = 0; i < inputs.length; i++) {
        s[i] = inputs[i].shape();
      }
      return s;
    }

    /** The inputs' values, each in its reused scratch array when the length is the same. */
    private double[][] inputValues() {
      if (inScratch.length != inputs.length) {
        inScratch = new double[inputs.length][];
      }
      for (int i = 0; i < inputs.length; i++) {
        inScratch[i] = HostBuffers.read(HostBuffers.dense(inputs[i]), exact(inScratch[i], inputs[i].length()));
      }
      return inScratch.clone();
    }

    /**
     * {@code scratch} when it holds exactly {@code n} values (a subclass may loop over an array's
     * length), else null (a new array).
     */
    private static double[] exact(double[] scratch, long n) {
      return scratch != null && scratch.length == n ? scratch : null;
    }

    /** {@code scratch} zeroed when it holds exactly {@code n} values, else a new (zero) array. */
    private static double[] zeroed(double[] scratch, long n) {
      if (scratch != null && scratch.length == n) {
        Arrays.fill(scratch, 0);
        return scratch;
      }
      return new double[(int) n];
    }

    @Override
    public boolean hasLayer() {
      return false;
    }

    @Override
    public Layer getLayer() {
      return null;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr mgr) {
      if (!canDoForward()) {
        throw new IllegalStateException(vertexName + ": inputs not set");
      }
      long[][] shapes = inputShapes();
      long[] outShape = conf.outputShape(shapes);
      INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, outShape, 'c');
      double[] y = outScratch = zeroed(outScratch, out.length());
      conf.forward(inputValues(), shapes, y);
      HostBuffers.write(y, out);
      return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr mgr) {
      if (!canDoBackward()) {
        throw new IllegalStateException(vertexName + ": inputs or epsilon not set");
      }
      long[][] shapes = inputShapes();
      if (gradScratch.length != inputs.length) {
        gradScratch = new double[inputs.length][];
      }
      for (int i = 0; i < inputs.length; i++) {
        gradScratch[i] = zeroed(gradScratch[i], inputs[i].length());
      }
      double[][] grads = gradScratch.clone();
      epsScratch = HostBuffers.read(HostBuffers.dense(epsilon), exact(epsScratch, epsilon.length()));
      conf.backward(conf.backwardReadsInputs() ? inputValues() : null, shapes, epsScratch, grads);
      INDArray[] out = new INDArray[inputs.length];
      for (int i = 0; i < inputs.length; i++) {
        out[i] = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, shapes[i], 'c');
        HostBuffers.write(grads[i], out[i]);
      }
      return new Pair<>(null, out);
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
      if (backpropGradientsViewArray != null) {
        throw new IllegalArgumentException(vertexName + " has no parameters");
      }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
        int minibatchSize) {
      return new Pair<>(maskArrays == null || maskArrays.length == 0 ? null : maskArrays[0], currentMaskState);
    }

    @Override
    public String toString() {
      return vertexName + ": " + conf;
    }
  }
}
