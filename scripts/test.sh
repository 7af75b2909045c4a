#!/usr/bin/env bash
# The whole test suite: Java (JUnit 5 via Maven Surefire; end-to-end *IT tests via Failsafe
# against the shaded job jar and a real standalone cluster), then Python (pytest in a venv), then
# the Spark Connect tests on the newest Spark line (pyspark 4.3 in .venv-spark-4.3, the same jar;
# ~5 min from a cold venv on 2 cores). TOPKSAE_CONNECT_LINES="4.3" lists the lines; empty: none.
set -euo pipefail
cd "$(dirname "$0")/.."
# Spark 4.0.1 for spark-submit and the standalone cluster: pyspark==4.0.1 in .venv
source scripts/spark-home.sh
mvn -B -ntp verify
scripts/test_python.sh
for line in ${TOPKSAE_CONNECT_LINES-4.3}; do
  echo "== Spark Connect tests on the Spark $line line: scripts/test_connect_line.sh $line"
  scripts/test_connect_line.sh "$line"
done
