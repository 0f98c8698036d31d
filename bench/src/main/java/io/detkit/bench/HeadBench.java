package io.detkit.bench;

import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadTargets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * A training step of RetinaHead and ATSSHead for one image or a batch of two ({@link HeadState}):
 * {@code targets} is {@code get_anchors} plus {@code get_targets}; {@code loss} the loss forward
 * and the gradients of every output from precomputed targets; {@code step} MMDetection's whole
 * {@code loss()} call (anchors, targets, losses, gradients).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HeadBench {
  @Benchmark
  public HeadTargets targets(HeadState s) {
    return s.computeTargets(s.computeAnchors());
  }

  @Benchmark
  public HeadLoss loss(HeadState s) {
    return s.step.lossFromTargets(s.outputs, s.anchors, s.targets);
  }

  @Benchmark
  public HeadLoss step(HeadState s) {
    return s.step.head().loss(s.outputs, s.gts, s.metas);
  }
}
