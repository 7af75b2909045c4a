"""TopK sparse autoencoders trained on Apache Spark.

The Spark ML stages live in :mod:`topksae.spark` (the same package name as the JVM classes,
so ``PipelineModel.load`` finds them)::

    from topksae.spark import TopKSAEEstimator
    model = TopKSAEEstimator(inputCol="activation", nbConcepts=4096, topK=32).fit(df)

The JVM side ships in the job jar (``target/topk-sae-spark-<version>-job.jar``); this Python
package is inside that jar too, so ``--py-files`` with the jar is enough to import it.
"""

__version__ = "0.1.0"
