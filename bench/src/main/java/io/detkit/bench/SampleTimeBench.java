package io.detkit.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The measurement settings detkit's benchmarks share, declared once: the benchmark class is its
 * own state, one instance for all threads of a trial ({@code Scope.Benchmark}, inputs built in a
 * {@code @Setup(Level.Trial)} method), and every call is timed ({@code Mode.SampleTime}) in
 * milliseconds, so that JMH reports the percentiles (p50, p90) that {@code docs/performance.md}
 * quotes. JMH reads these annotations from the superclass; a subclass adds its own (e.g.
 * {@code @Fork}) and its {@code @Benchmark} methods.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public abstract class SampleTimeBench {
}
