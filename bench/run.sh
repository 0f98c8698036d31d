#!/usr/bin/env bash
# Builds detkit-bench, runs the JMH suite, then the same computations in PyTorch, and prints one
# side-by-side table (bench/pytorch_bench.py). Not part of `mvn verify`.
#
#   bench/run.sh                      # everything, default settings
#   BENCH='LossBench|NmsBench' HEADS=0 bench/run.sh   # a subset of the operators (JMH regexp)
#   OPS=0 HEAD_PARAMS=gfl,fcos,tood bench/run.sh      # some heads only
#
# Settings (environment):
#   FORKS=1 WARMUP_ITERS=3 WARMUP_TIME=2s ITERS=5 ITER_TIME=3s   JMH forks / iterations, operators
#   HEAD_WARMUP_ITERS=2 HEAD_ITERS=5 HEAD_ITER_TIME=2s            the same for HeadBench (seconds per op)
#   THREADS=2         compute threads for both sides: OMP_NUM_THREADS for ND4J, torch.set_num_threads
#   OMP_WAIT_POLICY=  passed on to ND4J's OpenMP runtime (unset: its threads spin a while after every
#                     native op); PASSIVE makes them sleep at once, the diagnostic for the head steps'
#                     tail on 2 cores, where spinning threads take the cores from detkit's own threads
#   BENCH=.           JMH benchmark regexp of the operator benchmarks
#   OPS=1             0 skips the operator benchmarks
#   JMH_EXTRA=        extra JMH arguments (e.g. "-prof stack" or "-prof jfr")
#   JMH_IGNORE_LOCK=0 1 runs even while another JMH run holds /tmp/jmh.lock (both then share the cores:
#                     say so beside the figures)
#   HEADS=1           0 skips HeadBench (the heads take most of the run's time)
#   HEAD_PARAMS=retina,atss,gfl,fcos,tood,tood_initial   the heads HeadBench runs (tood: TOODHead's
#                     task-aligned phase, tood_initial: its ATSS phase); targets and loss apart only
#                     for the heads whose public API separates them
#   WORKSPACE=1       0 leaves HeadBench.stepInWorkspace out of the timed runs (OffHeapPerStep still
#                     measures the workspace's allocation)
#   PROF_GC=1         also run HeadAllocationBench under -prof gc (allocation per head step)
#   REUSED=1          also time every head's step with a reused HeadStep (HeadBench.stepReused, in
#                     jmh-heads-reused.json/.log) and count its off-heap memory (OffHeapPerStep)
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
HEAD_WARMUP_ITERS="${HEAD_WARMUP_ITERS:-2}"
HEAD_ITERS="${HEAD_ITERS:-5}"
HEAD_ITER_TIME="${HEAD_ITER_TIME:-2s}"
THREADS="${THREADS:-2}"
BENCH="${BENCH:-.}"
OPS="${OPS:-1}"
WORKSPACE="${WORKSPACE:-1}"
HEAD_PARAMS="${HEAD_PARAMS:-retina,atss,gfl,fcos,tood,tood_initial}"
JMH_EXTRA="${JMH_EXTRA:-}"
JMH_IGNORE_LOCK="${JMH_IGNORE_LOCK:-0}"
HEADS="${HEADS:-1}"
PROF_GC="${PROF_GC:-1}"
REUSED="${REUSED:-1}"
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
  echo "OMP_WAIT_POLICY: ${OMP_WAIT_POLICY:-unset}"
}
machine_info | tee "$OUT/machine.txt"

export OMP_NUM_THREADS="$THREADS"
JVM_ARGS="-Xms$HEAP -Xmx$HEAP -XX:+AlwaysPreTouch --add-modules=jdk.incubator.vector -Dorg.bytedeco.javacpp.maxbytes=0 -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"

echo "== exporting inputs for PyTorch, and detkit's results on them"
java -cp "$CP" io.detkit.bench.ExportInputs "$OUT/inputs"
# shellcheck disable=SC2086
java $JVM_ARGS -cp "$CP" io.detkit.bench.DetkitValues "$OUT/inputs" "$HEAD_PARAMS" > "$OUT/values.log" 2>&1

jmh() {
  # shellcheck disable=SC2086
  java -Djmh.ignoreLock="$([[ "$JMH_IGNORE_LOCK" == 1 ]] && echo true || echo false)" -cp "$CP" org.openjdk.jmh.Main \
    "$@" -jvmArgsAppend "$JVM_ARGS" $JMH_EXTRA
}

