"""Runs the Python API against a Spark Connect server: starts one (spark-submit of
SparkConnectServer with the job jar, on a free loopback port), connects as a client, and checks
fit, transform, save, load and errors. Its own process: a Connect client switches the whole
Python process to Connect mode. Prints one JSON line; exits non-zero on any failure.

    python connect_check.py JAR WORKDIR
"""

import contextlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
from typing import Any, Iterator, Tuple

import numpy as np


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(jar: str, port: int, log_path: str) -> subprocess.Popen:
    from pyspark.find_spark_home import _find_spark_home

    home = _find_spark_home()
    cmd = [
        os.path.join(home, "bin", "spark-submit"),
        "--master",
        "local[2]",
        "--class",
        "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--jars",
        jar,
        "--conf",
        "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf",
        "spark.connect.grpc.binding.port=%d" % port,
        "--conf",
        "spark.driver.host=127.0.0.1",
        "--conf",
        "spark.driver.bindAddress=127.0.0.1",
        "--conf",
        "spark.ui.enabled=false",
        "--conf",
        "spark.sql.shuffle.partitions=4",
        "--driver-java-options",
        "-Dorg.bytedeco.javacpp.maxbytes=4G -Dtopksae.precision=float32",
        "spark-internal",
    ]
    env = dict(os.environ, SPARK_HOME=home, SPARK_LOCAL_IP="127.0.0.1")
    log = open(log_path, "w")
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)


