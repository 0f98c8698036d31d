package io.detkit.heads.reliability;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.ATSSHead;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadBuilder;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.HeadTargets;
import io.detkit.heads.ImageMeta;
import io.detkit.heads.RetinaHead;
import io.detkit.heads.TrainConfig;
import io.detkit.losses.Losses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's RetinaNet and ATSS head configs (COCO's 80 classes, strides 8 to 128), built with a
 * chosen executor, and reproducible random outputs and ground truths for them.
 */
final class HeadFixtures {
  private HeadFixtures() {}

  static final Config RETINA = ConfigLoader.fromPythonExpression("dict(type='RetinaHead', num_classes=80,"
      + " anchor_generator=dict(type='AnchorGenerator', octave_base_scale=4, scales_per_octave=3,"
      + " ratios=[0.5, 1.0, 2.0], strides=[8, 16, 32, 64, 128]),"
      + " bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0], target_stds=[1.0, 1.0, 1.0, 1.0]),"
      + " loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0),"
      + " loss_bbox=dict(type='L1Loss', loss_weight=1.0),"
      + " train_cfg=dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.4, min_pos_iou=0,"
      + " ignore_iof_thr=-1), allowed_border=-1, pos_weight=-1, debug=False))", "retina");

  static final Config ATSS = ConfigLoader.fromPythonExpression("dict(type='ATSSHead', num_classes=80,"
      + " anchor_generator=dict(type='AnchorGenerator', ratios=[1.0], octave_base_scale=8, scales_per_octave=1,"
      + " strides=[8, 16, 32, 64, 128]),"
      + " bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0], target_stds=[0.1, 0.1, 0.2, 0.2]),"
      + " loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0),"
      + " loss_bbox=dict(type='GIoULoss', loss_weight=2.0),"
      + " loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),"
      + " train_cfg=dict(assigner=dict(type='ATSSAssigner', topk=9), allowed_border=-1, pos_weight=-1,"
      + " debug=False))", "atss");

  /** The config's head, with {@code executor} running the per-image work (null: the caller). */
  static AnchorHead build(Config c, Executor executor) {
    HeadBuilder<?, ? extends AnchorHead> b = c.type().orElseThrow().equals("ATSSHead")
        ? new ATSSHead.Builder().lossCenterness(Losses.build(c.getConfig("loss_centerness")))
        : new RetinaHead.Builder();
    b.params(p -> p.withNumClasses(c.getInt("num_classes"))
        .withAnchorGenerator(CoreRegistries.buildPriorGenerator(c.getConfig("anchor_generator")))
        .withBboxCoder(CoreRegistries.buildBBoxCoder(c.getConfig("bbox_coder")))
        .withLossCls(Losses.build(c.getConfig("loss_cls")))
        .withUseSigmoidCls(true)
        .withLossBbox(Losses.build(c.getConfig("loss_bbox")))
        .withTrainCfg(TrainConfig.fromConfig(c.getConfig("train_cfg")))
        .withExecutor(executor));
    return b.build();
  }

  /** Feature-map sizes of a padded {@code h x w} image for strides 8 to 128 (ceil division). */
  static List<int[]> featmapSizes(int h, int w) {
    List<int[]> out = new ArrayList<>();
    for (int s = 8; s <= 128; s *= 2) {
      out.add(new int[] {(h + s - 1) / s, (w + s - 1) / s});
    }
    return out;
  }

  /** Random outputs in {@code [-scale, scale]} for {@code images} images of a head. */
  static HeadOutputs outputs(AnchorHead head, int images, List<int[]> sizes, DataType t, double scale, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<INDArray> cls = new ArrayList<>();
    List<INDArray> box = new ArrayList<>();
    List<INDArray> ctr = new ArrayList<>();
    for (int l = 0; l < sizes.size(); l++) {
      int a = head.numBaseAnchors(l);
      int[] hw = sizes.get(l);
      cls.add(random(r, t, scale, images, a * head.clsOutChannels(), hw[0], hw[1]));
      box.add(random(r, t, Math.min(scale, 1.0), images, a * 4, hw[0], hw[1]));
      ctr.add(random(r, t, scale, images, a, hw[0], hw[1]));
    }
    HeadOutputs out = HeadOutputs.of(cls, box);
    return head instanceof ATSSHead ? out.with(HeadOutputs.CENTERNESSES, ctr) : out;
  }

  private static INDArray random(SplittableRandom r, DataType t, double scale, long... shape) {
    float[] v = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, (x, y) -> x * y))];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble(-scale, scale);
    }
    return Tensors.create(v, t, shape);
  }

  /** {@code k} boxes inside an {@code h x w} image, labels in [0, 80). */
  static GroundTruth gts(int k, int h, int w, DataType t, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] b = new double[4 * k];
    long[] labels = new long[k];
    for (int j = 0; j < k; j++) {
      double bw = 8 + r.nextDouble() * Math.min(300, w / 2.0);
      double bh = 8 + r.nextDouble() * Math.min(300, h / 2.0);
      double x = r.nextDouble() * (w - bw);
      double y = r.nextDouble() * (h - bh);
      b[4 * j] = x;
      b[4 * j + 1] = y;
      b[4 * j + 2] = x + bw;
      b[4 * j + 3] = y + bh;
      labels[j] = r.nextInt(80);
    }
    return GroundTruth.of(Tensors.create(b, t, k, 4), Tensors.createLong(labels, k));
  }

  static List<ImageMeta> metas(int images, int h, int w) {
    List<ImageMeta> m = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      m.add(ImageMeta.ofSize(h, w));
    }
    return m;
  }

  /** Every target, loss and gradient of a loss call as exact bit patterns. */
  static String fingerprint(HeadLoss loss) {
    StringBuilder sb = new StringBuilder();
    for (String name : loss.names()) {
      sb.append(name).append('=');
      for (double v : loss.get(name)) {
        sb.append(Long.toHexString(Double.doubleToRawLongBits(v))).append(',');
      }
    }
    HeadOutputs g = loss.grads();
    for (String name : g.names()) {
      for (INDArray a : g.get(name)) {
        sb.append(name).append(Arrays.toString(a.shape())).append(Integer.toHexString(Arrays.hashCode(
            Tensors.toDoubles(a))));
      }
    }
    HeadTargets t = loss.targets().orElse(null);
    if (t != null) {
      sb.append("pos=").append(t.numTotalPos()).append(" neg=").append(t.numTotalNeg());
      for (int l = 0; l < t.numLevels(); l++) {
        sb.append(Arrays.hashCode(t.labelsData(l))).append(',').append(Arrays.hashCode(t.labelWeightsData(l)))
            .append(',').append(Arrays.hashCode(t.bboxTargetsData(l))).append(',')
            .append(Arrays.hashCode(t.bboxWeightsData(l))).append(';');
      }
    }
    return sb.toString();
  }
}
