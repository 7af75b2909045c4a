#!/usr/bin/env bash
# Until the Spark job lands: trains a small TopK SAE locally on generated activations and prints
# per-epoch metrics. Extra arguments: [dim] [trueAtoms] [epochs].
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q compile exec:java -Dexec.classpathScope=compile -Dexec.mainClass=topksae.train.Demo -Dexec.args="$*"