rm -f "$OUT"/jmh-*.json "$OUT/offheap.txt"
if [[ "$OPS" == 1 ]]; then
  echo "== JMH operators: $BENCH (forks $FORKS, warmup $WARMUP_ITERS x $WARMUP_TIME, measure $ITERS x $ITER_TIME)"
  jmh "$BENCH" -e 'HeadBench|HeadAllocationBench' -f "$FORKS" -wi "$WARMUP_ITERS" -w "$WARMUP_TIME" -i "$ITERS" \
    -r "$ITER_TIME" -rf json -rff "$OUT/jmh-ops.json" | tee "$OUT/jmh-ops.log"
fi

# The heads of HEAD_PARAMS among those in $1 (comma lists).
heads_among() {
  local keep=() h
  for h in ${HEAD_PARAMS//,/ }; do
    [[ ",$1," == *",$h,"* ]] && keep+=("$h")
  done
  local IFS=,
  echo "${keep[*]}"
}

head_jmh() {  # name, benchmark regexp, heads
  [[ -z "$3" ]] && return 0
  echo "== JMH heads: $2 for $3 (forks $FORKS, warmup $HEAD_WARMUP_ITERS x 2s, measure $HEAD_ITERS x $HEAD_ITER_TIME)"
  jmh "$2" -p head="$3" -f "$FORKS" -wi "$HEAD_WARMUP_ITERS" -w 2s -i "$HEAD_ITERS" -r "$HEAD_ITER_TIME" \
    -rf json -rff "$OUT/jmh-heads-$1.json" | tee "$OUT/jmh-heads-$1.log"
}

if [[ "$HEADS" == 1 ]] && grep -q 'HeadBench' "$ROOT/bench/target/classes/META-INF/BenchmarkList"; then
  head_jmh step "HeadBench\\.$([[ "$WORKSPACE" == 1 ]] && echo '(step|stepInWorkspace)' || echo step)\$" "$HEAD_PARAMS"
  # A trainer's steady state: the gradients in a HeadStep reused from step to step.
  [[ "$REUSED" == 1 ]] && head_jmh reused 'HeadBench\.stepReused$' "$(heads_among retina,atss,gfl,fcos,tood,tood_initial)"
  # Targets alone where the head computes them without its outputs; the loss alone where its API has it.
  head_jmh targets 'HeadBench\.targets$' "$(heads_among retina,atss,gfl,fcos)"
  head_jmh loss 'HeadBench\.loss$' "$(heads_among retina,atss,gfl)"
fi

if [[ "$HEADS" == 1 && "$PROF_GC" == 1 ]] && grep -q 'HeadAllocationBench' "$ROOT/bench/target/classes/META-INF/BenchmarkList"; then
  echo "== JMH: heap allocation of a steady-state head step (-prof gc)"
  jmh 'HeadAllocationBench' -p head="$HEAD_PARAMS" -prof gc -f "$FORKS" -wi 2 -w 2s -i 3 -r "$HEAD_ITER_TIME" \
    -rf json -rff "$OUT/jmh-gc.json" | tee "$OUT/jmh-gc.log"
fi

if [[ "$HEADS" == 1 ]]; then
  echo "== off-heap (ND4J) buffers created by one steady-state head step"
  # shellcheck disable=SC2086
  java $JVM_ARGS -Ddetkit.bench.reused="$([[ "$REUSED" == 1 ]] && echo true || echo false)" -cp "$CP" \
    io.detkit.bench.OffHeapPerStep "$HEAD_PARAMS" 2>/dev/null | tee "$OUT/offheap.txt"
fi

echo "loadavg at end of JMH: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

TORCH_ARGS=()
if [[ "$SKIP_TORCH" == 1 ]]; then
  TORCH_ARGS+=(--skip-torch)
fi
if [[ "$OPS" != 1 ]]; then
  TORCH_ARGS+=(--no-ops)
fi
"$PYTHON" "$ROOT/bench/pytorch_bench.py" --inputs "$OUT/inputs" --jmh "$OUT"/jmh-*.json --jmh-gc "$OUT/jmh-gc.json" \
  --offheap "$OUT/offheap.txt" --heads "$HEAD_PARAMS" --threads "$THREADS" "${TORCH_ARGS[@]}" | tee "$OUT/table.md"
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
