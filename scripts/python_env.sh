# Sourced by scripts/test_python.sh and scripts/test_extract.sh (not run on its own).

# make_venv DIR REQUIREMENTS...: creates the venv DIR if missing and installs the pinned
# requirements files; a stamp of their contents skips pip when nothing changed.
make_venv() {
  local venv=$1; shift
  if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
  fi
  local stamp; stamp=$(cat "$@" | cksum)
  if [ ! -f "$venv/.topksae-reqs" ] || [ "$(cat "$venv/.topksae-reqs")" != "$stamp" ]; then
    local r args=()
    for r in "$@"; do args+=(-r "$r"); done
    "$venv/bin/pip" install -q --disable-pip-version-check "${args[@]}"
    echo "$stamp" > "$venv/.topksae-reqs"
  fi
}

# job_jar: exports TOPKSAE_JAR, the job jar, building it when missing or older than the sources.
job_jar() {
  local jar
  jar=$(ls -t target/topk-sae-spark-*-job.jar 2>/dev/null | head -1 || true)
  if [ -z "$jar" ] || [ -n "$(find src/main pom.xml -type f -newer "$jar" -not -path '*/__pycache__/*' \
      -not -path '*.egg-info/*' | head -1)" ]; then
    echo "building the job jar (mvn package -DskipTests)"
    mvn -B -ntp -q package -DskipTests
    jar=$(ls -t target/topk-sae-spark-*-job.jar | head -1)
  fi
  export TOPKSAE_JAR="$PWD/$jar"
}

# run_pytest VENV ARGS...: pytest with the source tree's package; exit code 5 (no test ran) is
# an error unless arguments selected nothing on purpose.
run_pytest() {
  local venv=$1; shift
  export SPARK_LOCAL_IP=127.0.0.1 PYTHONPATH="$PWD/src/main/python" PYTHONDONTWRITEBYTECODE=1
  local rc=0
  "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" || rc=$?
  if [ "$rc" -eq 5 ]; then
    echo "pytest ran no test: $*" >&2
    return 1
  fi
  return "$rc"
}
