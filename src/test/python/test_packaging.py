"""The Python package inside the job jar, the Spark Connect service entries, and the wheel
(which carries the job jar: installed into a fresh venv, it fits a model with nothing else)."""

import glob
import json
import os
import shutil
import subprocess
import sys
import zipfile

from conftest import PY_SRC, ROOT


def python_sources():
    return {
        os.path.relpath(p, PY_SRC).replace(os.sep, "/")
        for p in glob.glob(os.path.join(PY_SRC, "topksae", "**", "*.py"), recursive=True)
    }


def test_jar_holds_every_python_source(jar):
    names = set(zipfile.ZipFile(jar).namelist())
    assert python_sources() <= names
    assert "topksae/spark/__init__.py" in names
    assert "topksae/py.typed" in names  # type checkers read the package's hints


def test_package_imports_from_the_jar_alone(jar):
    # -S hides site-packages: topksae must come from the jar, and then stops at its first
    # third-party import (numpy or pyspark), which a real session provides.
    code = "import sys; sys.path.insert(0, %r); import topksae.spark" % jar
    out = subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=""),
        cwd="/",
        check=False,
    )
    assert os.path.join(jar, "topksae", "spark", "__init__.py") in out.stderr, out.stderr
    assert "No module named 'numpy'" in out.stderr or "No module named 'pyspark'" in out.stderr
    code2 = "import sys; sys.path.insert(0, %r); import topksae; print(topksae.__file__)" % jar
    out2 = subprocess.run(
        [sys.executable, "-c", code2],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=""),
        cwd="/",
        check=True,
    )
    assert out2.stdout.strip() == os.path.join(jar, "topksae", "__init__.py")


def test_spark_connect_service_entries_name_classes_in_the_jar(jar):
    z = zipfile.ZipFile(jar)
    for service, cls in [
        ("org.apache.spark.ml.Estimator", "topksae.spark.TopKSAEEstimator"),
        ("org.apache.spark.ml.Transformer", "topksae.spark.TopKSAEModel"),
        ("org.apache.spark.ml.evaluation.Evaluator", "topksae.spark.TopKSAEEvaluator"),
    ]:
        lines = [
            l.strip()
            for l in z.read("META-INF/services/" + service).decode().splitlines()
            if l.strip() and not l.startswith("#")
        ]
        assert cls in lines
        assert cls.replace(".", "/") + ".class" in z.namelist()


def test_service_classes_have_the_constructors_service_loading_needs(spark):
    # ServiceLoader needs a public no-argument constructor for every listed class (else it
    # fails for all ML stages, since Spark 4's ML loader scans these services); Spark Connect
    # creates estimators with a (String uid) constructor.
    for name in ("TopKSAEEstimator", "TopKSAEModel"):
        cls = getattr(spark._jvm.topksae.spark, name)._java_lang_class
        assert 0 in [c.getParameterCount() for c in cls.getConstructors()], name
    cls = spark._jvm.topksae.spark.TopKSAEEstimator._java_lang_class
    assert any(
        c.getParameterCount() == 1 and c.getParameterTypes()[0].getName() == "java.lang.String"
        for c in cls.getConstructors()
    )


def test_pip_builds_a_wheel_from_the_source_tree(tmp_path):
    src = tmp_path / "src"  # a copy: an in-tree build would leave build/ and *.egg-info behind
    shutil.copytree(PY_SRC, src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(src),
        ],
        check=True,
    )
    wheels = glob.glob(str(tmp_path / "dist" / "topksae-*.whl"))
    assert len(wheels) == 1
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    assert python_sources() <= names
    assert "topksae/py.typed" in names


FIT_FROM_WHEEL = """
import json, os, sys
import numpy as np
from topksae.local import find_jar, local_session
from topksae.spark import TopKSAEEstimator
jar = find_jar()
spark = local_session("wheel-check", driver_memory="1g")
rng = np.random.default_rng(0)
x = rng.normal(size=(200, 8)).astype("float32")
df = spark.createDataFrame([(i, r.tolist()) for i, r in enumerate(x)], "id long, features array<float>")
model = TopKSAEEstimator(nbConcepts=8, topK=2, batchSize=50, maxEpochs=1, seed=1).fit(df)
codes = model.transform(df).select("codes").collect()
print(json.dumps({"jar": jar, "rows": len(codes), "nnz": int(max(c.codes.numNonzeros() for c in codes)),
                  "topksae": __import__("topksae").__file__}))
spark.stop()
"""


def test_wheel_carries_the_jar_and_fits_from_a_fresh_venv(jar, tmp_path):
    import pyspark

    out = subprocess.run(
        ["bash", os.path.join(ROOT, "scripts", "build_wheel.sh"), sys.executable],
        capture_output=True,
        text=True,
        env=dict(os.environ, TOPKSAE_JAR=jar),
    )
    assert out.returncode == 0, out.stdout + out.stderr
    wheels = glob.glob(os.path.join(ROOT, "target", "python-dist", "topksae-*.whl"))
    assert len(wheels) == 1
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "topksae/jars/" + os.path.basename(jar) in names
    assert not os.path.exists(os.path.join(PY_SRC, "build"))  # nothing left in the source tree
    assert not glob.glob(os.path.join(PY_SRC, "*.egg-info"))

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = str(venv / "bin" / "python")
    # the extra [spark] brings pyspark; pinned to the tests' version so the install is from cache
    subprocess.run(
        [
            py,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            wheels[0] + "[spark]",
            "pyspark==" + pyspark.__version__,
        ],
        check=True,
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("TOPKSAE_JAR", "PYTHONPATH", "SPARK_HOME")
    }
    env["SPARK_LOCAL_IP"] = "127.0.0.1"
    run = subprocess.run(
        [py, "-c", FIT_FROM_WHEEL],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(tmp_path),
        timeout=600,
    )
    lines = [l for l in run.stdout.splitlines() if l.startswith("{")]
    assert run.returncode == 0 and lines, run.stdout[-2000:] + run.stderr[-4000:]
    result = json.loads(lines[-1])
    site = str(venv / "lib")
    assert result["jar"].startswith(site) and "/topksae/jars/" in result["jar"], result
    assert result["topksae"].startswith(site), result
    assert result["rows"] == 200 and 1 <= result["nnz"] <= 2, result
    printed = subprocess.run(
        [py, "-m", "topksae", "jar"],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(tmp_path),
        check=True,
    )
    assert printed.stdout.strip() == result["jar"]
