"""TopK sparse autoencoders trained on Apache Spark.

The Spark ML stages live in :mod:`topksae.spark` (the same package name as the JVM classes,
so ``PipelineModel.load`` finds them)::

    from topksae.spark import TopKSAEEstimator
    model = TopKSAEEstimator(inputCol="activation", nbConcepts=4096, topK=32).fit(df)

The JVM side ships in the job jar (``target/topk-sae-spark-<version>-job.jar``); the wheel of
``scripts/build_wheel.sh`` carries it (``python -m topksae jar`` prints its path), and this Python
package is inside that jar too, so ``--py-files`` with the jar is enough to import it.
"""

__version__ = "0.1.0"

#: The pyspark (and Spark) versions this package and its job jar are tested with: the 4.0 line
#: the jar is built against, and the newest line (4.3) over Spark Connect (docs/python.md).
PYSPARK_SUPPORTED = ">=4.0.1,<4.4"
