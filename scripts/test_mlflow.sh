#!/usr/bin/env bash
# MLflow tests (src/test/python_mlflow) in their own venv .venv-mlflow: the packages of
# src/test/python/requirements.txt plus mlflow (pinned). Real tracking stores in temporary
# folders (a file store, and `mlflow server` on 127.0.0.1 for the spark-submit job); nothing
# leaves the machine. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python_env.sh
VENV=${TOPKSAE_MLFLOW_VENV:-.venv-mlflow}
make_venv "$VENV" src/test/python/requirements.txt src/test/python_mlflow/requirements.txt
job_jar
run_pytest "$VENV" src/test/python_mlflow "$@"
