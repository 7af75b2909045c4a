"""What a Spark Connect client cannot ask the JVM directly, it asks through Spark ML's model writer
and reader (the only calls a Connect server makes on a third-party model): the JVM writer takes
an option ``format`` (saelens, sparsify, overcomplete, dictionary, summary) and writes that
instead of the model, and ``TopKSAEModel.load`` recognizes the foreign layouts. Small outputs
(dictionary, summary) go to a scratch folder on the server's file system and come back to this
process as the bytes of a ``binaryFile`` read.

The scratch folder is ``$TOPKSAE_CONNECT_SCRATCH`` (default ``/tmp/topksae-connect``, resolved on
the server's default file system; set it to e.g. ``dbfs:/tmp/me`` or a Volume path); the server
deletes its scratch files when it stops.
"""

import io
import json
import os
import uuid
from typing import Any, Dict, List, Tuple

import numpy as np

SCRATCH_ENV = "TOPKSAE_CONNECT_SCRATCH"
DEFAULT_SCRATCH = "/tmp/topksae-connect"


def is_connect() -> bool:
    from pyspark.sql.utils import is_remote

    return bool(is_remote())


def scratch_path(kind: str) -> str:
    base = os.environ.get(SCRATCH_ENV) or DEFAULT_SCRATCH
    return "%s/%s-%s" % (base.rstrip("/"), kind, uuid.uuid4().hex)


def write(
    model: Any, path: str, fmt: str, overwrite: bool = False, scratch: bool = False, **options: str
) -> None:
    """The JVM writer of ``model`` with option format=fmt (plus ``options``) saves to ``path``."""
    writer = model.write()
    if overwrite:
        writer = writer.overwrite()
    writer = writer.option("format", fmt)
    if scratch:
        writer = writer.option("deleteOnExit", "true")
    for key, value in options.items():
        writer = writer.option(key, value)
    writer.save(path)


def read_bytes(path: str) -> bytes:
    """The bytes of one file on the server's file system, through a binaryFile read."""
    from pyspark.sql import SparkSession

    spark = SparkSession.getActiveSession()
    if spark is None:
        raise RuntimeError("no active SparkSession")
    rows = spark.read.format("binaryFile").load(path).select("content").collect()
    if len(rows) != 1:
        raise FileNotFoundError("expected one file at %s, found %d" % (path, len(rows)))
    return bytes(rows[0][0])


def dictionary(model: Any) -> np.ndarray:
    """The model's normalized dictionary [nbConcepts, dim], float32, by way of the server."""
    from topksae.weights import parse_safetensors

    path = scratch_path("dictionary")
    write(model, path, "dictionary", scratch=True)
    tensors, _ = parse_safetensors(io.BytesIO(read_bytes(path + "/dictionary.safetensors")))
    return tensors["dictionary"]


def summary(model: Any) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """(rounds, totals) of the model's training summary; RuntimeError if it has none."""
    path = scratch_path("summary")
    try:
        write(model, path, "summary", scratch=True)
    except Exception as e:  # the server's message, e.g. "no training summary"
        if "no training summary" in str(e):
            raise RuntimeError(NO_SUMMARY) from None
        raise
    content = json.loads(read_bytes(path + "/summary.json").decode("utf-8"))
    return content["rounds"], content["totals"]


NO_SUMMARY = (
    "No training summary available for this TopKSAEModel: only the model returned by "
    "fit has one (a saved, loaded or imported model does not; check hasSummary). "
    "Keep what you need with model.summary.asDict() before saving."
)
