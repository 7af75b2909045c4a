"""A local SparkSession with the project's job jar, for scripts, notebooks run as plain Python,
and tests. On a cluster or Databricks the jar is attached by the platform instead
(``python -m topksae jar`` prints the path of the jar the wheel carries, for ``--jars``)."""

import glob
import os
from typing import Any, Optional

JAR_ENV = "TOPKSAE_JAR"


def packaged_jar() -> Optional[str]:
    """The job jar a wheel of this package carries (``topksae/jars/``), or None in a source tree."""
    here = os.path.dirname(os.path.abspath(__file__))
    jars = sorted(glob.glob(os.path.join(here, "jars", "topk-sae-spark-*-job.jar")))
    return jars[-1] if jars else None


def find_jar() -> str:
    """The job jar: $TOPKSAE_JAR, else the jar inside the installed wheel, else the newest
    target/topk-sae-spark-*-job.jar of the source checkout this package lives in.
    FileNotFoundError says how to get one."""
    path = os.environ.get(JAR_ENV)
    if path:
        if not os.path.isfile(path):
            raise FileNotFoundError("%s=%s is not a file" % (JAR_ENV, path))
        return os.path.abspath(path)
    packaged = packaged_jar()
    if packaged:
        return packaged
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", "..", "..", ".."))  # src/main/python/topksae
    jars = sorted(
        glob.glob(os.path.join(root, "target", "topk-sae-spark-*-job.jar")), key=os.path.getmtime
    )
    if not jars:
        raise FileNotFoundError(
            "no job jar found: this installation of topksae (%s) carries none. Install the wheel "
            "that scripts/build_wheel.sh makes (it carries the jar), set %s to the jar's path, or "
            "in a source checkout build it with `mvn -B -ntp -q package -DskipTests`"
            % (here, JAR_ENV)
        )
    return jars[-1]


def local_session(
    app_name: str = "topksae",
    jar: Optional[str] = None,
    cores: int = 2,
    driver_memory: str = "2g",
    **conf: Any,
) -> Any:
    """A local[cores] SparkSession bound to 127.0.0.1 with the job jar on its classpath
    ($TOPKSAE_JAVA_OPTIONS is added to the driver's JVM options, e.g. -Dtopksae.precision=float32).

    Extra Spark settings go in `conf` (dots as in Spark: ``local_session(**{"spark.x": 1})``).
    If a session already runs, it is returned as it is."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.master("local[%d]" % cores)
        .appName(app_name)
        .config("spark.jars", jar or find_jar())
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", driver_memory)
        .config(
            "spark.driver.extraJavaOptions",
            "-Dorg.bytedeco.javacpp.maxbytes=4G "
            "-Dorg.bytedeco.javacpp.maxphysicalbytes=8G "
            + os.environ.get("TOPKSAE_JAVA_OPTIONS", ""),
        )
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(2 * cores))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    for key, value in conf.items():
        builder = builder.config(key, str(value))
    return builder.getOrCreate()
