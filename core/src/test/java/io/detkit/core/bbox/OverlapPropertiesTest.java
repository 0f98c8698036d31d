package io.detkit.core.bbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class OverlapPropertiesTest {
  @Provide
  Arbitrary<float[]> box() {
    Arbitrary<Float> corner = Arbitraries.floats().between(-500, 500);
    Arbitrary<Float> side = Arbitraries.floats().between(0.01f, 300);
    return Combinators.combine(corner, corner, side, side)
        .as((x, y, w, h) -> new float[] {x, y, x + w, y + h});
  }

  private static INDArray stack(List<float[]> boxes) {
    float[] flat = new float[4 * boxes.size()];
    for (int i = 0; i < boxes.size(); i++) {
      System.arraycopy(boxes.get(i), 0, flat, 4 * i, 4);
    }
    return Tensors.create(flat, DataType.FLOAT, boxes.size(), 4);
  }

  @Property(tries = 200)
  void iouIsSymmetricAndWithinZeroAndOne(@ForAll @Size(min = 1, max = 6) List<@From("box") float[]> a,
      @ForAll @Size(min = 1, max = 6) List<@From("box") float[]> b) {
    float[] ab = Tensors.toFloats(BboxOverlaps.bboxOverlaps(stack(a), stack(b)));
    float[] ba = Tensors.toFloats(BboxOverlaps.bboxOverlaps(stack(b), stack(a)));
    for (int i = 0; i < a.size(); i++) {
      for (int j = 0; j < b.size(); j++) {
        float v = ab[i * b.size() + j];
        assertThat(v).isEqualTo(ba[j * a.size() + i]);
        assertThat(v).isBetween(0f, 1f);
      }
    }
  }

  @Property(tries = 200)
  void giouIsWithinMinusOneAndOneAndAtMostIou(@ForAll @Size(min = 1, max = 6) List<@From("box") float[]> a,
      @ForAll @Size(min = 1, max = 6) List<@From("box") float[]> b) {
    float[] giou = Tensors.toFloats(BboxOverlaps.bboxOverlaps(stack(a), stack(b), OverlapMode.GIOU, false));
    float[] iou = Tensors.toFloats(BboxOverlaps.bboxOverlaps(stack(a), stack(b), OverlapMode.IOU, false));
    for (int k = 0; k < giou.length; k++) {
      // float32 rounding of the enclosing area and the union may leave one ulp either way.
      assertThat(giou[k]).isBetween(-1f, 1f + 1e-6f);
      assertThat(giou[k]).isLessThanOrEqualTo(iou[k] + 1e-6f);
    }
  }

  @Property(tries = 200)
  void iofIsAtMostOneAndOneForABoxInsideTheOther(@ForAll @Size(min = 1, max = 6) List<@From("box") float[]> a,
      @ForAll @Size(min = 1, max = 6) List<@From("box") float[]> b) {
    float[] iof = Tensors.toFloats(BboxOverlaps.bboxOverlaps(stack(a), stack(b), OverlapMode.IOF, false));
    for (float v : iof) {
      assertThat(v).isBetween(0f, 1f);
    }
    float[] self = Tensors.toFloats(BboxOverlaps.bboxOverlaps(stack(a), stack(a), OverlapMode.IOF, true));
    for (int i = 0; i < a.size(); i++) {
      float area = (a.get(i)[2] - a.get(i)[0]) * (a.get(i)[3] - a.get(i)[1]);
      if (area >= 1e-6f) {
        assertThat(self[i]).isEqualTo(1f);
      }
    }
  }

  @Property(tries = 300)
  void roundedReferenceKernelEqualsTheFastFloatKernelBitForBit(@ForAll("box") float[] a, @ForAll("box") float[] b) {
    double[] ad = {a[0], a[1], a[2], a[3]};
    double[] bd = {b[0], b[1], b[2], b[3]};
    for (OverlapMode mode : OverlapMode.values()) {
      double[] out = new double[1];
      OverlapKernels.pairwise(ad, 0, 1, bd, mode, (float) 1e-6, Precision.F32, out);
      assertThat((float) out[0]).isEqualTo(OverlapKernels.pairwise(a, b, mode, 1e-6f)[0]);
    }
  }
}
