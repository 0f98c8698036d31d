package io.detkit.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * A steady-state head step ({@link HeadBench#step}), run by {@code bench/run.sh} under JMH's
 * {@code -prof gc}: {@code gc.alloc.rate.norm} is the Java-heap bytes one step allocates. ND4J's
 * off-heap buffers (the gradients handed back, for one) are not in that count.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HeadAllocationBench {
  @Benchmark
  public double step(HeadState s) {
    return new HeadBench().step(s);
  }
}
