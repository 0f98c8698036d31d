package io.detkit.core.bbox;

import static io.detkit.core.bbox.BboxOverlapsTest.boxes;
import static io.detkit.core.bbox.BboxOverlapsTest.randomBoxes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.tensor.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BoxesTest {
  @Test
  void xyxyToCxcywhGivesCentreAndSize() {
    INDArray out = Boxes.xyxyToCxcywh(boxes(DataType.FLOAT, 0, 0, 10, 20, 1, 2, 4, 3));
    assertThat(out.dataType()).isEqualTo(DataType.FLOAT);
    assertThat(out.shape()).containsExactly(2, 4);
    assertThat(Tensors.toFloats(out)).containsExactly(5, 10, 10, 20, 2.5f, 2.5f, 3, 1);
  }

  @Test
  void cxcywhToXyxyGivesCorners() {
    INDArray out = Boxes.cxcywhToXyxy(boxes(DataType.DOUBLE, 5, 10, 10, 20, 2.5f, 2.5f, 3, 1));
    assertThat(out.dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(Tensors.toDoubles(out)).containsExactly(0, 0, 10, 20, 1, 2, 4, 3);
  }

  @Test
  void conversionsRoundTripInBothPrecisions() {
    float[] xyxy = randomBoxes(new Random(7), 200);
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray b = boxes(type, xyxy);
      INDArray back = Boxes.cxcywhToXyxy(Boxes.xyxyToCxcywh(b));
      assertThat(back.dataType()).isEqualTo(type);
      double[] expected = Tensors.toDoubles(b);
      double[] actual = Tensors.toDoubles(back);
      for (int i = 0; i < actual.length; i++) {
        // float32 loses up to a few ulps of the coordinates (~1e-5 at 160) through the centre.
        assertThat(actual[i]).as("%s element %d", type, i)
            .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(type == DataType.FLOAT ? 1e-4 : 1e-12));
      }
    }
  }

  @Test
  void float32ConversionRoundsEachOperationToFloat() {
    // (x1 + x2) rounds in float32 before the halving: 16777216 + 1 -> 16777216, so the centre is 8388608.
    INDArray out = Boxes.xyxyToCxcywh(boxes(DataType.FLOAT, 1, 0, 16777216, 2));
    assertThat(out.getFloat(0, 0)).isEqualTo(8388608f);
    INDArray d = Boxes.xyxyToCxcywh(boxes(DataType.DOUBLE, 1, 0, 16777216, 2));
    assertThat(d.getDouble(0, 0)).isEqualTo(8388608.5);
  }

  @Test
  void areasAreNotClamped() {
    INDArray out = Boxes.areas(boxes(DataType.FLOAT, 0, 0, 10, 20, 5, 5, 3, 9, 1, 1, 1, 1));
    assertThat(out.shape()).containsExactly(3);
    assertThat(Tensors.toFloats(out)).containsExactly(200, -8, 0);
    assertThat(Boxes.areas(Nd4j.create(DataType.DOUBLE, 0, 4)).shape()).containsExactly(0);
  }

  @Test
  void clipClampsXToWidthAndYToHeight() {
    INDArray out = Boxes.clip(boxes(DataType.FLOAT, -5, -1, 120, 90, 10, 20, 30, 40), 80, 100);
    assertThat(Tensors.toFloats(out)).containsExactly(0, 0, 100, 80, 10, 20, 30, 40);
  }

  @Test
  void flipMirrorsInsideTheImageInEachDirection() {
    INDArray b = boxes(DataType.FLOAT, 10, 20, 30, 60);
    assertThat(Tensors.toFloats(Boxes.flip(b, 100, 200, "horizontal"))).containsExactly(170, 20, 190, 60);
    assertThat(Tensors.toFloats(Boxes.flip(b, 100, 200, "vertical"))).containsExactly(10, 40, 30, 80);
    assertThat(Tensors.toFloats(Boxes.flip(b, 100, 200, "diagonal"))).containsExactly(170, 40, 190, 80);
    assertThat(Tensors.toFloats(b)).containsExactly(10, 20, 30, 60);
  }

  @Test
  void flippingTwiceRestoresTheBoxes() {
    INDArray b = boxes(DataType.DOUBLE, randomBoxes(new Random(8), 20));
    for (String d : new String[] {"horizontal", "vertical", "diagonal"}) {
      assertThat(Tensors.toDoubles(Boxes.flip(Boxes.flip(b, 300, 400, d), 300, 400, d)))
          .as(d).containsExactly(Tensors.toDoubles(b));
    }
  }

  @Test
  void invalidArgumentsAreRejectedWithMessages() {
    assertThatThrownBy(() -> Boxes.areas(Nd4j.create(DataType.FLOAT, 3, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("boxes must be [N,4] (x1, y1, x2, y2); got [3,5]");
    assertThatThrownBy(() -> Boxes.xyxyToCxcywh(Nd4j.create(DataType.FLOAT, 2, 3, 4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("boxes must be [N,4] (x1, y1, x2, y2); got [2,3,4]");
    assertThatThrownBy(() -> Boxes.cxcywhToXyxy(Nd4j.create(DataType.INT32, 2, 4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("boxes must be a floating-point array; got INT");
    assertThatThrownBy(() -> Boxes.clip(Nd4j.create(DataType.FLOAT16, 2, 4), 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("boxes must be FLOAT or DOUBLE; got HALF");
    INDArray ok = Nd4j.create(DataType.FLOAT, 2, 4);
    assertThatThrownBy(() -> Boxes.clip(ok, -1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("height must be finite and >= 0; got -1.0");
    assertThatThrownBy(() -> Boxes.flip(ok, 10, Double.NaN, "horizontal"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("width must be finite and >= 0; got NaN");
    assertThatThrownBy(() -> Boxes.flip(ok, 10, 10, "sideways"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("direction must be one of 'horizontal', 'vertical', 'diagonal'; got 'sideways'");
  }
}
