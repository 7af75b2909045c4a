"""A fit over Spark Connect inside an MLflow run logs the summary's per-round metrics to it, and
``mlflow.pyspark.ml.autolog`` (given its model allowlist: it cannot read the Spark conf over
Connect) logs a Pipeline's Params and the evaluator's metric, with the model logged by
``log_mlflow_model`` and read back by ``load_mlflow_model``: a Connect server
(connect_check.start_server), a real file store in WORKDIR. Its own process (a Connect client
switches the whole process to Connect mode); prints one JSON line.

    python connect_mlflow_check.py JAR WORKDIR
"""

import json
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "..", "python"))

from connect_check import connect_server  # noqa: E402


def check(port: int, work: str) -> dict:
    import mlflow
    from pyspark.sql import SparkSession

    from conftest import sparse_activations
    from topksae.spark import TopKSAEEstimator

    spark = SparkSession.builder.remote("sc://127.0.0.1:%d" % port).getOrCreate()
    x = sparse_activations(300)
    df = spark.createDataFrame(
        [(i, r.tolist()) for i, r in enumerate(x)], "id long, features array<float>"
    )
    est = TopKSAEEstimator(
        nbConcepts=16, topK=3, batchSize=64, localSteps=4, maxEpochs=2, learningRate=2e-2, seed=5
    ).setProgress(False)
    mlflow.set_tracking_uri("file://" + os.path.join(work, "mlruns"))
    mlflow.set_experiment("topksae-connect")
    with mlflow.start_run() as run:
        model = est.fit(df)
    client = mlflow.MlflowClient()
    rounds = model.summary.rounds
    fvu = client.get_metric_history(run.info.run_id, "topksae.fvu")
    logged = client.get_run(run.info.run_id).data.metrics
    est.fit(df)  # no active run: logs nothing, fails nothing
    return dict(
        autolog(est, df),
        **{
            "rounds": len(rounds),
            "steps_are_tokens_seen": [h.step for h in fvu] == [r["tokensSeen"] for r in rounds],
            "fvu_equal": [h.value for h in fvu] == [r["fvu"] for r in rounds],
            "metrics": sorted(logged),
            "runs": len(client.search_runs([run.info.experiment_id])),
        },
    )


def autolog(est, df) -> dict:
    """A Pipeline fitted and evaluated under autolog, its model logged and loaded back."""
    import mlflow
    import mlflow.pyspark.ml
    from pyspark.ml import Pipeline

    from topksae.analysis import TopKSAEEvaluator
    from topksae.spark import load_mlflow_model, log_mlflow_model

    mlflow.set_experiment("topksae-connect-autolog")
    mlflow.pyspark.ml.autolog(log_models=False, log_model_allowlist=["topksae.spark.TopKSAEModel"])
    with mlflow.start_run() as run:
        fitted = Pipeline(stages=[est.copy().setReconstructionCol("reconstruction")]).fit(df)
        fvu = TopKSAEEvaluator().evaluate(fitted.transform(df))
        log_mlflow_model(fitted, "model")
    mlflow.pyspark.ml.autolog(disable=True, log_model_allowlist=["topksae.spark.TopKSAEModel"])
    data = mlflow.MlflowClient().get_run(run.info.run_id).data
    loaded = load_mlflow_model("runs:/%s/model" % run.info.run_id)
    codes = [fitted.transform(df).orderBy("id").select("codes").collect()]
    codes.append(loaded.transform(df).orderBy("id").select("codes").collect())
    return {
        "autolog_params": {
            k: v for k, v in data.params.items() if k.endswith((".nbConcepts", ".topK"))
        },
        "autolog_evaluator_metrics": {k: v for k, v in data.metrics.items() if k.startswith("fvu")},
        "evaluated_fvu": fvu,
        "autolog_round_metrics": "topksae.fvu" in data.metrics,
        "loaded_stages": [type(s).__name__ for s in loaded.stages],
        "loaded_codes_equal": codes[0] == codes[1] and len(codes[0]) == df.count(),
    }


def main(jar: str, work: str) -> None:
    with connect_server(jar, work) as port:
        print(json.dumps(check(port, work)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
