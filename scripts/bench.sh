#!/usr/bin/env bash
# Speed benchmarks (not tests). Sections print a table, then machine-readable key=value lines.
#   scripts/bench.sh [--section train] [options passed to the section]
# The benchmark classes live in src/bench/java (Maven profile "bench"), outside the product jars.
# Section "train" (topksae.bench.TrainBench): options --dim 768 --concepts 16384 --k 32 --batch 4096
#   --steps 6 --warmup 2 --threads 0 (0 = all cores) --encoder linear --normalization l2
#   --preOrder c|f (layout of the GEMM output of the fused step and the encoder)
#   --auxk SHARE (e.g. 0.25: also time the fused step with the paper AuxK, kAux 512, alpha 1/32, on a
#   fixed dead set of that share of the concepts, and with the decoder-gradient projection;
#   --kAux 512 sets k_aux;
#   prints train_auxk_tokens_per_s, auxk_vs_plain, train_projection_tokens_per_s, projection_vs_plain)
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

# ---- section "spark" (topksae.spark.SparkBench): the distributed fit and transform ----
# Fit tokens/s at 1 and 2 workers (local[2], spark.task.cpus=1, ND4J 1 thread per task), the share
# of each round's time not spent in the workers' steps, the transform rate against the encoder GEMM.
# Options: --dim 256 --concepts 4096 --k 32 --batch 1024 --localSteps 20 --rounds 4
#   --optimizerState averaged|local
section_spark() {
  SPARK_LOCAL_IP=127.0.0.1 jvm topksae.spark.SparkBench "$@"
}

# Further sections (e.g. Spark rounds) are added as section_<name> functions.
build
"section_${section}" "$@"
