#!/usr/bin/env bash
# A real Spark standalone cluster on 127.0.0.1: one master and N workers, each its own JVM,
# started from the pyspark distribution in .venv (see scripts/spark-home.sh).
#
#   scripts/cluster.sh start [WORKERS]   start master + workers (default 2), wait until registered,
#                                        print the master URL
#   scripts/cluster.sh status            print the master URL and the live JVMs
#   scripts/cluster.sh kill-worker I     SIGKILL worker I (1-based) and its executors: a lost machine
#   scripts/cluster.sh stop              stop everything this script started
#
# Environment (defaults in brackets): CLUSTER_DIR [target/cluster] holds pids, logs and work dirs;
# MASTER_PORT [7077]; MASTER_UI_PORT [8080]; WORKER_CORES [1]; WORKER_MEMORY [2g].
# Then: spark-submit --master spark://127.0.0.1:$MASTER_PORT ...
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CLUSTER_DIR="${CLUSTER_DIR:-$ROOT/target/cluster}"
MASTER_PORT="${MASTER_PORT:-7077}"
MASTER_UI_PORT="${MASTER_UI_PORT:-8080}"
WORKER_CORES="${WORKER_CORES:-1}"
WORKER_MEMORY="${WORKER_MEMORY:-2g}"
export SPARK_LOCAL_IP=127.0.0.1 SPARK_MASTER_HOST=127.0.0.1
MASTER_URL="spark://127.0.0.1:$MASTER_PORT"

# a pid file's process is alive (zombies, killed but not yet reaped, count as dead)
alive() {
  local st
  [[ -f "$1" ]] || return 1
  st="$(ps -o stat= -p "$(cat "$1")" 2>/dev/null)" || return 1
  [[ -n "$st" && "$st" != Z* ]]
}

wait_for() { # FILE PATTERN SECONDS
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "cluster: timed out waiting for '$2' in $1" >&2
  tail -20 "$1" >&2 || true
  return 1
}

launch() { # NAME CLASS ARGS...
  local name="$1"; shift
  # Spark's own INFO logging (the readiness checks read it), whatever SPARK_CONF_DIR the caller has
  env -u SPARK_CONF_DIR nohup "$SPARK_HOME/bin/spark-class" "$@" >"$CLUSTER_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$CLUSTER_DIR/$name.pid"
}

start() {
  local workers="${1:-2}" i
  # shellcheck source=spark-home.sh
  source "$ROOT/scripts/spark-home.sh"
  if alive "$CLUSTER_DIR/master.pid"; then
    echo "cluster: already running ($MASTER_URL); run '$0 stop' first" >&2
    return 1
  fi
  mkdir -p "$CLUSTER_DIR"
  rm -f "$CLUSTER_DIR"/*.pid "$CLUSTER_DIR"/*.log
  launch master org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$MASTER_PORT" --webui-port "$MASTER_UI_PORT"
  wait_for "$CLUSTER_DIR/master.log" "I have been elected leader" 60
  for ((i = 1; i <= workers; i++)); do
    mkdir -p "$CLUSTER_DIR/work-$i"
    launch "worker-$i" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --webui-port 0 --cores "$WORKER_CORES" --memory "$WORKER_MEMORY" \
      --work-dir "$CLUSTER_DIR/work-$i" "$MASTER_URL"
  done
  for ((i = 1; i <= workers; i++)); do
    wait_for "$CLUSTER_DIR/worker-$i.log" "Successfully registered with master" 60
  done
  echo "$MASTER_URL" >"$CLUSTER_DIR/master.url"
  echo "$MASTER_URL"
}

children() { pgrep -P "$1" 2>/dev/null || true; }

kill_worker() {
  local pidfile="$CLUSTER_DIR/worker-$1.pid" pid kids
  alive "$pidfile" || { echo "cluster: worker $1 is not running" >&2; return 1; }
  pid="$(cat "$pidfile")"
  kids="$(children "$pid")"
  kill -9 "$pid" $kids 2>/dev/null || true
  echo "cluster: killed worker $1 (pid $pid${kids:+, executors $kids})"
}

stop() {
  local f pid kids
  [[ -d "$CLUSTER_DIR" ]] || return 0
  for f in "$CLUSTER_DIR"/worker-*.pid "$CLUSTER_DIR"/master.pid; do
    [[ -f "$f" ]] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      kids="$(children "$pid")"
      kill "$pid" $kids 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" $kids 2>/dev/null || true
    fi
    rm -f "$f"
  done
  rm -f "$CLUSTER_DIR/master.url"
  echo "cluster: stopped"
}

status() {
  local f
  alive "$CLUSTER_DIR/master.pid" || { echo "cluster: not running"; return 1; }
  cat "$CLUSTER_DIR/master.url"
  for f in "$CLUSTER_DIR"/master.pid "$CLUSTER_DIR"/worker-*.pid; do
    if alive "$f"; then echo "$(basename "$f" .pid) pid $(cat "$f") up"; else echo "$(basename "$f" .pid) down"; fi
  done
}

case "${1:-}" in
  start) start "${2:-2}" ;;
  stop) stop ;;
  status) status ;;
  kill-worker) kill_worker "${2:?worker number}" ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
