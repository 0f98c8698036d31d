package io.detkit.heads.anchorfree;

import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.GoldenSet;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadOutputs;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The stored inputs of a bundled golden head case (point or anchor heads), for tests that rerun them differently. */
public final class GoldenPointInputs {
  private GoldenPointInputs() {}

  /** The bundled case {@code id}. */
  public static GoldenCase golden(String id) {
    return GoldenSet.bundled().cases().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
  }

  /** The head outputs {@code names} of {@code c}, every stored level. */
  public static HeadOutputs outputs(GoldenCase c, List<String> names) {
    HeadOutputs out = HeadOutputs.empty();
    for (String name : names) {
      List<INDArray> levels = new ArrayList<>();
      for (int l = 0; c.hasInput(name + "_l" + l); l++) {
        levels.add(c.input(name + "_l" + l));
      }
      out = out.with(name, levels);
    }
    return out;
  }

  /** The ground truths of the {@code n} images of {@code c}. */
  public static List<GroundTruth> gts(GoldenCase c, int n) {
    List<GroundTruth> g = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      g.add(GroundTruth.of(c.input("gt_bboxes_img" + j), c.input("gt_labels_img" + j)));
    }
    return g;
  }
}
