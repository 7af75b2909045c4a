#!/usr/bin/env bash
# Speed benchmarks (not tests). Sections print a table, then machine-readable key=value lines.
#   scripts/bench.sh [--section train] [options passed to the section]
# The benchmark classes live in src/bench/java (Maven profile "bench"), outside the product jars.
# Section "train" (topksae.bench.TrainBench): options --dim 768 --concepts 16384 --k 32 --batch 4096
#   --steps 6 --warmup 2 --threads 0 (0 = all cores) --encoder linear --normalization l2
#   --preOrder c|f (layout of the GEMM output of the fused step and the encoder)
#   --auxk SHARES (e.g. 0,0.1,0.5: also time the fused step with the paper AuxK, kAux 512, alpha 1/32, on
#   a fixed dead set of each share of the concepts (0: none dead), and with the decoder-gradient
#   projection; --kAux 512 sets k_aux; --auxkPath auto|dense|sparse forces AuxK's products;
#   prints per share auxk_<pct>_tokens_per_s, auxk_cost_<pct> = 1 - on/off (wall medians),
#   auxk_cost_cpu_<pct>; auxk_cost for the first nonzero share; projection_vs_plain)
# Section "auxk": the train section with --auxk 0,0.05,0.1,0.3,0.5 (AuxK's cost at 0-50% dead).
# Environment: BENCH_XMX (default 6g), BENCH_MAXBYTES (off-heap cap, default 12G).
set -euo pipefail
cd "$(dirname "$0")/.."

section=train
if [[ "${1:-}" == "--section" ]]; then section="$2"; shift 2; fi

build() {  # the benches (src/bench/java, profile "bench") go to target/bench-classes, never into the jars
  if [[ ! -d target/bench-classes/topksae/bench || ! -d target/classes/topksae \
        || -n "$(find src/main src/bench -newer target/bench-classes -name '*.java' -print -quit)" ]]; then
    mvn -B -ntp -q -Pbench process-classes
    touch target/bench-classes
  fi
  if [[ ! -s target/bench.classpath || pom.xml -nt target/bench.classpath ]]; then
    mvn -B -ntp -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=compile
  fi
}

jvm() {  # runs a main class with the pom's Java 17 flags and the off-heap cap
  local opens
  opens=$(sed -n 's:.*<java17.opens>\(.*\)</java17.opens>.*:\1:p' pom.xml)
  # shellcheck disable=SC2086
  java -Xmx"${BENCH_XMX:-6g}" $opens -Dorg.bytedeco.javacpp.maxbytes="${BENCH_MAXBYTES:-12G}" \
    -Dorg.bytedeco.javacpp.maxphysicalbytes="${BENCH_MAXBYTES:-12G}" \
    -cp "target/classes:target/bench-classes:$(cat target/bench.classpath)" "$@" 2> >(grep -v ' INFO ' >&2)
}

section_train() {  # local fused training step and sparse encoding against the bare encoder GEMM
  jvm topksae.bench.TrainBench "$@"
}

section_auxk() {  # the fused step with and without the paper AuxK at several dead shares
  jvm topksae.bench.TrainBench --auxk 0,0.05,0.1,0.3,0.5 "$@"
}

# ---- section "spark" (topksae.spark.SparkBench): the distributed fit and transform ----
# Fit tokens/s at 1 and 2 workers (local[2], spark.task.cpus=1, ND4J 1 thread per task), the share
# of each round's time not spent in the workers' steps, the transform rate against the encoder GEMM.
# Options: --dim 256 --concepts 4096 --k 32 --batch 1024 --localSteps 20 --rounds 4
#   --optimizerState averaged|local
section_spark() {
  SPARK_LOCAL_IP=127.0.0.1 jvm topksae.spark.SparkBench "$@"
}

