package io.detkit.core.assign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.PyTuple;
import java.util.List;
import org.junit.jupiter.api.Test;

class AssignersTest {
  @Test
  void buildsMaxIoUAssignerWithMmdetectionDefaults() {
    BaseAssigner a = CoreRegistries.BBOX_ASSIGNERS.build(Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.5,
        "neg_iou_thr", 0.4, "min_pos_iou", 0, "ignore_iof_thr", -1));
    assertThat(a).isInstanceOf(MaxIoUAssigner.class);
    MaxIoUAssigner m = (MaxIoUAssigner) a;
    assertThat(m.params().posIouThr()).isEqualTo(0.5);
    assertThat(m.params().negativeRule()).isEqualTo(MaxIoUAssigner.NegativeRule.BELOW);
    assertThat(m.params().negIouHigh()).isEqualTo(0.4);
    assertThat(m.params().minPosIou()).isZero();
    assertThat(m.params().gtMaxAssignAll()).isTrue();
    assertThat(m.params().ignoreWrtCandidates()).isTrue();
    assertThat(m.params().matchLowQuality()).isTrue();
    assertThat(m.params().ignoreIofThr()).isEqualTo(-1);
  }

  @Test
  void onlyATSSAsksHeadsForPerLevelPriorCounts() {
    assertThat(CoreRegistries.buildAssigner(Config.of("type", "ATSSAssigner", "topk", 9)).usesLevelCounts()).isTrue();
    assertThat(CoreRegistries.buildAssigner(Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.5,
        "neg_iou_thr", 0.4)).usesLevelCounts()).isFalse();
    assertThat(CoreRegistries.buildAssigner(Config.of("type", "TaskAlignedAssigner", "topk", 13)).usesLevelCounts())
        .isFalse();
  }

  @Test
  void acceptsEveryMmdetectionParameter() {
    MaxIoUAssigner m = (MaxIoUAssigner) CoreRegistries.buildAssigner(Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.7,
        "neg_iou_thr", PyTuple.of(List.of(0.1, 0.3)), "min_pos_iou", 0.3, "gt_max_assign_all", false,
        "ignore_iof_thr", 0.5, "ignore_wrt_candidates", false, "match_low_quality", false, "gpu_assign_thr", 20,
        "iou_calculator", Config.of("type", "BboxOverlaps2D")));
    assertThat(m.params().negativeRule()).isEqualTo(MaxIoUAssigner.NegativeRule.RANGE);
    assertThat(m.params().negIouLow()).isEqualTo(0.1);
    assertThat(m.params().negIouHigh()).isEqualTo(0.3);
    assertThat(m.params().gtMaxAssignAll()).isFalse();
    assertThat(m.params().ignoreWrtCandidates()).isFalse();
    assertThat(m.params().matchLowQuality()).isFalse();
  }

  @Test
  void buildsAtssAssigner() {
    ATSSAssigner plain = (ATSSAssigner) CoreRegistries.buildAssigner(Config.of("type", "ATSSAssigner", "topk", 9));
    assertThat(plain.params().topk()).isEqualTo(9);
    assertThat(plain.params().alpha()).isNull();
    assertThat(plain.params().ignoreIofThr()).isEqualTo(-1);
    ATSSAssigner ddod = (ATSSAssigner) CoreRegistries.buildAssigner(Config.of("type", "ATSSAssigner", "topk", 9, "alpha", 0.8,
        "ignore_iof_thr", 0.5, "iou_calculator", Config.of("type", "BboxOverlaps2D", "scale", 1.0)));
    assertThat(ddod.params().alpha()).isEqualTo(0.8);
    assertThat(ddod.params().ignoreIofThr()).isEqualTo(0.5);
  }

  @Test
  void rejectsBadConfigsNamingTheKey() {
    assertThatThrownBy(() -> CoreRegistries.buildAssigner(Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.5,
        "neg_iou_thr", 0.4, "min_pos_iuo", 0.1)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("min_pos_iuo").hasMessageContaining("min_pos_iou");
    assertThatThrownBy(() -> CoreRegistries.buildAssigner(Config.of("type", "MaxIoUAssigner", "neg_iou_thr", 0.4)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("pos_iou_thr");
    assertThatThrownBy(() -> CoreRegistries.buildAssigner(Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.5)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("neg_iou_thr");
    assertThatThrownBy(() -> CoreRegistries.buildAssigner(Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.5,
        "neg_iou_thr", PyTuple.of(List.of(0.1, 0.2, 0.3)))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("(low, high)");
    assertThatThrownBy(() -> CoreRegistries.buildAssigner(Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.5,
        "neg_iou_thr", 0.4, "iou_calculator", Config.of("type", "BboxOverlaps3D"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("iou_calculator.type");
    assertThatThrownBy(() -> CoreRegistries.buildAssigner(Config.of("type", "ATSSAssigner", "topk", 9.0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("topk");
    assertThatThrownBy(() -> CoreRegistries.buildAssigner(Config.of("type", "ATSSAssigner", "topk", 9, "iou_calculator",
        Config.of("type", "BboxOverlaps2D", "dtype", "fp16"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("dtype");
    assertThatThrownBy(() -> CoreRegistries.buildAssigner(Config.of("type", "MaxIouAssigner")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("MaxIoUAssigner");
  }
}
