"""The spark-submit job against a real `mlflow server` (sqlite store in a temporary folder, a free
port on 127.0.0.1): the run it logs holds its settings, one metric point per round at step =
tokens seen, the final metrics and the status FINISHED; a job that fails ends its run FAILED."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pyspark
import pytest
from mlflow.tracking import MlflowClient

from topksae.local import find_jar

EXPERIMENT = "topksae-job-e2e"
ROWS, DIM = 512, 16  # one epoch of 256 tokens per round (2 workers x 2 steps x 64 rows): 2 rounds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`mlflow server` on a free port, stopped after the module's tests."""
    root = tmp_path_factory.mktemp("mlflow-server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    mlflow_cli = os.path.join(os.path.dirname(sys.executable), "mlflow")
    log = open(root / "server.log", "w")
    proc = subprocess.Popen(
        [
            mlflow_cli,
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--backend-store-uri",
            f"sqlite:///{root}/mlflow.db",
            "--default-artifact-root",
            str(root / "artifacts"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 180
        while not _answers(url):
            assert proc.poll() is None, (root / "server.log").read_text()
            assert time.time() < deadline, "mlflow server did not answer in 180 s"
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def parquet_input(tmp_path_factory) -> str:
    rng = np.random.default_rng(3)
    atoms = rng.normal(size=(32, DIM)).astype(np.float32)
    codes = rng.uniform(0, 1, size=(ROWS, 32)) * (rng.uniform(size=(ROWS, 32)) < 0.1)
    x = (codes @ atoms).astype(np.float32)
    path = tmp_path_factory.mktemp("input") / "acts.parquet"
    column = pa.array(list(x), type=pa.list_(pa.float32()))
    pq.write_table(pa.table({"features": column}), path)
    return str(path)


def _submit(args, env_extra) -> subprocess.CompletedProcess:
    """The job jar under spark-submit of this venv's pyspark, in local mode."""
    submit = os.path.join(os.path.dirname(pyspark.__file__), "bin", "spark-submit")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env.update(SPARK_LOCAL_IP="127.0.0.1", **env_extra)
    cmd = [
        submit,
        "--master",
        "local[2]",
        "--conf",
        "spark.driver.host=127.0.0.1",
        "--conf",
        "spark.ui.enabled=false",
        "--class",
        "topksae.job.TrainJob",
        find_jar(),
        *args,
    ]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)


def _tiny(out: str, *more: str):
    return [
        "--output",
        out,
        "--nb-concepts",
        "32",
        "--top-k",
        "4",
        "--batch-size",
        "128",
        "--local-steps",
        "2",
        "--max-epochs",
        "1",
        "--learning-rate",
        "0.002",
        "--report-sample-rows",
        "256",
        *more,
    ]


def _run_id(stdout: str) -> str:
    lines = [x for x in stdout.splitlines() if x.startswith("mlflow run:")]
    assert lines, stdout
    return lines[-1].split(":", 1)[1].strip()


def test_job_logs_params_rounds_and_final_metrics(server, parquet_input, tmp_path):
    out = str(tmp_path / "run")
    done = _submit(
        _tiny(out, "--input", parquet_input, "--mlflow-run-name", "e2e", "--eval-fraction", "0.2"),
        {"MLFLOW_TRACKING_URI": server, "MLFLOW_EXPERIMENT_NAME": EXPERIMENT},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    client = MlflowClient(tracking_uri=server)
    run = client.get_run(_run_id(done.stdout))
    assert run.info.status == "FINISHED"
    assert run.info.run_name == "e2e"
    assert client.get_experiment(run.info.experiment_id).name == EXPERIMENT
    params = run.data.params
    assert params["topK"] == "4" and params["nbConcepts"] == "32"
    assert params["input"] == parquet_input and params["evalFraction"] == "0.2"
    assert not any(k.startswith("mlflow") for k in params)
    fvu = client.get_metric_history(run.info.run_id, "topksae.fvu")
    steps = [m.step for m in fvu]
    assert len(steps) >= 2 and steps == sorted(steps) and len(set(steps)) == len(steps), steps
    for name in ("topksae.loss", "topksae.l0", "topksae.deadFraction", "topksae.tokensPerSecond"):
        assert [m.step for m in client.get_metric_history(run.info.run_id, name)] == steps, name
    metrics = run.data.metrics
    assert metrics["topksae.tokensSeen"] == steps[-1]
    assert metrics["topksae.finalFvu"] == pytest.approx(fvu[-1].value)
    assert 0 < metrics["topksae.heldOut.rows"] < ROWS
    assert "topksae.heldOut.fvu" in metrics
    tags = run.data.tags
    assert tags["mlflow.source.name"] == "topksae.job.TrainJob"
    assert tags["topksae.model"].endswith("/run/model")


def test_a_failing_job_ends_its_run_failed(server, tmp_path):
    missing = str(tmp_path / "no-such-input")
    done = _submit(
        _tiny(str(tmp_path / "run"), "--input", missing, "--mlflow-tracking-uri", server),
        {"MLFLOW_EXPERIMENT_NAME": EXPERIMENT + "-failed"},
    )
    assert done.returncode == 1, done.stderr[-4000:]
    client = MlflowClient(tracking_uri=server)
    experiment = client.get_experiment_by_name(EXPERIMENT + "-failed")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.status == "FAILED"
    assert "no such path" in run.data.tags["topksae.error"]
    assert run.data.params["input"] == missing
