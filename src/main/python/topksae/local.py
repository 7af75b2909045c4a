"""A local SparkSession with the project's job jar, for scripts, notebooks run as plain Python,
and tests. On a cluster or Databricks the jar is attached by the platform instead."""

import glob
import os
from typing import Any, Optional

JAR_ENV = "TOPKSAE_JAR"


def find_jar() -> str:
    """The job jar: $TOPKSAE_JAR, else the newest target/topk-sae-spark-*-job.jar of the source
    checkout this package lives in. FileNotFoundError says how to build it."""
    path = os.environ.get(JAR_ENV)
    if path:
        if not os.path.isfile(path):
            raise FileNotFoundError("%s=%s is not a file" % (JAR_ENV, path))
        return os.path.abspath(path)
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", "..", "..", ".."))  # src/main/python/topksae
    jars = sorted(glob.glob(os.path.join(root, "target", "topk-sae-spark-*-job.jar")),
                  key=os.path.getmtime)
    if not jars:
        raise FileNotFoundError(
            "no job jar found: build it with `mvn -B -ntp -q package -DskipTests` in %s, "
            "or set %s to its path" % (root, JAR_ENV))
    return jars[-1]


def local_session(app_name: str = "topksae", jar: Optional[str] = None, cores: int = 2,
                  driver_memory: str = "2g", **conf: Any) -> Any:
    """A local[cores] SparkSession bound to 127.0.0.1 with the job jar on its classpath
    ($TOPKSAE_JAVA_OPTIONS is added to the driver's JVM options, e.g. -Dtopksae.precision=float32).

    Extra Spark settings go in `conf` (dots as in Spark: ``local_session(**{"spark.x": 1})``).
    If a session already runs, it is returned as it is."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (SparkSession.builder.master("local[%d]" % cores).appName(app_name)
               .config("spark.jars", jar or find_jar())
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.driver.memory", driver_memory)
               .config("spark.driver.extraJavaOptions",
                       "-Dorg.bytedeco.javacpp.maxbytes=4G "
                       "-Dorg.bytedeco.javacpp.maxphysicalbytes=8G "
                       + os.environ.get("TOPKSAE_JAVA_OPTIONS", ""))
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(2 * cores))
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    for key, value in conf.items():
        builder = builder.config(key, str(value))
    return builder.getOrCreate()