# ---- section "memory" (topksae.spark.MemoryBench): a fit's peak memory, driver and executors ----
# Each case runs spark-submit --master local-cluster[W,1,EXEC_MB] (one executor JVM per worker) on
# the job jar: a few rounds, then the driver's and executors' peak heap after GC, the executors'
# peak off-heap and resident size, against the state a round averages.
# Options: --cases "768x16384x1 768x16384x2 2048x32768x1 2048x32768x2" (dim x concepts x workers)
#   --localSteps 4 --rounds 3 --batch 1024 --k 32 --optimizerState averaged
# Memory per case (MB, sized from the state with the docs/spark.md formula): MEMORY_DRIVER_MB,
# MEMORY_EXECUTOR_MB override.
section_memory() {
  local cases="768x16384x1 768x16384x2 2048x32768x1 2048x32768x2" rest=()
  while [[ $# -gt 0 ]]; do
    if [[ "$1" == "--cases" ]]; then cases="$2"; shift 2; else rest+=("$1"); shift; fi
  done
  local jar c dim concepts workers state_mb driver_mb exec_mb off
  jar=$(ls target/topk-sae-spark-*-job.jar 2>/dev/null | head -1 || true)
  if [[ -z "$jar" || -n "$(find src/main pom.xml -newer "$jar" -print -quit)" ]]; then
    mvn -B -ntp -q -DskipTests package
  fi
  # the bench classes (build) as a jar the executors can load too
  (cd target/bench-classes && jar cf ../bench-classes.jar topksae)
  # shellcheck source=spark-home.sh
  source scripts/spark-home.sh
  jar=$(ls target/topk-sae-spark-*-job.jar | head -1)
  for c in $cases; do
    IFS=x read -r dim concepts workers <<<"$c"
    state_mb=$(( 3 * 4 * (2 * dim * concepts + concepts) / 1048576 ))   # model + Adam moments
    driver_mb=${MEMORY_DRIVER_MB:-$(( 3 * state_mb + 1024 ))}
    exec_mb=${MEMORY_EXECUTOR_MB:-$(( 2 * state_mb + 1024 ))}
    off="-Dorg.bytedeco.javacpp.maxbytes=$(( 2 * state_mb + 2048 ))M -Dorg.bytedeco.javacpp.maxphysicalbytes=0"
    echo "memory case d $dim x $concepts, $workers workers: driver ${driver_mb}m, executors ${exec_mb}m" >&2
    SPARK_LOCAL_IP=127.0.0.1 spark-submit --master "local-cluster[$workers,1,$exec_mb]" \
      --driver-memory "${driver_mb}m" --conf "spark.executor.memory=${exec_mb}m" --conf spark.driver.host=127.0.0.1 --conf spark.ui.enabled=false \
      --conf "spark.driver.extraJavaOptions=$off" --conf "spark.executor.extraJavaOptions=$off" \
      --jars target/bench-classes.jar --class topksae.spark.MemoryBench "$jar" --dim "$dim" --concepts "$concepts" --workers "$workers" \
      "${rest[@]}" 2> >(grep -v ' INFO ' >&2)
  done
}

# ---- section "scale" (topksae.spark.SparkBench at a real size): fit speed at 1 and 2 workers ----
# Fit tokens/s, workers2_vs_1 beside the machine's own GEMM 2-thread / 1-thread scaling, comm_share,
# bytes shipped per round and per token, comm seconds per GB and compute seconds per token (the
# inputs of the scaling model in docs/benchmarks.md). Defaults: --dim 768 --concepts 16384 --k 32
# --batch 1024 --localSteps 5 --rounds 3; other SparkBench options pass through.
section_scale() {
  SPARK_LOCAL_IP=127.0.0.1 jvm topksae.spark.SparkBench --dim 768 --concepts 16384 --k 32 --batch 1024 \
    --localSteps 5 --rounds 3 --transform false "$@"
}

# ---- section "e2e": the spark-submit job from launch to saved model (scripts/train.sh) ----
# Generates Parquet activations once (scripts/gen_activations.py, needs numpy and pyarrow), runs
# scripts/train.sh with the shipped conf/topk-sae.conf and prints e2e_tokens_per_s (tokens / wall
# time of the whole call), round_tokens_per_s (the job's own rate in the rounds), e2e_vs_round and
# startup_s (launch to the start of the first round: the first progress line's time minus that
# round's own seconds). Options: --rows 49152 --dim 768 --concepts 16384 --k 32 --epochs 1
# --workers 2 --localSteps 5 (EXTRA: more job flags, word-split).
section_e2e() {
  local rows=49152 dim=768 concepts=16384 k=32 epochs=1 workers=2 steps=5
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --rows) rows="$2" ;; --dim) dim="$2" ;; --concepts) concepts="$2" ;; --k) k="$2" ;;
      --epochs) epochs="$2" ;; --workers) workers="$2" ;; --localSteps) steps="$2" ;;
      *) echo "unknown e2e option $1" >&2; exit 2 ;;
    esac
    shift 2
  done
  local data="target/e2e-data/d${dim}-r${rows}" out="target/e2e-out" log="target/e2e.log" py
  py="${TOPKSAE_VENV:-.venv}/bin/python"
  [[ -d "$data" ]] || "$py" scripts/gen_activations.py --out "$data" --rows "$rows" --dim "$dim"
  . scripts/python_env.sh
  job_jar >&2 # a jar older than the sources is rebuilt here, not inside the timed call
  rm -f "$log" "$log.out" # the poll below must not see the last run's first round
  local t0 first=""
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  scripts/train.sh --input "$PWD/$data" --output "$PWD/$out" --overwrite --nb-concepts "$concepts" --top-k "$k" \
    --max-epochs "$epochs" --num-workers "$workers" --local-steps "$steps" ${EXTRA:-} >"$log.out" 2>"$log" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if [[ -z "$first" ]] && grep -q 'round 1/' "$log" 2>/dev/null; then first=$(date +%s.%N); fi
    sleep 0.2
  done
  wait "$pid"
  local t1 line
  t1=$(date +%s.%N)
  [[ -n "$first" ]] || first=$t1
  line=$(grep 'Trained on' "$log.out")
  echo "$line"
  grep 'round 1/' "$log" | head -1 | sed 's/.*\(round 1\/\)/\1/'
  python3 - "$t0" "$first" "$t1" "$line" "$(grep 'round 1/' "$log" | head -1)" <<'PY'
import re, sys
t0, first, t1 = map(float, sys.argv[1:4])
line, r1 = sys.argv[4], sys.argv[5]
tokens = int(re.search(r"Trained on (\d+) tokens", line).group(1))
rounds = float(re.search(r"; ([0-9.]+) tokens/s in the rounds", line).group(1))
m = re.search(r"tokens (\d+)/\d+ .* tokens/s ([0-9.]+)", r1)
first_round = int(m.group(1)) / float(m.group(2)) if m else 0.0
wall = t1 - t0
e2e = tokens / wall
print("| e2e (scripts/train.sh, shipped conf) | value |\n|---|---|")
print("| tokens | %d |\n| wall seconds | %.1f |\n| e2e tokens/s | %.0f |\n| round tokens/s | %.0f |" % (tokens, wall, e2e, rounds))
print("tokens=%d\nwall_s=%.1f\ne2e_tokens_per_s=%.0f\nround_tokens_per_s=%.0f\ne2e_vs_round=%.3f\nstartup_s=%.1f\nstartup_share=%.3f"
      % (tokens, wall, e2e, rounds, e2e / rounds, first - t0 - first_round, (first - t0 - first_round) / wall))
PY
}

# Further sections are added as section_<name> functions.
build
"section_${section}" "$@"
