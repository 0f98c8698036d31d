package io.detkit.heads;

import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.ComponentRunner;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import java.util.List;
import java.util.Set;

/**
 * The golden runner of one head type: builds the head from the case's config through
 * {@link Heads#build(io.detkit.core.config.Config, Class)} and sends the case's call to
 * {@link #runLoss} (the loss cases, full or summary only) or {@link #runGetBboxes}.
 *
 * @param <H> the head
 */
abstract class HeadCaseRunner<H extends BaseDenseHead> implements ComponentRunner {
  static final String LOSS = "loss + get_targets";
  static final String SUMMARY = "loss + get_targets (summary only)";

  private final String type;
  private final Class<H> kind;

  HeadCaseRunner(String type, Class<H> kind) {
    this.type = type;
    this.kind = kind;
  }

  @Override
  public final Set<String> components() {
    return Set.of(type);
  }

  @Override
  public final CaseOutputs run(GoldenCase c) {
    H head = Heads.build(c.config(), kind);
    List<ImageMeta> metas = ImageMeta.listFromConfig(c.call().getList("img_metas"));
    return switch (c.method()) {
      case LOSS, SUMMARY -> runLoss(c, head, metas, c.method().equals(SUMMARY));
      case "get_bboxes" -> runGetBboxes(c, head, metas);
      default -> throw new UnsupportedCaseException(c.id() + ": unknown " + type + " call '" + c.method() + "'");
    };
  }

  /** A loss case; {@code summary}: the outputs are generated and only summaries are stored. */
  abstract CaseOutputs runLoss(GoldenCase c, H head, List<ImageMeta> metas, boolean summary);

  /** A {@code get_bboxes} case; the default runs an anchor head's ({@link HeadRunner#runGetBboxes}). */
  CaseOutputs runGetBboxes(GoldenCase c, H head, List<ImageMeta> metas) {
    if (!(head instanceof AnchorHead a)) {
      throw new UnsupportedCaseException(c.id() + ": no get_bboxes runner for " + type);
    }
    return HeadRunner.runGetBboxes(c, a, metas);
  }
}
