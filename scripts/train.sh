#!/usr/bin/env bash
# Trains a TopK SAE with the spark-submit job (topksae.job.TrainJob).
#
#   scripts/train.sh                      built-in demo: generates a small synthetic activation
#                                         set, trains in local mode, prints where the model and the
#                                         report went (out/demo/)
#   scripts/train.sh --input acts.parquet --output out/run1 --nb-concepts 4096 --top-k 32
#   scripts/train.sh --help               every setting with its default
#
# Environment: MASTER [local[2]] (e.g. spark://host:7077), SPARK_SUBMIT_ARGS (extra spark-submit
# options, word-split), SPARK_HOME (else pyspark 4.0.1 from .venv, installed on first use).
# Settings come from conf/topk-sae.conf (Spark properties spark.topksae.*), then the flags.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# relative --input/--output/--checkpoint-dir resolve against the caller's directory, not the root
export TOPKSAE_CALLER_DIR="$PWD"
cd "$ROOT"
# shellcheck source=spark-home.sh
source scripts/spark-home.sh

# (no jar yet on a fresh clone: ls fails, which must not end the script under pipefail)
jar() { ls "$ROOT"/target/topk-sae-spark-*-job.jar 2>/dev/null | head -1 || true; }
JAR="$(jar)"
if [[ -z "$JAR" || -n "$(find src/main pom.xml -newer "$JAR" -print -quit)" ]]; then
  echo "building the job jar (mvn package, tests skipped)..." >&2
  mvn -B -ntp -q -DskipTests package >&2
  JAR="$(jar)"
fi

MASTER="${MASTER:-local[2]}"
LOCAL_ARGS=()
if [[ "$MASTER" == local* || "$MASTER" == spark://127.0.0.1* ]]; then
  export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
  LOCAL_ARGS=(--conf "spark.driver.host=$SPARK_LOCAL_IP")
fi
ARGS=("$@")
if [[ ${#ARGS[@]} -eq 0 ]]; then
  ARGS=(--output "$ROOT/out/demo" --overwrite)
fi

# SPARK_CONF_DIR=conf puts conf/log4j2.properties on the driver's classpath
# shellcheck disable=SC2086
SPARK_CONF_DIR="$ROOT/conf" exec spark-submit \
  --master "$MASTER" \
  --properties-file "$ROOT/conf/topk-sae.conf" \
  "${LOCAL_ARGS[@]}" \
  ${SPARK_SUBMIT_ARGS:-} \
  --class topksae.job.TrainJob \
  "$JAR" "${ARGS[@]}"
