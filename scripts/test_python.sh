#!/usr/bin/env bash
# Python tests: makes .venv with the pinned packages of src/test/python/requirements.txt,
# builds the job jar if it is missing or older than the sources, then runs pytest on
# src/test/python (the PySpark API against the JVM, the jar's Python package, Spark Connect,
# the quickstart notebook). Arguments go to pytest: scripts/test_python.sh -k params
# Activation extraction and the real-model notebook: scripts/test_extract.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python_env.sh
VENV=${TOPKSAE_VENV:-.venv}
make_venv "$VENV" src/test/python/requirements.txt
job_jar
run_pytest "$VENV" src/test/python "$@"
