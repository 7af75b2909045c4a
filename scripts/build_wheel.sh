#!/usr/bin/env bash
# Builds the Python wheel that carries the job jar: target/python-dist/topksae-<version>-py3-none-any.whl.
# A user installs that one file (pip install topksae-...whl, or "...whl[spark]" to also get pyspark);
# topksae.local.find_jar() and `python -m topksae jar` then find the jar inside the package.
# The build runs on a copy of src/main/python under target/, so it leaves no build/ or
# *.egg-info in the source tree (which would look newer than the jar to scripts/train.sh).
#   scripts/build_wheel.sh [PYTHON]     PYTHON: an interpreter with pip and setuptools (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python_env.sh
PY=${1:-${PYTHON:-python3}}
job_jar
work=target/python-build
rm -rf "$work" target/python-dist
mkdir -p "$work" target/python-dist
cp -r src/main/python/. "$work/"
find "$work" \( -name __pycache__ -o -name '*.egg-info' -o -name build \) -prune -exec rm -rf {} +
mkdir -p "$work/topksae/jars"
cp "$TOPKSAE_JAR" "$work/topksae/jars/"
"$PY" -m pip wheel -q --no-deps --no-build-isolation --disable-pip-version-check \
  -w target/python-dist "$work"
rm -rf "$work"
ls target/python-dist/topksae-*.whl
