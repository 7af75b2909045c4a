#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
echo "not yet" >&2; exit 1
