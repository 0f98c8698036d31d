package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.anchorfree.FCOSLoss;
import io.detkit.heads.anchorfree.VFNetLoss;
import io.detkit.heads.gfl.GFLLoss;
import io.detkit.heads.tood.TOODLoss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link HeadLoss#close()} on every head's loss path: it releases the gradients (and the details'
 * arrays) the call made, never a {@link HeadStep}'s arrays or the caller's outputs; it is
 * idempotent; afterwards the gradients and details are refused with a message naming the close,
 * while the loss values stay readable; and closing changes no number of a later call.
 */
class HeadLossCloseTest {
  private static final Map<String, String> TAGGED = Snippets.tagged(Snippets.repoRoot().resolve("heads/src"));
  private static final int SIZE = 32;
  private final List<GroundTruth> gts = List.of(GroundTruth.of(Tiny.boxes(2, 3, 18, 20), Tiny.labels(0)));
  private final List<ImageMeta> metas = List.of(Tiny.meta(SIZE, SIZE));

  private static BaseDenseHead head(String type) {
    return switch (type) {
      case "AnchorHead", "RetinaHead" -> Heads.build(Tiny.headConfig(type, -1, 0.0, -1));
      case "RPNHead" -> Heads.build(Tiny.headConfig(type, -1, 0.0, -1).without("num_classes"));
      case "ATSSHead" -> Heads.build(Tiny.headConfig(type, -1, 0.0, -1).with("train_cfg", Config.of("assigner",
          Config.of("type", "ATSSAssigner", "topk", 3), "allowed_border", -1, "pos_weight", -1, "debug", false)));
      case "VFNetHead" -> Heads.build(Config.of("type", "VFNetHead", "num_classes", 1, "strides", List.of(8, 16),
          "regress_ranges", List.of(List.of(-1, 16), List.of(16, 1e8)), "use_atss", false));
      default -> Heads.build(ConfigLoader.fromPython(TAGGED.get(type.replace("Head", "").toLowerCase() + "-config"),
          type + ".py").getConfig("bbox_head"));
    };
  }

  /** Every declared output of {@code head} for one {@code SIZE x SIZE} image, values in (0.1, 0.9). */
  private static HeadOutputs outputs(BaseDenseHead head, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    HeadOutputs out = HeadOutputs.empty();
    for (String name : head.outputNames()) {
      List<INDArray> levels = new ArrayList<>();
      for (int l = 0; l < head.numLevels(); l++) {
        int hw = (int) Math.ceil(SIZE / head.stride(l));
        int c = head.outputChannels(name, l);
        double[] v = new double[c * hw * hw];
        Arrays.setAll(v, i -> r.nextDouble(0.1, 0.9));
        levels.add(Tensors.create(v, DataType.FLOAT, 1, c, hw, hw));
      }
      out = out.with(name, levels);
    }
    return out;
  }

  private static List<INDArray> arrays(HeadOutputs o) {
    List<INDArray> all = new ArrayList<>();
    o.names().forEach(n -> all.addAll(o.get(n)));
    return all;
  }

