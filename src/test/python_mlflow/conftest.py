"""The Spark fixtures of src/test/python, with Python workers on this interpreter (MLflow's
autolog runs a Python UDF to infer the model signature)."""

import importlib.util
import os
import sys

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "..", "python"))
_spec = importlib.util.spec_from_file_location(
    "python_conftest", os.path.join(_HERE, "..", "python", "conftest.py")
)
_shared = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_shared)

jar, spark, activations = _shared.jar, _shared.spark, _shared.activations
