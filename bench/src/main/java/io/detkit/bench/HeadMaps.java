package io.detkit.bench;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The output maps a head's convolutions would hand each benchmarked head at COCO scale
 * ({@link CocoScale#featmapSizes()}), NCHW {@code [batch, channels, h, w]} packed, drawn from fixed
 * seeds so that detkit and {@code bench/pytorch_bench.py} (through {@link ExportInputs}) see the same
 * numbers. Each head gets values of the kind its loss expects: logits for the sigmoid heads,
 * probabilities for TOOD, positive stride-unit distances for FCOS, peaked distributions for GFL and
 * boxes around their anchors for TOOD, so that the assigners and losses do their usual work.
 */
public final class HeadMaps {
  /** GFL's {@code reg_max}: 17 bins per side. */
  public static final int GFL_REG_MAX = 16;

  private HeadMaps() {}

  /** A benchmarked head's kind of outputs (TOOD's two phases share one kind). */
  public enum Kind {
    RETINA(9, List.of(Output.CLS, Output.REG)),
    ATSS(1, List.of(Output.CLS, Output.REG, Output.CTR)),
    GFL(1, List.of(Output.CLS, Output.REG)),
    FCOS(1, List.of(Output.CLS, Output.REG, Output.CTR)),
    TOOD(1, List.of(Output.CLS, Output.REG));

    private final int priorsPerLocation;
    private final List<Output> outputs;

    Kind(int priorsPerLocation, List<Output> outputs) {
      this.priorsPerLocation = priorsPerLocation;
      this.outputs = outputs;
    }

    /** The export file prefix: {@code retina}, {@code atss}, {@code gfl}, {@code fcos}, {@code tood}. */
    public String key() {
      return HeadMaps.key(this);
    }

    /** Anchors (or points) per location. */
    public int priorsPerLocation() {
      return priorsPerLocation;
    }

    /** The outputs the head reads, in {@code HeadOutputs} order. */
    public List<Output> outputs() {
      return outputs;
    }
  }

  /** The outputs a head's convolutions emit for a level, per image. */
  public enum Output {
    /** Classification logits (TOOD: probabilities), {@code A * NUM_CLASSES} channels. */
    CLS,
    /** Box regression: deltas, distances, distributions or boxes, by head. */
    REG,
    /** Centerness logits (ATSS, FCOS), {@code A} channels. */
    CTR;

    /** {@code cls}, {@code reg} or {@code ctr}: the export file infix. */
    public String key() {
      return HeadMaps.key(this);
    }

    /** Channels of this output for {@code head}. */
    public int channels(Kind head) {
      int a = head.priorsPerLocation();
      return switch (this) {
        case CLS -> a * CocoScale.NUM_CLASSES;
        case REG -> head == Kind.GFL ? a * 4 * (GFL_REG_MAX + 1) : a * 4;
        case CTR -> a;
      };
    }
  }

  /** The export file names' rule for both enums: the constant's name in lower case. */
  private static String key(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /**
   * One level of a head output for {@code batch} images; the first image's values do not depend on
   * {@code batch}. Classification: RetinaNet's prior bias {@code -4.595} plus N(0, 1) (TOOD: its
   * sigmoid). Regression: RetinaHead deltas N(0, 0.2), ATSSHead N(0, 0.5); FCOS distances
   * {@code max(1.5 z + 2.5, 0)} in stride units (its {@code norm_on_bbox} training output); GFL N(0, 1)
   * logits plus a bump of height 4 around a random bin below {@code 0.6 * reg_max} per side and
   * location, as a trained head's peaked distributions; TOOD boxes in stride units around each
   * anchor's centre with sides {@code 2 exp(z / 2)}. Centerness: N(0, 1) logits.
   */
  public static float[] map(Kind head, Output out, int level, int batch) {
    int[] hw = CocoScale.featmapSizes().get(level);
    int area = hw[0] * hw[1];
    int per = out.channels(head) * area;
    float[] v = new float[batch * per];
    for (int b = 0; b < batch; b++) {
      SplittableRandom r = new SplittableRandom(1000L * head.ordinal() + 100L * out.ordinal() + 10L * level + b);
      if (out == Output.REG && head == Kind.GFL) {
        gflDistributions(r, v, b * per, area);
      } else if (out == Output.REG && head == Kind.TOOD) {
        toodBoxes(r, v, b * per, hw[0], hw[1]);
      } else {
        for (int i = 0; i < per; i++) {
          v[b * per + i] = (float) value(head, out, CocoScale.gaussian(r));
        }
      }
    }
    return v;
  }

  private static double value(Kind head, Output out, double g) {
    double bias = -Math.log((1 - 0.01) / 0.01);
    return switch (out) {
      case CLS -> head == Kind.TOOD ? 1 / (1 + Math.exp(-(bias + g))) : bias + g;
      case REG -> switch (head) {
        case RETINA -> 0.2 * g;
        case FCOS -> Math.max(1.5 * g + 2.5, 0);
        default -> 0.5 * g;
      };
      case CTR -> g;
    };
  }

  /** GFL: channel {@code side * (reg_max + 1) + bin}; one peak centre per side and location. */
  private static void gflDistributions(SplittableRandom r, float[] v, int at, int area) {
    int bins = GFL_REG_MAX + 1;
    double[] centre = new double[4 * area];
    for (int i = 0; i < centre.length; i++) {
      centre[i] = r.nextDouble(0, 0.6 * GFL_REG_MAX);
    }
    for (int side = 0; side < 4; side++) {
      for (int bin = 0; bin < bins; bin++) {
        int base = at + (side * bins + bin) * area;
        for (int p = 0; p < area; p++) {
          double d = (bin - centre[side * area + p]) / 1.5;
          v[base + p] = (float) (CocoScale.gaussian(r) + 4 * Math.exp(-0.5 * d * d));
        }
      }
    }
  }

  /** TOOD: {@code (x - l, y - t, x + r, y + b)} around the anchor centre {@code (x, y)} in stride units. */
  private static void toodBoxes(SplittableRandom r, float[] v, int at, int h, int w) {
    int area = h * w;
    for (int side = 0; side < 4; side++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double d = 2 * Math.exp(0.5 * CocoScale.gaussian(r));
          double c = side % 2 == 0 ? x : y;
          v[at + side * area + y * w + x] = (float) (side < 2 ? c - d : c + d);
        }
      }
    }
  }
}