def wait_for(port: int, server: subprocess.Popen, seconds: float = 300) -> None:
    end = time.time() + seconds
    while time.time() < end:
        if server.poll() is not None:
            raise RuntimeError("the Connect server exited with %s" % server.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(1)
    raise TimeoutError("no Connect server on port %d after %d s" % (port, seconds))


@contextlib.contextmanager
def connect_server(jar: str, work: str) -> Iterator[int]:
    """A Connect server with the jar for the block; yields its port. On the way out the
    process's Connect client (if any) stops first: its exit hook talks to the server."""
    port = free_port()
    server = start_server(jar, port, os.path.join(work, "server.log"))
    try:
        wait_for(port, server)
        yield port
    finally:
        from pyspark.sql import SparkSession

        client = SparkSession.getActiveSession()
        if client is not None:
            client.stop()
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()


def main(jar: str, work: str) -> None:
    with connect_server(jar, work) as port:
        check(port, work)


def fit_with_progress(est: Any, df: Any) -> Tuple[Any, str]:
    """est.fit(df) with the progress bar on; returns the model and what the bar wrote."""
    caught = io.StringIO()
    saved, sys.stderr = sys.stderr, caught
    try:
        return est.copy().setProgress(True).fit(df), caught.getvalue()
    finally:
        sys.stderr = saved


def check(port: int, work: str) -> None:
    from pyspark.ml.tuning import ParamGridBuilder, TrainValidationSplit
    from pyspark.sql import SparkSession
    from pyspark.sql.utils import is_remote

    from conftest import sparse_activations
    from topksae.analysis import (
        TopKSAEEvaluator,
        concept_stats,
        explode_codes,
        nearest_concepts,
        top_activations,
    )
    from topksae.export import (
        export_overcomplete,
        export_saelens,
        export_sparsify,
        load_overcomplete,
        load_saelens,
        load_sparsify,
    )
    from topksae.spark import TopKSAEEstimator, TopKSAEModel
    from topksae.weights import read_weights

    spark = SparkSession.builder.remote("sc://127.0.0.1:%d" % port).getOrCreate()
    assert is_remote()
    x = sparse_activations(400)
    df = spark.createDataFrame(
        [(i, r.tolist()) for i, r in enumerate(x)], "id long, features array<float>"
    )
    est = TopKSAEEstimator(
        nbConcepts=16, topK=3, batchSize=64, localSteps=4, maxEpochs=2, learningRate=2e-2, seed=5
    )
    model, progress = fit_with_progress(est, df)
    assert isinstance(model, TopKSAEModel), type(model)
    # the bar counts the fit's Spark tasks while it runs, then says what the summary says
    assert re.search(r"topksae: fit over Spark Connect: \d+/\d+ Spark tasks", progress), progress
    assert "stages " in progress and "tasks running" in progress, progress
    last = model.summary.rounds[-1]
    assert "done: %d rounds, 800 tokens, fvu %.4f" % (len(model.summary), last["fvu"]) in progress
    codes_df = model.transform(df)
    codes = codes_df.orderBy("id").select("codes").collect()
    assert len(codes) == 400 and all(
        c.codes.size == 16 and c.codes.numNonzeros() <= 3 for c in codes
    )
    assert model.getTopK() == 3 and model.getNbConcepts() == 16

    path = os.path.join(work, "model")
    model.write().overwrite().save(path)
    loaded = TopKSAEModel.load(path)
    again = loaded.transform(df).orderBy("id").select("codes").collect()
    assert again == codes, "reloaded model gives other codes"
    weights = read_weights(path)
    assert weights["dictionary._weights"].shape == (16, x.shape[1])

    est_path = os.path.join(work, "estimator")
    est.write().overwrite().save(est_path)
    est2 = TopKSAEEstimator.load(est_path)
    assert (est2.getNbConcepts(), est2.getTopK(), est2.getSeed()) == (16, 3, 5)

    # dictionary and summary come through the model writer and a binaryFile read
    d = model.dictionary
    w = weights["dictionary._weights"]
    assert d.shape == (16, x.shape[1]) and d.dtype == np.float32, d.shape
    assert np.allclose(d, w / np.linalg.norm(w, axis=1, keepdims=True), atol=1e-5)
    assert model.hasSummary and not loaded.hasSummary
    s = model.summary
    assert len(s) >= 2 and s.rounds[-1]["tokensSeen"] == 2 * 400, s
    assert 0 < s.rounds[-1]["fvu"] < 1 and s.validRows == 400 and s.workers >= 1, s.asDict()
    try:
        loaded.summary
        raise AssertionError("a loaded model has no summary")
    except RuntimeError as e:
        assert "hasSummary" in str(e), str(e)

    # nearest concepts from the dictionary (numpy here); the JVM-only analysis says what works
    unit = d.astype(np.float64) / np.linalg.norm(d, axis=1, keepdims=True)
    cos = unit @ unit.T
    np.fill_diagonal(cos, -np.inf)
    nn = nearest_concepts(model, n=2).orderBy("concept", "rank").toPandas()
    assert len(nn) == 32 and list(nn.columns) == ["concept", "rank", "neighbour", "cosine"]
    assert np.allclose(nn[nn["rank"] == 1]["cosine"], cos.max(axis=1), atol=1e-5)
    # concept_stats, explode_codes and top_activations from DataFrame functions, as numpy says
    dense = np.array([c.codes.toArray() for c in codes])
    fires = (dense != 0).sum(axis=0)
    stats = concept_stats(codes_df).toPandas()
    assert list(stats["concept"]) == list(range(16)), stats
    assert list(stats["fires"]) == fires.tolist() and np.allclose(stats["frequency"], fires / 400)
    mean = np.where(fires > 0, dense.sum(axis=0) / np.maximum(fires, 1), 0)
    assert np.allclose(stats["meanActivation"], mean, rtol=1e-9)
    assert np.allclose(stats["maxActivation"], dense.max(axis=0))
    exploded = explode_codes(codes_df, "id").toPandas()
    assert list(exploded.columns) == ["id", "concept", "activation"]
    assert len(exploded) == int(fires.sum())
    assert np.array_equal(dense[exploded["id"], exploded["concept"]], exploded["activation"])
    top = top_activations(codes_df, "id", n=2).toPandas()
    assert list(top.columns) == ["concept", "rank", "id", "activation"]
    for concept, group in top.groupby("concept"):
        column = dense[:, concept]
        assert np.allclose(group["activation"], np.sort(column[column > 0])[::-1][:2]), group

    # exports and imports run on the server, on Hadoop URIs
    uri = "file://" + os.path.join(work, "exports")
    export_saelens(model, uri + "/saelens", model_name="m", hook_name="h")
    cfg = json.load(open(os.path.join(work, "exports", "saelens", "cfg.json")))
    assert cfg["d_sae"] == 16 and cfg["k"] == 3 and cfg["metadata"]["hook_name"] == "h", cfg
    export_saelens(model, uri + "/saelens")  # replaces the export, as on a classic session
    assert not [
        f for f in os.listdir(os.path.join(work, "exports", "saelens")) if f.endswith(".crc")
    ]
    folder = export_sparsify(model, uri + "/sparsify", "layers.1")
    assert folder == uri + "/sparsify/layers.1"
    export_overcomplete(model, uri + "/oc.safetensors")
    for imported in (
        load_saelens(uri + "/saelens"),
        load_sparsify(folder),
        load_overcomplete(uri + "/oc.safetensors"),
    ):
        assert (imported.getNbConcepts(), imported.getTopK()) == (16, 3)
        got = imported.transform(df).orderBy("id").select("codes").collect()
        assert [r.codes.indices.tolist() for r in got] == [r.codes.indices.tolist() for r in codes]
    try:
        load_overcomplete(uri + "/oc.safetensors", config={"nbConcepts": 16})
        raise AssertionError("a config dict needs a classic session")
    except NotImplementedError as e:
        assert "classic SparkSession" in str(e), str(e)

    # the evaluator runs on the server (META-INF/services/...Evaluator), and so does tuning
    scored = model.copy().setReconstructionCol("reconstruction").transform(df)
    fvu = TopKSAEEvaluator().evaluate(scored)
    every = TopKSAEEvaluator().evaluate_all(scored)
    assert set(every) == {"fvu", "mse", "r2", "l0", "deadFraction", "neverFiredFraction"}, every
    assert abs(every["fvu"] - fvu) < 1e-9 and abs(every["r2"] - (1 - fvu)) < 1e-6, every
    assert 0 < fvu < 1 and 0 < every["l0"] <= 3, every
    assert TopKSAEEvaluator(metricName="r2").isLargerBetter()
    assert not TopKSAEEvaluator().isLargerBetter()
    tuned = TopKSAEEstimator(
        nbConcepts=16,
        batchSize=64,
        localSteps=4,
        maxEpochs=2,
        learningRate=2e-2,
        seed=5,
        reconstructionCol="reconstruction",
    )
    grid = ParamGridBuilder().addGrid(tuned.topK, [1, 4]).build()
    tvs = TrainValidationSplit(
        estimator=tuned,
        estimatorParamMaps=grid,
        evaluator=TopKSAEEvaluator(),
        trainRatio=0.75,
        seed=2,
    ).fit(df)
    assert tvs.validationMetrics[1] < tvs.validationMetrics[0], tvs.validationMetrics
    assert tvs.bestModel.getTopK() == 4
    try:
        TopKSAEEstimator(nbConcepts=4, topK=9).fit(df)
        raise AssertionError("topK > nbConcepts should fail")
    except Exception as e:  # the server's message reaches the client
        assert "exceeds nbConcepts" in str(e), str(e)
        error = type(e).__name__
    print(
        json.dumps(
            {
                "connect": True,
                "rows": len(codes),
                "reloaded_equal": True,
                "error_type": error,
                "evaluator_metrics": sorted(every),
            }
        )
    )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main(sys.argv[1], sys.argv[2])
