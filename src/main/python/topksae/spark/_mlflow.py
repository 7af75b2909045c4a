"""Per-round metrics of a fit, logged to the active MLflow run (if mlflow is imported and a run
is active, e.g. the one ``mlflow.pyspark.ml.autolog()`` opens around ``fit``)."""

import os
import sys
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
