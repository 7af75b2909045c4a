"""Shared fixtures: one local SparkSession (with the freshly built job jar) for the whole run."""

import os
import sys

import numpy as np
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PY_SRC = os.path.join(ROOT, "src", "main", "python")
if PY_SRC not in sys.path:
    sys.path.insert(0, PY_SRC)

from topksae.local import find_jar, local_session  # noqa: E402

DIM = 16


@pytest.fixture(scope="session")
def jar() -> str:
    return find_jar()


@pytest.fixture(scope="session")
def spark(jar):
    # float32 encoder GEMM, as the Java tests (pom argLine): the bf16 path is not under test here
    session = local_session(
        "topksae-pytest",
        jar=jar,
        **{
            "spark.driver.extraJavaOptions": "-Dorg.bytedeco.javacpp.maxbytes=4G "
            "-Dorg.bytedeco.javacpp.maxphysicalbytes=8G "
            "-Dtopksae.precision=float32"
        },
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def sparse_activations(
    n: int, dim: int = DIM, concepts: int = 48, active: int = 3, seed: int = 0
) -> np.ndarray:
    """Rows that are sums of `active` of `concepts` random unit directions (positive weights)
    plus a little noise: data a TopK SAE can explain."""
    rng = np.random.default_rng(seed)
    atoms = rng.normal(size=(concepts, dim))
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    x = np.zeros((n, dim))
    for i in range(n):
        idx = rng.choice(concepts, size=active, replace=False)
        x[i] = rng.uniform(0.5, 2.0, size=active) @ atoms[idx]
    return (x + 0.01 * rng.normal(size=x.shape)).astype(np.float32)


def to_frame(spark, x: np.ndarray, column: str = "features"):
    """A DataFrame with an id column and one array<float> column."""
    import pandas as pd

    pdf = pd.DataFrame({"id": np.arange(len(x)), column: list(x.astype(np.float32))})
    df = spark.createDataFrame(pdf)
    return df.withColumn(column, df[column].cast("array<float>"))


@pytest.fixture(scope="session")
def activations(spark):
    return to_frame(spark, sparse_activations(600)).cache()
