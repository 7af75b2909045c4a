#!/usr/bin/env bash
# The whole test suite: Java (JUnit 5 via Maven Surefire), then Python (pytest in a venv).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp verify
scripts/test_python.sh