  /** The loss values and gradients of a call, bit for bit. */
  private static String bits(HeadLoss loss) {
    StringBuilder sb = new StringBuilder();
    for (String name : loss.names()) {
      sb.append(name).append(Arrays.toString(loss.get(name)));
    }
    for (INDArray g : arrays(loss.grads())) {
      sb.append(Arrays.toString(Tensors.toFloats(g)));
    }
    return sb.toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {"AnchorHead", "RPNHead", "RetinaHead", "ATSSHead", "GFLHead", "TOODHead", "FCOSHead",
      "VFNetHead"})
  void closeReleasesTheGradientsItOwnsAndNotTheInputs(String type) {
    BaseDenseHead head = head(type);
    HeadOutputs outs = outputs(head, 5);
    HeadLoss loss = head.loss(outs, gts, metas, 0);
    assertThat(loss.hasLosses()).isTrue();
    String before = bits(loss);
    double total = loss.total();
    List<INDArray> grads = arrays(loss.grads());
    List<INDArray> details = detailArrays(type, loss);

    loss.close();

    assertThat(loss.isClosed()).isTrue();
    assertThat(grads).allSatisfy(g -> assertThat(g.wasClosed()).isTrue());
    assertThat(details).allSatisfy(a -> assertThat(a.wasClosed()).isTrue());
    assertThat(arrays(outs)).noneSatisfy(a -> assertThat(a.wasClosed()).isTrue());
    assertThatThrownBy(loss::grads).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("HeadLoss was closed").hasMessageContaining("grads()");
    assertThatThrownBy(() -> loss.details(LossDetails.class)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("HeadLoss was closed");
    assertThat(loss.total()).isEqualTo(total);
    loss.close();  // a second close does nothing
    try (HeadLoss again = head.loss(outs, gts, metas, 0)) {
      assertThat(bits(again)).isEqualTo(before);
    }
  }

  /** The ND4J arrays a head's details hold (checked to be released with the loss). */
  private static List<INDArray> detailArrays(String type, HeadLoss loss) {
    return switch (type) {
      case "FCOSHead" -> {
        FCOSLoss d = loss.details(FCOSLoss.class);
        yield List.of(d.posDecodedBboxPreds(), d.posDecodedBboxTargets());
      }
      case "VFNetHead" -> {
        VFNetLoss d = loss.details(VFNetLoss.class);
        yield List.of(d.posDecodedBboxPreds(), d.posDecodedBboxPredsRefine(), d.posDecodedBboxTargets());
      }
      case "GFLHead" -> {
        assertThat(loss.details(GFLLoss.class).bboxAvgFactor()).isPositive();
        yield List.of();
      }
      case "TOODHead" -> {
        assertThat(loss.details(TOODLoss.class).clsAvgFactor()).isPositive();
        yield List.of();
      }
      default -> {
        assertThatThrownBy(() -> loss.details(GFLLoss.class)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("carries no details").hasMessageContaining("GFLLoss");
        yield List.of();
      }
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"AnchorHead", "RPNHead", "RetinaHead", "ATSSHead", "GFLHead", "TOODHead", "FCOSHead",
      "VFNetHead"})
  void aStepsArraysSurviveCloseAndAreReusedWithTheSameBits(String type) {
    BaseDenseHead head = head(type);
    HeadOutputs outs = outputs(head, 9);
    String reference;
    try (HeadLoss plain = head.loss(outs, gts, metas, 0)) {
      reference = bits(plain);
    }
    HeadStep step = new HeadStep();
    HeadLoss first = head.loss(outs, gts, metas, 0, step);
    assertThat(bits(first)).isEqualTo(reference);
    List<INDArray> kept = arrays(first.grads());
    first.close();
    assertThat(kept).noneSatisfy(g -> assertThat(g.wasClosed()).isTrue());
    try (HeadLoss second = head.loss(outs, gts, metas, 0, step)) {
      assertThat(bits(second)).isEqualTo(reference);
      assertThat(arrays(second.grads())).containsExactlyElementsOf(kept);
    }
  }

  @Test
  void aGradientHandedInAsTheCallersOwnOutputIsCopiedSoCloseLeavesTheInput() {
    HeadOutputs outs = Tiny.outputs(1, 0.5, 0.25);
    INDArray input = outs.get(HeadOutputs.CLS_SCORES, 0);
    GradAccumulator acc = new GradAccumulator(outs, DataType.FLOAT);
    acc.add(HeadOutputs.CLS_SCORES, 0, input);
    acc.add(HeadOutputs.BBOX_PREDS, 0, outs.get(HeadOutputs.BBOX_PREDS, 0).reshape(1, 4, 2, 2));
    HeadLoss loss = HeadLoss.of(Map.of("loss", new double[] {1}), acc.toOutputs(), null);
    INDArray grad = loss.grads().get(HeadOutputs.CLS_SCORES, 0);
    assertThat(grad).isNotSameAs(input).isEqualTo(input);
    loss.close();
    assertThat(grad.wasClosed()).isTrue();
    assertThat(arrays(outs)).noneSatisfy(a -> assertThat(a.wasClosed()).isTrue());
    assertThat(input.getDouble(0)).isEqualTo(0.5);
  }
}
