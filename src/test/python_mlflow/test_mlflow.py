"""MLflow against a real local tracking store (a file store in a temporary folder): autolog of a
Pipeline holding TopKSAEEstimator, the evaluator's metric, the model logged and loaded back with
mlflow.spark.load_model, and the fit's per-round metrics in the active run."""

import mlflow
import mlflow.pyspark.ml
import mlflow.spark
import numpy as np
import pytest
from pyspark.ml import Pipeline

from topksae.analysis import TopKSAEEvaluator
from topksae.spark import TopKSAEEstimator, load_mlflow_model, log_mlflow_model

NB, K = 32, 4


def estimator(**extra):
    kw = dict(
        nbConcepts=NB,
        topK=K,
        batchSize=64,
        localSteps=5,
        maxEpochs=3,
        learningRate=1e-2,
        reconstructionCol="reconstruction",
        seed=3,
        progress=False,
    )
    kw.update(extra)
    return TopKSAEEstimator(**kw)


@pytest.fixture()
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    mlflow.set_tracking_uri("file://%s" % (tmp_path / "mlruns"))
    mlflow.set_experiment("topksae")
    yield mlflow.MlflowClient()
    mlflow.pyspark.ml.autolog(disable=True)


def test_fit_logs_round_metrics_to_the_active_run(store, activations):
    with mlflow.start_run() as run:
        model = estimator().fit(activations)
    history = store.get_metric_history(run.info.run_id, "topksae.fvu")
    rounds = model.summary.rounds
    assert len(history) == len(rounds) >= 3
    assert [h.step for h in history] == [r["tokensSeen"] for r in rounds]
    assert [h.value for h in history] == pytest.approx([r["fvu"] for r in rounds])
    logged = store.get_run(run.info.run_id).data.metrics
    for name in ("topksae.loss", "topksae.l0", "topksae.deadFraction", "topksae.tokensPerSecond"):
        assert name in logged, sorted(logged)


def test_no_active_run_logs_nothing(store, activations):
    estimator(maxEpochs=1).fit(activations)
    assert mlflow.active_run() is None
    runs = store.search_runs([store.get_experiment_by_name("topksae").experiment_id])
    assert runs == []


def test_autolog_pipeline_logs_params_metric_and_a_loadable_model(
    store, spark, activations, tmp_path
):
    allow = tmp_path / "allowlist.txt"
    allow.write_text("pyspark.ml.pipeline.PipelineModel\ntopksae.spark.TopKSAEModel\n")
    spark.sparkContext._conf.set("spark.mlflow.pysparkml.autolog.logModelAllowlistFile", str(allow))
    mlflow.pyspark.ml.autolog()
    with mlflow.start_run() as run:
        fitted = Pipeline(stages=[estimator()]).fit(activations)
        fvu = TopKSAEEvaluator().evaluate(fitted.transform(activations))
    data = store.get_run(run.info.run_id).data
    assert data.params["TopKSAEEstimator.nbConcepts"] == str(NB)
    assert data.params["TopKSAEEstimator.topK"] == str(K)
    evaluator_metrics = {k: v for k, v in data.metrics.items() if k.startswith("fvu")}
    assert list(evaluator_metrics.values()) == [pytest.approx(fvu)], data.metrics
    assert "topksae.fvu" in data.metrics  # the rounds, inside autolog's run
    loaded = mlflow.spark.load_model("runs:/%s/model" % run.info.run_id)
    a = fitted.transform(activations).orderBy("id").select("codes").collect()
    b = loaded.transform(activations).orderBy("id").select("codes").collect()
    assert a == b
    assert type(loaded.stages[0]).__name__ == "TopKSAEModel"
    assert np.array_equal(loaded.stages[0].dictionary, fitted.stages[0].dictionary)


def test_log_mlflow_model_reads_back_a_model_and_a_pipeline(store, activations):
    with mlflow.start_run() as run:
        model = estimator().fit(activations)
        log_mlflow_model(model)
        fitted = Pipeline(stages=[estimator(maxEpochs=1)]).fit(activations)
        log_mlflow_model(fitted, "pipeline")
    uri = "runs:/%s/" % run.info.run_id
    loaded, pipeline = load_mlflow_model(uri + "model"), load_mlflow_model(uri + "pipeline")
    assert type(loaded).__name__ == "TopKSAEModel"
    assert np.array_equal(loaded.dictionary, model.dictionary)
    assert loaded.getTopK() == K and loaded.getNbConcepts() == NB
    assert [type(s).__name__ for s in pipeline.stages] == ["TopKSAEModel"]
    assert np.array_equal(pipeline.stages[0].dictionary, fitted.stages[0].dictionary)
    a = fitted.transform(activations).orderBy("id").select("codes").collect()
    b = pipeline.transform(activations).orderBy("id").select("codes").collect()
    assert a == b


def test_fit_over_spark_connect_logs_the_summary_rounds(jar, tmp_path, monkeypatch):
    """Over Connect the rounds are logged after the fit, from the model's summary."""
    import json
    import os
    import subprocess
    import sys

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "connect_mlflow_check.py")
    out = subprocess.run(
        [sys.executable, script, jar, str(tmp_path)], capture_output=True, text=True, timeout=900
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    assert out.returncode == 0 and lines, out.stdout[-3000:] + out.stderr[-5000:]
    result = json.loads(lines[-1])
    assert result["rounds"] >= 2 and result["runs"] == 1, result
    assert result["steps_are_tokens_seen"] and result["fvu_equal"], result
    for name in ("topksae.loss", "topksae.fvu", "topksae.l0", "topksae.tokensPerSecond"):
        assert name in result["metrics"], result
    # autolog over Connect: Params, the evaluator's metric, rounds; the model via log_mlflow_model
    assert result["autolog_params"] == {
        "TopKSAEEstimator.nbConcepts": "16",
        "TopKSAEEstimator.topK": "3",
    }, result
    assert list(result["autolog_evaluator_metrics"].values()) == [
        pytest.approx(result["evaluated_fvu"])
    ], result
    assert result["autolog_round_metrics"], result
    assert result["loaded_stages"] == ["TopKSAEModel"] and result["loaded_codes_equal"], result
