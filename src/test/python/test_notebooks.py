"""The quickstart notebook runs end to end as a plain Python script (sharing this run's
SparkSession: the notebook's getOrCreate returns it), and over Spark Connect."""

import json
import os
import runpy
import subprocess
import sys

import numpy as np

from conftest import ROOT


def test_quickstart_notebook(spark, tmp_path, monkeypatch):
    path = os.path.join(ROOT, "notebooks", "quickstart.py")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert text.startswith("# Databricks notebook source\n")
    assert text.count("# COMMAND ----------") >= 8 and "# MAGIC %md" in text
    monkeypatch.setenv("TOPKSAE_OUT", str(tmp_path))
    monkeypatch.setenv("TOPKSAE_QUICKSTART_ROWS", "4000")
    g = runpy.run_path(path, run_name="__main__")
    assert g["spark"] is spark
    history = g["history"]
    assert len(history) >= 3 and history["loss"].iloc[-1] < history["loss"].iloc[0]
    assert g["same"] is True
    assert os.path.getsize(tmp_path / "training.png") > 10_000
    assert (tmp_path / "model" / "metadata").is_dir()
    assert g["frequency"].shape == (256,) and 0 < g["frequency"].max() <= 1
    assert np.median(g["best"]) > 0.9  # the dictionary found the hidden directions


def test_quickstart_notebook_over_spark_connect(jar, tmp_path):
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, TOPKSAE_OUT=str(tmp_path / "out"), TOPKSAE_QUICKSTART_ROWS="4000")
    out = subprocess.run(
        [
            sys.executable,
            os.path.join(here, "connect_notebook.py"),
            jar,
            os.path.join(ROOT, "notebooks", "quickstart.py"),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        env=env,
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    assert out.returncode == 0 and lines, out.stdout[-3000:] + out.stderr[-5000:]
    result = json.loads(lines[-1])
    assert result["remote"] and result["rounds"] >= 3 and result["loss_fell"], result
    assert result["same"] is True and result["frequency_shape"] == [256], result
    assert 0 < result["max_frequency"] <= 1 and result["median_best"] > 0.9, result
    assert os.path.getsize(tmp_path / "out" / "training.png") > 10_000
    assert (tmp_path / "out" / "model" / "metadata").is_dir()
