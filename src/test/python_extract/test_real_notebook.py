"""The real-activations notebook end to end on the first 300 documents of the corpus."""

import os
import runpy

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def test_real_activations_notebook(tmp_path, monkeypatch):
    path = os.path.join(ROOT, "notebooks", "real_activations.py")
    with open(path, encoding="utf-8") as f:
        assert f.readline() == "# Databricks notebook source\n"
    monkeypatch.setenv("TOPKSAE_OUT", str(tmp_path))
    # float32 encoder GEMM, as the Java tests (pom argLine)
    monkeypatch.setenv("TOPKSAE_JAVA_OPTIONS", "-Dtopksae.precision=float32")
    monkeypatch.setenv("TOPKSAE_REAL_DOCS", "300")
    monkeypatch.setenv("TOPKSAE_REAL_EPOCHS", "3")
    g = runpy.run_path(path, run_name="__main__")
    history = g["history"]
    assert history["fvu"].iloc[-1] < history["fvu"].iloc[0]
    assert len(g["picked"]) == 6
    for concept, toks in g["top_tokens"].items():
        assert 1 <= len(toks) <= 8, concept
        contexts = g["top_contexts"][concept]
        assert len(set(contexts)) == len(contexts), contexts  # no repeated sentence
    assert g["tokens"].count() > 3000
    assert g["tokens"].where("token IN ('[CLS]', '[SEP]')").count() == 0
    for concept, group in g["strongest"].groupby("concept"):
        assert not group.duplicated(["text", "position"]).any(), concept
    metrics = g["held_out_metrics"]
    assert {"fvu", "mse", "r2", "l0", "deadFraction", "neverFiredFraction"} <= set(metrics)
    assert 0 < metrics["fvu"] < 1 and metrics["r2"] == pytest.approx(1 - metrics["fvu"])
    assert metrics["l0"] <= 16
    assert 0 < g["train_fvu"] < 1
    g["spark"].stop()
