#!/usr/bin/env bash
# The Spark Connect tests against another Spark line: a Connect server and client of that line's
# pyspark (its own venv, .venv-spark-<line>, from src/test/python/requirements-spark-<line>.txt)
# with the default job jar (built against Spark 4.0.1: one jar serves every supported line).
#   scripts/test_connect_line.sh          # the newest line, 4.3
#   scripts/test_connect_line.sh 4.3 -x   # further arguments go to pytest
# scripts/test_python.sh runs the same test on the default line (pyspark 4.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
# The server must be the line's own Spark (its pyspark), not a SPARK_HOME exported for 4.0.1
# (scripts/test.sh exports one for the default line).
unset SPARK_HOME
. scripts/python_env.sh
LINE=${1:-4.3}
shift || true
REQS=src/test/python/requirements-spark-$LINE.txt
[ -f "$REQS" ] || { echo "no $REQS: lines with pinned requirements: $(ls src/test/python/requirements-spark-*.txt)" >&2; exit 2; }
VENV=${TOPKSAE_LINE_VENV:-.venv-spark-$LINE}
make_venv "$VENV" "$REQS"
job_jar
"$VENV/bin/python" -c "import pyspark; print('pyspark', pyspark.__version__)"
run_pytest "$VENV" src/test/python/test_connect.py "$@"
