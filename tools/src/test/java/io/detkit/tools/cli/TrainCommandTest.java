package io.detkit.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.tools.examples.EarlyStopHook;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code detkit train}'s runner options and {@code custom_hooks} from the command line. */
class TrainCommandTest {
  @Test
  void noValidateTrainsWithoutEvaluationOrPictures(@TempDir Path dir) {
    CommandErrorsTest.Run r = CommandErrorsTest.run("train", CommandErrorsTest.ATSS, "--max-iters", "2",
        "--no-validate", "--no-progress", "--work-dir", dir.toString(), "--cfg-options", "data.train.num_images=16",
        "data.samples_per_gpu=8");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("trained 2 iterations").doesNotContain("bbox_mAP");
    assertThat(dir.resolve("metrics.json")).isNotEmptyFile();
    assertThat(dir.resolve("latest.ckpt")).isNotEmptyFile();
    assertThat(dir.resolve("val_predictions.png")).doesNotExist();
  }

  @Test
  void aMistypedCustomHookTypeIsACleanErrorWithTheClosestName() {
    EarlyStopHook.register();
    CommandErrorsTest.assertCleanError(CommandErrorsTest.run("train", CommandErrorsTest.ATSS, "--cfg-options",
        "custom_hooks=[dict(type='EarlyStopHok', patience=2)]"), "custom_hooks[0].type",
        "unknown hook type 'EarlyStopHok'", "did you mean 'EarlyStopHook'?");
  }
}
