package io.detkit.losses.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.config.ConfigLoader;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import io.detkit.losses.Losses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Keeps README.md's quick start compiling and running: the snippet there must equal the block below. */
class ReadmeQuickStartTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path SELF =
      Path.of("src", "test", "java", "io", "detkit", "losses", "docs", "ReadmeQuickStartTest.java");

  @Test
  void quickStartRunsAndGivesAFiniteLossAndGradient() {
    // quickstart:begin
    Loss focal = Losses.build(ConfigLoader.fromPythonExpression(
        "dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0)", "quickstart"));
    INDArray logits = Nd4j.createFromArray(new float[][] {{2.0f, -1.0f, 0.5f}, {-3.0f, 0.2f, 1.5f}});
    INDArray labels = Nd4j.createFromArray(0L, 3L); // class ids; 3 == num_classes means background
    LossResult result = focal.forward(LossArgs.of(logits, labels).avgFactor(1.0));
    double value = result.scalar();        // the reduced loss
    INDArray grad = result.gradPred();     // d(loss)/d(logits), same shape as logits
    // quickstart:end
    assertThat(value).isPositive().isFinite();
    assertThat(grad.shape()).containsExactly(2, 3);
    // Row 0 is class 0: its logit is pushed up (negative gradient); background row 1 pushes all logits down.
    assertThat(grad.getDouble(0, 0)).isNegative();
    assertThat(grad.getDouble(1, 2)).isPositive();
  }

  @Test
  void readmeShowsExactlyTheTestedSnippet() throws IOException {
    List<String> inReadme = block(Files.readAllLines(README), "<!-- quickstart:begin -->", "<!-- quickstart:end -->");
    List<String> inTest = block(Files.readAllLines(SELF), "// quickstart:begin", "// quickstart:end");
    assertThat(inReadme.stream().filter(l -> !l.startsWith("```")).collect(Collectors.toList()))
        .isEqualTo(inTest);
  }

  private static List<String> block(List<String> lines, String begin, String end) {
    int from = -1;
    int to = -1;
    for (int i = 0; i < lines.size(); i++) {
      String t = lines.get(i).trim();
      if (t.equals(begin) && from < 0) {
        from = i + 1;
      } else if (t.equals(end) && from >= 0) {
        to = i;
        break;
      }
    }
    assertThat(from).as("marker " + begin).isPositive();
    assertThat(to).as("marker " + end).isGreaterThan(from);
    return lines.subList(from, to).stream().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.toList());
  }
}
