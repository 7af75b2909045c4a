"""Runs the quickstart notebook over Spark Connect: a local Connect server with the jar
(connect_check.connect_server), TOPKSAE_REMOTE pointing the notebook's first cell at it. Its own
process (a Connect client switches the whole process to Connect mode); prints one JSON line.

    python connect_notebook.py JAR NOTEBOOK WORKDIR
"""

import json
import os
import runpy
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import topksae.spark  # noqa: E402,F401 - this checkout's package, not the copy inside the jar
from connect_check import connect_server  # noqa: E402


def main(jar: str, notebook: str, work: str) -> None:
    with connect_server(jar, work) as port:
        os.environ["TOPKSAE_REMOTE"] = "sc://127.0.0.1:%d" % port
        g = runpy.run_path(notebook, run_name="__main__")
        from pyspark.sql.utils import is_remote

        history = g["history"]
        result = {
            "remote": bool(is_remote()),
            "rounds": len(history),
            "loss_fell": bool(history["loss"].iloc[-1] < history["loss"].iloc[0]),
            "same": g["same"],
            "frequency_shape": list(g["frequency"].shape),
            "max_frequency": float(g["frequency"].max()),
            "median_best": float(np.median(g["best"])),
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
