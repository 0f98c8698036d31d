#!/usr/bin/env bash
# Builds detkit-bench, runs the JMH suite, then the same computations in PyTorch, and prints one
# side-by-side table (bench/pytorch_bench.py). Not part of `mvn verify`.
#
#   bench/run.sh                      # everything, default settings
#   BENCH='LossBench|NmsBench' bench/run.sh   # a subset (JMH regexp over benchmark names)
#
# Settings (environment):
#   FORKS=1 WARMUP_ITERS=3 WARMUP_TIME=2s ITERS=5 ITER_TIME=3s   JMH forks / iterations
#   THREADS=2         compute threads for both sides: OMP_NUM_THREADS for ND4J, torch.set_num_threads
#   BENCH=.           JMH benchmark regexp
#   JMH_EXTRA=        extra JMH arguments (e.g. "-prof stack" or "-prof jfr")
#   PROF_GC=1         also run HeadAllocationBench under -prof gc (allocation per head step)
#   SKIP_BUILD=0      1 reuses bench/target from the last build
#   SKIP_TORCH=0      1 prints detkit's numbers alone
#   PYTHON=/usr/bin/python3   the interpreter with Debian's python3-torch and python3-torchvision
#   OUT=bench/target/results  where the JMH JSON, the exported inputs and the table go
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

FORKS="${FORKS:-1}"
WARMUP_ITERS="${WARMUP_ITERS:-3}"
WARMUP_TIME="${WARMUP_TIME:-2s}"
ITERS="${ITERS:-5}"
ITER_TIME="${ITER_TIME:-3s}"
THREADS="${THREADS:-2}"
BENCH="${BENCH:-.}"
JMH_EXTRA="${JMH_EXTRA:-}"
PROF_GC="${PROF_GC:-1}"
SKIP_BUILD="${SKIP_BUILD:-0}"
SKIP_TORCH="${SKIP_TORCH:-0}"
PYTHON="${PYTHON:-/usr/bin/python3}"
OUT="${OUT:-$ROOT/bench/target/results}"
HEAP="${HEAP:-6g}"

if [[ "$SKIP_BUILD" != 1 ]]; then
  # -o first: the machine this was written on builds offline; fall back to the network once.
  mvn -B -o -q -pl bench -am package -DskipTests -Pbenchmarks \
    || mvn -B -q -pl bench -am package -DskipTests -Pbenchmarks
fi
CP="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/benchmark-classpath.txt")"
mkdir -p "$OUT"

machine_info() {
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "threads: $THREADS"
}
machine_info | tee "$OUT/machine.txt"

export OMP_NUM_THREADS="$THREADS"
JVM_ARGS="-Xms$HEAP -Xmx$HEAP --add-modules=jdk.incubator.vector -Dorg.bytedeco.javacpp.maxbytes=0 -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"

echo "== exporting inputs for PyTorch"
java -cp "$CP" io.detkit.bench.ExportInputs "$OUT/inputs"

echo "== JMH: $BENCH (forks $FORKS, warmup $WARMUP_ITERS x $WARMUP_TIME, measure $ITERS x $ITER_TIME)"
# shellcheck disable=SC2086
java -cp "$CP" org.openjdk.jmh.Main "$BENCH" -e 'HeadAllocationBench' \
  -f "$FORKS" -wi "$WARMUP_ITERS" -w "$WARMUP_TIME" -i "$ITERS" -r "$ITER_TIME" \
  -jvmArgsAppend "$JVM_ARGS" -rf json -rff "$OUT/jmh.json" $JMH_EXTRA | tee "$OUT/jmh.log"

if [[ "$PROF_GC" == 1 ]] && grep -q 'HeadAllocationBench' "$ROOT/bench/target/classes/META-INF/BenchmarkList"; then
  echo "== JMH: heap allocation of a steady-state head step (-prof gc)"
  java -cp "$CP" org.openjdk.jmh.Main 'HeadAllocationBench' -prof gc \
    -f "$FORKS" -wi "$WARMUP_ITERS" -w "$WARMUP_TIME" -i "$ITERS" -r "$ITER_TIME" \
    -jvmArgsAppend "$JVM_ARGS" -rf json -rff "$OUT/jmh-gc.json" | tee "$OUT/jmh-gc.log"
fi

echo "loadavg at end of JMH: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

TORCH_ARGS=()
if [[ "$SKIP_TORCH" == 1 ]]; then
  TORCH_ARGS+=(--skip-torch)
fi
"$PYTHON" "$ROOT/bench/pytorch_bench.py" --inputs "$OUT/inputs" --jmh "$OUT/jmh.json" \
  --jmh-gc "$OUT/jmh-gc.json" --threads "$THREADS" "${TORCH_ARGS[@]}" | tee "$OUT/table.md"
