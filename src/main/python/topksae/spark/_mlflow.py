"""Per-round metrics of a fit, logged to the active MLflow run (if mlflow is imported and a run
is active, e.g. the one ``mlflow.pyspark.ml.autolog()`` opens around ``fit``), and a model
logged as the folder ``save`` writes (classic sessions and Spark Connect alike)."""

import glob
import json
import os
import shutil
import sys
import tempfile
from typing import Any, Callable, Dict, List, Optional

ENV = "TOPKSAE_MLFLOW"

#: RoundQueue field -> MLflow metric name
METRICS = {
    "loss": "topksae.loss",
    "fvu": "topksae.fvu",
    "l0": "topksae.l0",
    "deadFraction": "topksae.deadFraction",
    "neverFiredFraction": "topksae.neverFiredFraction",
}


def metrics(record: Dict[str, float]) -> Dict[str, float]:
    """One round record as MLflow metrics (plus tokens/s of the round)."""
    out = {name: record[field] for field, name in METRICS.items() if field in record}
    if record.get("seconds", 0) > 0:
        out["topksae.tokensPerSecond"] = record["tokens"] / record["seconds"]
    return out


def round_logger() -> Optional[Callable[[List[Dict[str, float]]], None]]:
    """A sink logging each round's metrics at step = tokens seen, or None: no mlflow imported,
    no active run, or $TOPKSAE_MLFLOW=0."""
    if os.environ.get(ENV, "").strip().lower() in ("0", "false", "no", "off"):
        return None
    mlflow: Any = sys.modules.get("mlflow")
    if mlflow is None or mlflow.active_run() is None:
        return None

    def log(records: List[Dict[str, float]]) -> None:
        for r in records:
            mlflow.log_metrics(metrics(r), step=int(r["tokensSeen"]))

    return log


def log_mlflow_model(
    model: Any, artifact_path: str = "model", local_dir: Optional[str] = None
) -> None:
    """Logs a fitted TopKSAEModel (or a PipelineModel holding one) to the active MLflow run as
    the folder ``model.save`` writes, at ``artifact_path``; ``load_mlflow_model`` reads it back. Works on
    a classic session and over Spark Connect, where ``mlflow.spark.log_model`` needs the JVM: the
    server saves into a temporary folder under ``local_dir`` (default: the system's), which the
    client must see too (the same machine, or a /Volumes path on Databricks)."""
    import mlflow

    tmp = tempfile.mkdtemp(prefix="topksae-mlflow-", dir=local_dir)
    try:
        saved = os.path.join(tmp, os.path.basename(artifact_path.rstrip("/")) or "model")
        model.save(saved)
        mlflow.log_artifacts(saved, artifact_path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_mlflow_model(model_uri: str, local_dir: Optional[str] = None) -> Any:
    """The model ``log_mlflow_model`` logged, e.g. ``load_mlflow_model("runs:/<run id>/model")``: a
    TopKSAEModel or a PipelineModel, as it was saved. The artifacts are downloaded under
    ``local_dir`` (default: a temporary folder), which over Spark Connect the server must see."""
    import mlflow
    from pyspark.ml import PipelineModel

    from topksae.spark import TopKSAEModel

    folder = mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=local_dir)
    part = sorted(glob.glob(os.path.join(folder, "metadata", "part-*")))[0]
    with open(part) as f:
        saved_class = json.loads(f.readline())["class"]
    if saved_class.endswith(".PipelineModel"):
        return PipelineModel.load(folder)
    return TopKSAEModel.load(folder)
