"""The quickstart notebook runs end to end as a plain Python script (sharing this run's
SparkSession: the notebook's getOrCreate returns it)."""

import os
import runpy

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
