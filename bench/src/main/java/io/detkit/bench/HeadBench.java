package io.detkit.bench;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * {@code loss()} call (anchors, targets, losses, gradients); {@code stepInWorkspace} the same call
 * inside an ND4J workspace ({@link #STEP_WORKSPACE}), whose memory the step's arrays reuse once
 * its size is learned, so that a steady-state step does not allocate and page in fresh off-heap
 * memory (the gradients are read before the scope closes, as a trainer would consume them).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HeadBench {
  /** Learns its size on the first step, then reuses it; a larger step reallocates. */
  public static final WorkspaceConfiguration STEP_WORKSPACE = WorkspaceConfiguration.builder().initialSize(0)
      .policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.FIRST_LOOP)
      .policySpill(SpillPolicy.REALLOCATE).build();

  @Benchmark
  public HeadTargets targets(HeadState s) {
    return s.computeTargets(s.computeAnchors());
  }

  @Benchmark
  public HeadLoss loss(HeadState s) {
    return s.denseHead.lossFromTargets(s.outputs, s.anchors, s.targets);
  }

  @Benchmark
  public HeadLoss step(HeadState s) {
    return s.denseHead.loss(s.outputs, s.gts, s.metas);
  }

  @Benchmark
  public double stepInWorkspace(HeadState s) {
    return stepInWorkspaceOnce(s);
  }

  /** One step inside {@link #STEP_WORKSPACE}, reading every gradient before the scope closes. */
  static double stepInWorkspaceOnce(HeadState s) {
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WORKSPACE, "detkit-step")) {
      HeadLoss l = s.denseHead.loss(s.outputs, s.gts, s.metas);
      double check = l.total();
      for (String name : l.grads().names()) {
        for (INDArray g : l.grads().get(name)) {
          check += g.getDouble(0);
        }
      }
      return check;
    }
  }
}
