#!/usr/bin/env bash
# Python tests: makes .venv with the pinned packages of src/test/python/requirements.txt,
# builds the job jar if it is missing or older than the sources, then runs pytest on
# src/test/python (the PySpark API against the JVM, the jar's Python package, Spark Connect,
# the quickstart notebook), after the ruff style check (unless TOPKSAE_RUFF=skip).
# Arguments go to pytest: scripts/test_python.sh -k params
# Activation extraction and the real-model notebook: scripts/test_extract.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python_env.sh
VENV=${TOPKSAE_VENV:-.venv}
make_venv "$VENV" src/test/python/requirements.txt
# Style (ruff.toml): checked first; TOPKSAE_RUFF=skip skips it.
if [ "${TOPKSAE_RUFF:-check}" = check ]; then
  "$VENV/bin/ruff" check .
  "$VENV/bin/ruff" format --check .
fi
job_jar
run_pytest "$VENV" src/test/python "$@"
