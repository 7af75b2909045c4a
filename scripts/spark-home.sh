#!/usr/bin/env bash
# Makes a Spark 4.0.1 distribution available without a system install: the pip package
# pyspark==4.0.1 ships bin/spark-submit, bin/spark-class and jars/. It lives in the repo's
# .venv (shared with the Python tests). Source this file to get SPARK_HOME exported, or run
# it to print SPARK_HOME.
#   source scripts/spark-home.sh      # exports SPARK_HOME, SPARK_SCALA_VERSION, PATH
#   scripts/spark-home.sh             # prints SPARK_HOME
# An existing Spark install is used instead when SPARK_HOME is already set.
# (No `set -e` here: sourcing must not change the caller's shell options.)
_topksae_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_topksae_venv="${TOPKSAE_VENV:-$_topksae_root/.venv}"
_topksae_pyspark="4.0.1"

if [[ -z "${SPARK_HOME:-}" ]]; then
  if [[ ! -x "$_topksae_venv/bin/python" ]]; then
    python3 -m venv "$_topksae_venv" >&2 || { echo "python3 -m venv failed" >&2; return 1 2>/dev/null || exit 1; }
  fi
  if ! "$_topksae_venv/bin/python" -c "import pyspark,sys; sys.exit(pyspark.__version__ != '$_topksae_pyspark')" 2>/dev/null; then
    echo "installing pyspark==$_topksae_pyspark into $_topksae_venv (one time, ~430 MB)" >&2
    "$_topksae_venv/bin/pip" install -q "pyspark==$_topksae_pyspark" >&2 \
      || { echo "pip install pyspark==$_topksae_pyspark failed" >&2; return 1 2>/dev/null || exit 1; }
  fi
  SPARK_HOME="$("$_topksae_venv/bin/python" -c 'import os,pyspark; print(os.path.dirname(pyspark.__file__))')"
fi
export SPARK_HOME
export SPARK_SCALA_VERSION=2.13          # worker executors need it to find $SPARK_HOME/jars
export PATH="$SPARK_HOME/bin:$PATH"
# spark-submit's Python side (and PySpark) should use the venv's interpreter
if [[ -x "$_topksae_venv/bin/python" ]]; then
  export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$_topksae_venv/bin/python}"
fi

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  echo "$SPARK_HOME"
fi
