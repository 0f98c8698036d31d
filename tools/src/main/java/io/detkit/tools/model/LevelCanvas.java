package io.detkit.tools.model;

import java.util.Arrays;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Where each FPN level's map lies on the one canvas a level-merged head runs on: the levels'
 * {@code [N, C, H_l, W_l]} maps stacked top to bottom, level 0 first, each starting at column 0,
 * with {@link #GAP} zero rows between two levels and zeros right of the narrower levels. The
 * canvas is {@code [N, C, sum(H_l) + GAP * (L - 1), W_0]}.
 *
 * <p>Why: MMDetection applies one set of head convolutions to every level; run once per level,
 * libnd4j's fixed cost per {@code conv2d} / {@code conv2d_bp} call dominates on the small maps of
 * the upper levels. On the canvas each shared layer is one call for all levels. A 3x3 convolution
 * with padding 1 reads one row and column beyond an output pixel; the zero gap is exactly the
 * zero padding the per-level convolution would read there, so every level's outputs are those of
 * the per-level form, provided the gaps are zero again before the next convolution (the layers
 * between the convolutions, {@link GroupNorm} with this canvas, write zeros outside the levels'
 * regions, and the crops ({@link Crop}) read only the regions).
 *
 * <p>The layout follows from the canvas shape and the levels' stride ratios alone, so a layer
 * finds its regions from its input. Level {@code l}'s map is level 0's divided by
 * {@code ratios[l] = stride_l / stride_0} (inputs are multiples of the coarsest stride). Immutable.
 */
final class LevelCanvas {
  /** Zero rows between two levels: half of the largest kernel (3) the canvas may be convolved with. */
  static final int GAP = 1;

  private final int[] ratios;
  /** {@code sum(ratios[L-1] / ratios[l])}: canvas rows (gaps aside) per row of the coarsest level. */
  private final int rowsPerCoarseRow;

  /**
   * @param strides the levels' strides, level 0 first
   * @throws IllegalArgumentException unless there are at least two levels, each stride divides the
   *     next and the first divides every other
   */
  LevelCanvas(int[] strides) {
    if (strides.length < 2) {
      throw new IllegalArgumentException("a level canvas needs at least two levels; got " + strides.length);
    }
    ratios = new int[strides.length];
    int sum = 0;
    for (int l = 0; l < strides.length; l++) {
      if (strides[l] <= 0 || l > 0 && strides[l] % strides[l - 1] != 0) {
        throw new IllegalArgumentException("level strides must be positive, each a multiple of the previous; got "
            + Arrays.toString(strides));
      }
      ratios[l] = strides[l] / strides[0];
    }
    for (int r : ratios) {
      sum += ratios[ratios.length - 1] / r;
    }
    rowsPerCoarseRow = sum;
  }

  /** The stride ratios, {@code stride_l / stride_0} (a copy). */
  int[] ratios() {
    return ratios.clone();
  }

  /** Number of levels. */
  int levels() {
    return ratios.length;
  }

  /**
   * One level's place on the canvas: rows {@code row .. row + h - 1}, columns {@code 0 .. w - 1}.
   *
   * @param row the level's first canvas row
   */
  record Region(int row, int h, int w) {
    /** Number of pixels. */
    int size() {
      return h * w;
    }
  }

  /**
   * The levels' regions on a canvas of {@code h} rows and {@code w} columns.
   *
   * @throws IllegalArgumentException if no level-0 size gives that canvas
   */
  Region[] regions(long h, long w) {
    long rows = h - (long) GAP * (levels() - 1);
    int coarse = ratios[levels() - 1];
    if (rows <= 0 || rows % rowsPerCoarseRow != 0 || w % coarse != 0) {
      throw new IllegalArgumentException("a " + h + " x " + w + " canvas holds no levels of stride ratios "
          + Arrays.toString(ratios));
    }
    long h0 = rows / rowsPerCoarseRow * coarse;
    return regionsOfLevel0(h0, w);
  }

  /** The levels' regions when level 0 is {@code h0 x w0} (both multiples of the coarsest ratio). */
  private Region[] regionsOfLevel0(long h0, long w0) {
    Region[] out = new Region[levels()];
    int row = 0;
    for (int l = 0; l < levels(); l++) {
      out[l] = new Region(row, (int) (h0 / ratios[l]), (int) (w0 / ratios[l]));
      row += out[l].h() + GAP;
    }
    return out;
  }

  /**
   * The canvas shape for these level maps.
   *
   * @throws IllegalArgumentException unless every map is {@code [N, C, H_0 / ratio, W_0 / ratio]}
   *     with level 0's N, C, H_0 and W_0, H_0 and W_0 multiples of the coarsest ratio
   */
  long[] canvasShape(long[][] levelShapes) {
    if (!fits(levelShapes)) {
      throw new IllegalArgumentException("level maps must be [N, C, H / r, W / r] for the stride ratios r = "
          + Arrays.toString(ratios) + "; got " + HostVertex.shapes(levelShapes));
    }
    long[] s = levelShapes[0];
    Region[] r = regionsOfLevel0(s[2], s[3]);
    Region last = r[r.length - 1];
    return new long[] {s[0], s[1], last.row() + last.h(), s[3]};
  }

  /** Whether {@link #canvasShape} accepts these shapes. */
  boolean fits(long[][] levelShapes) {
    if (levelShapes.length != levels()) {
      return false;
    }
    long[] first = levelShapes[0];
    int coarse = ratios[levels() - 1];
    if (first.length != 4 || first[2] % coarse != 0 || first[3] % coarse != 0) {
      return false;
    }
    for (int l = 0; l < levels(); l++) {
      long[] s = levelShapes[l];
      if (s.length != 4 || s[0] != first[0] || s[1] != first[1] || s[2] != first[2] / ratios[l]
          || s[3] != first[3] / ratios[l]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The pixels of an {@code h x w} plane a layer reads: per region (the whole plane, or each level
   * of a canvas) the offsets of its pixels, row by row (the order of the level's own plane), and
   * the offsets in no region (a canvas's gaps); {@code regionRuns} and {@code outsideRuns} are the
   * same offsets as runs of consecutive ones, (first offset, length) pairs in the same order (a
   * loop over a run needs no index list: a level as wide as the canvas is a single run).
   */
  record Pixels(long h, long w, int[][] regions, int[] outside, int[][] regionRuns, int[] outsideRuns) {
    /**
     * The layout of a plain plane ({@code ratios} null) or of a canvas of levels with these stride
     * ratios.
     *
     * @throws IllegalArgumentException if no level sizes give an {@code h x w} canvas
     */
    static Pixels of(int[] ratios, long h, long w) {
      int hw = (int) (h * w);
      if (ratios == null) {
        int[] all = new int[hw];
        for (int i = 0; i < hw; i++) {
          all[i] = i;
        }
        return of(h, w, new int[][] {all}, new int[0]);
      }
      Region[] regions = new LevelCanvas(ratios).regions(h, w);
      int[][] px = new int[regions.length][];
      boolean[] inside = new boolean[hw];
      int count = 0;
      for (int l = 0; l < regions.length; l++) {
        Region r = regions[l];
        px[l] = new int[r.size()];
        for (int y = 0, k = 0; y < r.h(); y++) {
          for (int x = 0; x < r.w(); x++, k++) {
            px[l][k] = (int) ((r.row() + y) * w + x);
            inside[px[l][k]] = true;
          }
        }
        count += r.size();
      }
      int[] outside = new int[hw - count];
      for (int i = 0, k = 0; i < hw; i++) {
        if (!inside[i]) {
          outside[k++] = i;
        }
      }
      return of(h, w, px, outside);
    }

    private static Pixels of(long h, long w, int[][] regions, int[] outside) {
      int[][] runs = new int[regions.length][];
      for (int l = 0; l < regions.length; l++) {
        runs[l] = runs(regions[l]);
      }
      return new Pixels(h, w, regions, outside, runs, runs(outside));
    }

    /** {@code offsets} as runs of consecutive offsets: (first, length) pairs, in order. */
    static int[] runs(int[] offsets) {
      int n = 0;
      for (int i = 0; i < offsets.length; i++) {
        if (i == 0 || offsets[i] != offsets[i - 1] + 1) {
          n++;
        }
      }
      int[] out = new int[2 * n];
      for (int i = 0, k = -2; i < offsets.length; i++) {
        if (i == 0 || offsets[i] != offsets[i - 1] + 1) {
          k += 2;
          out[k] = offsets[i];
        }
        out[k + 1]++;
      }
      return out;
    }
  }

  @Override
  public String toString() {
    return "ratios=" + Arrays.toString(ratios);
  }

  /**
   * The vertex that lays the levels' maps out on the canvas ({@link LevelCanvas} inputs, in level
   * order); its backward pass hands each level its region of the canvas gradient.
   */
  static final class Assemble extends HostVertex {
    private static final long serialVersionUID = 1L;
    /** The canvas's stride ratios: the vertex's one setting, what its JSON form holds. */
    @JsonProperty("ratios")
    private final int[] ratios;
    private final transient LevelCanvas canvas;

    /** The canvas of levels with these stride ratios (or strides). */
    @JsonCreator
    Assemble(@JsonProperty("ratios") int[] ratios) {
      super(ratios.length);
      this.canvas = new LevelCanvas(ratios);
      this.ratios = canvas.ratios();
    }

    @Override
    boolean fits(long[][] in) {
      return canvas.fits(in);
    }

    @Override
    String expectedShapes() {
      return "level maps [N, C, H / r, W / r] for the stride ratios r = " + Arrays.toString(canvas.ratios);
    }

    @Override
    long[] shapeOf(long[][] in) {
      return canvas.canvasShape(in);
    }

    /** The backward pass copies the canvas gradient's regions: the inputs' values are not read. */
    @Override
    boolean backwardReadsInputs() {
      return false;
    }

    @Override
    void pass(double[][] in, long[][] shapes, double[] out, double[] eps, double[][] grads) {
      long[] c = canvas.canvasShape(shapes);
      Region[] regions = canvas.regions(c[2], c[3]);
      for (int l = 0; l < regions.length; l++) {
        if (eps == null) {
          copyRegion(regions[l], c, in[l], out, true);
        } else {
          copyRegion(regions[l], c, grads[l], eps, false);
        }
      }
    }

    @Override
    public String toString() {
      return "LevelCanvas.Assemble(" + canvas + ")";
    }
  }

  /**
   * The vertex that reads one level's map back from the canvas (one input, the canvas); its
   * backward pass writes the level's gradient into its region and zeros elsewhere.
   */
  static final class Crop extends HostVertex {
    private static final long serialVersionUID = 1L;
    /** The canvas's stride ratios and the level read: the vertex's settings, what its JSON form holds. */
    @JsonProperty("ratios")
    private final int[] ratios;
    @JsonProperty("level")
    private final int level;
    private final transient LevelCanvas canvas;

    /**
     * @throws IllegalArgumentException unless {@code level} is one of the canvas's levels
     */
    @JsonCreator
    Crop(@JsonProperty("ratios") int[] ratios, @JsonProperty("level") int level) {
      super(1);
      this.canvas = new LevelCanvas(ratios);
      if (level < 0 || level >= canvas.levels()) {
        throw new IllegalArgumentException("level must be in [0, " + canvas.levels() + "); got " + level);
      }
      this.ratios = canvas.ratios();
      this.level = level;
    }

    @Override
    boolean fits(long[][] in) {
      try {
        return in[0].length == 4 && canvas.regions(in[0][2], in[0][3]) != null;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }

    @Override
    String expectedShapes() {
      return "a level canvas for the stride ratios " + Arrays.toString(canvas.ratios);
    }

    @Override
    long[] shapeOf(long[][] in) {
      Region r = canvas.regions(in[0][2], in[0][3])[level];
      return new long[] {in[0][0], in[0][1], r.h(), r.w()};
    }

    /** The backward pass copies the level's gradient into its region: the canvas's values are not read. */
    @Override
    boolean backwardReadsInputs() {
      return false;
    }

    @Override
    void pass(double[][] in, long[][] shapes, double[] out, double[] eps, double[][] grads) {
      long[] c = shapes[0];
      Region r = canvas.regions(c[2], c[3])[level];
      // Forward: the region into the level's map; backward: the level's gradient into the region
      // of the (zeroed) canvas gradient.
      if (eps == null) {
        copyRegion(r, c, out, in[0], false);
      } else {
        copyRegion(r, c, eps, grads[0], true);
      }
    }

    @Override
    public String toString() {
      return "LevelCanvas.Crop(" + canvas + ", level=" + level + ")";
    }
  }

  /**
   * Copies a level's map into its region of a canvas shaped {@code c} ({@code toCanvas}), or the
   * region into the level's map.
   */
  private static void copyRegion(Region r, long[] c, double[] level, double[] canvas, boolean toCanvas) {
    int planes = (int) (c[0] * c[1]);
    int hw = (int) (c[2] * c[3]);
    int w = (int) c[3];
    for (int p = 0; p < planes; p++) {
      for (int y = 0; y < r.h(); y++) {
        int src = (p * r.h() + y) * r.w();
        int dst = p * hw + (r.row() + y) * w;
        if (toCanvas) {
          System.arraycopy(level, src, canvas, dst, r.w());
        } else {
          System.arraycopy(canvas, dst, level, src, r.w());
        }
      }
    }
  }
}
