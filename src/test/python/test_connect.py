"""The Python API against a local Spark Connect server (Spark Connect ML finds our stages
through the jar's META-INF/services entries). Runs in its own process: see connect_check.py."""

import json
import os
import subprocess
import sys


def test_fit_transform_save_load_over_spark_connect(jar, tmp_path):
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run(
        [sys.executable, os.path.join(here, "connect_check.py"), jar, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=1500,
    )
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    assert out.returncode == 0 and lines, out.stdout[-3000:] + out.stderr[-5000:]
    result = json.loads(lines[-1])
    assert result == {
        "connect": True,
        "rows": 400,
        "reloaded_equal": True,
        "error_type": result["error_type"],
        "evaluator_metrics": ["deadFraction", "fvu", "l0", "mse", "neverFiredFraction", "r2"],
    }
