#!/usr/bin/env bash
# Python tests: makes .venv (pinned packages of src/test/python/requirements.txt) if needed,
# builds the job jar if it is missing or older than the sources, then runs pytest on
# src/test/python (the PySpark API, the jar's Python package, the quickstart notebook).
# Arguments go to pytest, e.g. scripts/test_python.sh -k params
# The activation-extraction tests and the real-model notebook: scripts/test_extract.sh
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${TOPKSAE_VENV:-.venv}
PYTHON=${PYTHON:-python3}
REQS=src/test/python/requirements.txt

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
# pip is quick when everything is already installed; the stamp skips it when nothing changed
if [ ! -f "$VENV/.topksae-reqs" ] || ! cmp -s "$REQS" "$VENV/.topksae-reqs"; then
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQS"
  cp "$REQS" "$VENV/.topksae-reqs"
fi

JAR=$(ls -t target/topk-sae-spark-*-job.jar 2>/dev/null | head -1 || true)
stale() { find src/main pom.xml -type f -newer "$1" -not -path '*/__pycache__/*' -not -path '*.egg-info/*' | head -1; }
if [ -z "$JAR" ] || [ -n "$(stale "$JAR")" ]; then
  echo "building the job jar (mvn package -DskipTests)"
  mvn -B -ntp -q package -DskipTests
  JAR=$(ls -t target/topk-sae-spark-*-job.jar | head -1)
fi
export TOPKSAE_JAR="$PWD/$JAR" SPARK_LOCAL_IP=127.0.0.1 PYTHONPATH="$PWD/src/main/python" PYTHONDONTWRITEBYTECODE=1

set +e
"$VENV/bin/python" -m pytest -q -p no:cacheprovider src/test/python "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  # pytest exits 5 when it ran no test: fine when arguments deselected everything, an error otherwise
  if [ "$#" -gt 0 ]; then echo "no Python test matched: $*"; exit 0; fi
  echo "no Python tests were collected" >&2; exit 1
fi
exit "$rc"
