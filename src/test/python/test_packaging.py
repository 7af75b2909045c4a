"""The Python package inside the job jar, the Spark Connect service entries, and the wheel."""

import glob
import os
import shutil
import subprocess
import sys
import zipfile

from conftest import PY_SRC


def python_sources():
    return {os.path.relpath(p, PY_SRC).replace(os.sep, "/")
            for p in glob.glob(os.path.join(PY_SRC, "topksae", "**", "*.py"), recursive=True)}


def test_jar_holds_every_python_source(jar):
    names = set(zipfile.ZipFile(jar).namelist())
    assert python_sources() <= names
    assert "topksae/spark/__init__.py" in names
    assert "topksae/py.typed" in names  # type checkers read the package's hints


def test_package_imports_from_the_jar_alone(jar):
    # -S hides site-packages: topksae must come from the jar, and then stops at its first
    # third-party import (numpy or pyspark), which a real session provides.
    code = "import sys; sys.path.insert(0, %r); import topksae.spark" % jar
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=""), cwd="/", check=False)
    assert os.path.join(jar, "topksae", "spark", "__init__.py") in out.stderr, out.stderr
    assert "No module named 'numpy'" in out.stderr or "No module named 'pyspark'" in out.stderr
    code2 = "import sys; sys.path.insert(0, %r); import topksae; print(topksae.__file__)" % jar
    out2 = subprocess.run([sys.executable, "-c", code2], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=""), cwd="/", check=True)
    assert out2.stdout.strip() == os.path.join(jar, "topksae", "__init__.py")


def test_spark_connect_service_entries_name_classes_in_the_jar(jar):
    z = zipfile.ZipFile(jar)
    for service, cls in [("org.apache.spark.ml.Estimator", "topksae.spark.TopKSAEEstimator"),
                         ("org.apache.spark.ml.Transformer", "topksae.spark.TopKSAEModel"),
                         ("org.apache.spark.ml.evaluation.Evaluator",
                          "topksae.spark.TopKSAEEvaluator")]:
        lines = [l.strip() for l in z.read("META-INF/services/" + service).decode().splitlines()
                 if l.strip() and not l.startswith("#")]
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
    assert any(c.getParameterCount() == 1 and c.getParameterTypes()[0].getName() ==
               "java.lang.String" for c in cls.getConstructors())


def test_pip_builds_a_wheel_from_the_source_tree(tmp_path):
    src = tmp_path / "src"  # a copy: an in-tree build would leave build/ and *.egg-info behind
    shutil.copytree(PY_SRC, src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist"), str(src)], check=True)
    wheels = glob.glob(str(tmp_path / "dist" / "topksae-*.whl"))
    assert len(wheels) == 1
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    assert python_sources() <= names
    assert "topksae/py.typed" in names
