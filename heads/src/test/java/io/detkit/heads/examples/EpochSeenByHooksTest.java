package io.detkit.heads.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.AssignResult;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadBuilder;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.InsideAnchors;
import io.detkit.heads.LevelLosses;
import io.detkit.heads.Tiny;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The epoch a trainer hands to {@code loss(..., epoch)} reaches the assignment hook (on the
 * executor) and the per-level loss hook, from a head outside {@code io.detkit.heads}: what a head
 * with an initial training phase (TOOD) switches on.
 */
class EpochSeenByHooksTest {
  /** Records the epochs its hooks saw. */
  static final class Recording extends AnchorHead {
    final Set<Integer> assigned = ConcurrentHashMap.newKeySet();
    final Set<Integer> levels = ConcurrentHashMap.newKeySet();

    Recording(HeadBuilder<?, ?> b) {
      super(b);
    }

    @Override
    protected AssignResult assign(InsideAnchors in) {
      assigned.add(in.image().epoch());
      return super.assign(in);
    }

    @Override
    protected void levelLosses(LevelLosses level) {
      levels.add(level.epoch());
      super.levelLosses(level);
    }
  }

  static final class Builder extends HeadBuilder<Builder, Recording> {
    Builder() {
      super(Recording.class, Recording::new);
    }
  }

  @Test
  void theTrainersEpochReachesTheHooks() {
    Recording head = new Builder().fromConfig(Tiny.headConfig("Recording", -1, 0, -1));
    List<GroundTruth> gts = List.of(GroundTruth.of(Tiny.boxes(8, 8, 24, 24), Tiny.labels(0)), Tiny.noGt());
    HeadLoss at7 = head.loss(Tiny.outputs(2, 0, 0), gts, List.of(Tiny.meta(32, 32), Tiny.meta(32, 32)), 7);
    assertThat(head.assigned).containsExactly(7);
    assertThat(head.levels).containsExactly(7);
    assertThat(at7.targets().orElseThrow().epoch()).isEqualTo(7);
    // Without an epoch the call is epoch 0, and the values do not depend on it here.
    HeadLoss plain = head.loss(Tiny.outputs(2, 0, 0), gts, List.of(Tiny.meta(32, 32), Tiny.meta(32, 32)));
    assertThat(head.assigned).containsExactlyInAnyOrder(0, 7);
    assertThat(plain.get("loss_cls")).containsExactly(at7.get("loss_cls"));
    assertThatThrownBy(() -> head.loss(Tiny.outputs(1, 0, 0), List.of(Tiny.noGt()), List.of(Tiny.meta(32, 32)), -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("epoch must be >= 0; got -1");
  }
}
