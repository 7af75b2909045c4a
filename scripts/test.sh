#!/usr/bin/env bash
# The whole test suite: Java (JUnit 5 via Maven Surefire; end-to-end *IT tests via Failsafe
# against the shaded job jar and a real standalone cluster), then Python (pytest in a venv).
set -euo pipefail
cd "$(dirname "$0")/.."
# Spark 4.0.1 for spark-submit and the standalone cluster: pyspark==4.0.1 in .venv
source scripts/spark-home.sh
mvn -B -ntp verify
