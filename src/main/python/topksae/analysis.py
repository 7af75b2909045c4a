"""Analyse a trained SAE on Spark: per-concept statistics, the rows that activate each concept
most, nearest-neighbour concepts, and the ``TopKSAEEvaluator`` for model selection.

Everything runs on the executors; the codes are never collected to the driver. On a classic
SparkSession the JVM classes do the work (``topksae.analysis.ConceptAnalysis``,
``topksae.analysis.NearestConcepts``, ``topksae.spark.TopKSAEEvaluator``). Over Spark Connect,
``concept_stats``, ``top_activations`` and ``explode_codes`` are built from DataFrame functions
alone (same columns, same values; see ``_entries``), ``nearest_concepts`` is computed here with
numpy from ``model.dictionary``, and the evaluator runs on the server.
"""

from typing import Any, Dict, Optional, Union

import numpy as np
from pyspark.ml.evaluation import JavaEvaluator
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.util import JavaMLReadable, JavaMLReader, JavaMLWritable
from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "concept_stats",
    "top_activations",
    "explode_codes",
    "nearest_concepts",
    "TopKSAEEvaluator",
]

#: TopKSAEEvaluator's metrics, in the order evaluate_all returns them.
METRICS = ("fvu", "mse", "r2", "l0", "deadFraction", "neverFiredFraction")


def _session(df: Optional[DataFrame] = None) -> SparkSession:
    spark = df.sparkSession if df is not None else SparkSession.getActiveSession()
    if spark is None:
        raise RuntimeError("no active SparkSession")
    return spark


def _remote() -> bool:
    from pyspark.sql.utils import is_remote

    return bool(is_remote())


def _jvm(spark: SparkSession) -> Any:
    return spark.sparkContext._jvm


def concept_stats(dataset: DataFrame, codes_col: str = "codes") -> DataFrame:
    """One row per concept: ``concept``, ``fires`` (rows where it is non-zero), ``frequency``
    (fires / rows), ``meanActivation`` (mean code where it fires) and ``maxActivation``.
    Never-firing (dead) concepts are listed with zeros."""
    if _remote():
        return _concept_stats_df(dataset, codes_col)
    spark = _session(dataset)
    jdf = _jvm(spark).topksae.analysis.ConceptAnalysis.conceptStats(dataset._jdf, codes_col)
    return DataFrame(jdf, spark)


def explode_codes(dataset: DataFrame, id_col: str, codes_col: str = "codes") -> DataFrame:
    """The non-zero codes as rows ``(<id_col>, concept, activation)``."""
    if _remote():
        return _explode_codes_df(dataset, id_col, codes_col)
    spark = _session(dataset)
    jdf = _jvm(spark).topksae.analysis.ConceptAnalysis.explodeCodes(dataset._jdf, codes_col, id_col)
    return DataFrame(jdf, spark)


def top_activations(
    dataset: DataFrame, id_col: str, n: int = 10, codes_col: str = "codes"
) -> DataFrame:
    """For every concept the ``n`` rows that activate it most: ``concept``, ``rank`` (1 = strongest),
    ``<id_col>``, ``activation``; ties broken by ascending id."""
    if _remote():
        return _top_activations_df(dataset, id_col, int(n), codes_col)
    spark = _session(dataset)
    jdf = _jvm(spark).topksae.analysis.ConceptAnalysis.topActivations(
        dataset._jdf, codes_col, id_col, int(n)
    )
    return DataFrame(jdf, spark)


#: An ML Vector's SQL layout (VectorUDT.sqlType): type 0 = sparse, 1 = dense.
_VECTOR = "v struct<type: tinyint, size: int, indices: array<int>, values: array<double>>"


def _vector_parts(codes_col: str) -> Any:
    """The codes column as its SQL struct (type, size, indices, values), null for a null vector.
    DataFrame functions cannot open a Vector column, but ``to_json`` writes its SQL struct
    (doubles in round-trip precision), so ``from_json`` reads the parts back: sparse codes stay
    sparse, as in the JVM path."""
    from pyspark.sql import functions as F

    return F.from_json(F.to_json(F.struct(F.col(codes_col).alias("v"))), _VECTOR)["v"]


def _entries(codes_col: str) -> Any:
    """The non-zero entries of each codes vector: an array of struct(concept int, activation
    double), empty for a null vector."""
    from pyspark.sql import functions as F

    v = _vector_parts(codes_col)
    sparse = F.transform(
        v["indices"], lambda c, j: F.struct(c.alias("concept"), v["values"][j].alias("activation"))
    )
    dense = F.transform(
        v["values"], lambda a, j: F.struct(j.alias("concept"), a.alias("activation"))
    )
    every = F.when(v["type"] == 0, sparse).otherwise(dense)
    return F.coalesce(
        F.filter(every, lambda e: e["activation"] != 0),
        F.array().cast("array<struct<concept: int, activation: double>>"),
    )


def _explode_codes_df(dataset: DataFrame, id_col: str, codes_col: str) -> DataFrame:
    from pyspark.sql import functions as F

    return dataset.select(F.col(id_col), F.explode(_entries(codes_col)).alias("e")).select(
        id_col, F.col("e.concept").alias("concept"), F.col("e.activation").alias("activation")
    )


def _top_activations_df(dataset: DataFrame, id_col: str, n: int, codes_col: str) -> DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if n <= 0:
        raise ValueError("n must be positive, got %d" % n)
    order = Window.partitionBy("concept").orderBy(F.col("activation").desc(), F.col(id_col).asc())
    return (
        _explode_codes_df(dataset, id_col, codes_col)
        .withColumn("rank", F.row_number().over(order))
        .filter(F.col("rank") <= n)
        .select("concept", "rank", id_col, "activation")
        .orderBy("concept", "rank")
    )


def _concept_stats_df(dataset: DataFrame, codes_col: str) -> DataFrame:
    """concept_stats from DataFrame functions: one small aggregate (rows, vector size) comes to
    the driver, as the JVM path's; the per-concept sums stay a grouped DataFrame."""
    from pyspark.sql import functions as F

    v = _vector_parts(codes_col)
    size = F.when(v["type"] == 0, v["size"]).when(v["type"] == 1, F.size(v["values"]))
    totals = dataset.select(
        F.count(F.lit(1)).alias("rows"), F.min(size).alias("lo"), F.max(size).alias("hi")
    ).first()
    if totals is None or totals["hi"] is None:
        raise ValueError("column '%s' has no codes (empty or all null)" % codes_col)
    if totals["lo"] != totals["hi"]:
        raise ValueError("codes vectors differ in size: %d and %d" % (totals["lo"], totals["hi"]))
    rows = int(totals["rows"])
    e = dataset.select(F.explode(_entries(codes_col)).alias("e")).select("e.*")
    fired = e.groupBy("concept").agg(
        F.count(F.lit(1)).alias("fires"),
        F.sum("activation").alias("sum"),
        F.max("activation").alias("max"),
    )
    every = (
        _session(dataset).range(int(totals["hi"])).select(F.col("id").cast("int").alias("concept"))
    )
    fires = F.coalesce(F.col("fires"), F.lit(0).cast("long"))
    return (
        every.join(fired, "concept", "left")
        .select(
            "concept",
            fires.alias("fires"),
            (fires / F.lit(float(rows))).alias("frequency"),
            F.coalesce(F.col("sum") / F.col("fires"), F.lit(0.0)).alias("meanActivation"),
            F.coalesce(F.col("max"), F.lit(0.0)).alias("maxActivation"),
        )
        .orderBy("concept")
    )


def nearest_concepts(model_or_dictionary: Union[Any, np.ndarray], n: int = 5) -> DataFrame:
    """For every concept its ``n`` most similar other concepts by cosine similarity of the dictionary
    rows: ``concept``, ``rank``, ``neighbour``, ``cosine``. Takes a ``TopKSAEModel`` or an array
    [nbConcepts, dim]. Over Spark Connect the similarities are computed here with numpy (from
    ``model.dictionary``) and sent as a DataFrame."""
    if _remote():
        return _nearest_here(model_or_dictionary, n)
    spark = _session()
    analysis = _jvm(spark).topksae.analysis.NearestConcepts
    if isinstance(model_or_dictionary, np.ndarray):
        d = np.ascontiguousarray(model_or_dictionary, dtype="<f4")
        if d.ndim != 2:
            raise ValueError(
                "the dictionary must be 2-d [nbConcepts, dim], got shape %s" % (d.shape,)
            )
        jdf = analysis.nearestConceptsFromBytes(
            bytearray(d.tobytes()), d.shape[0], d.shape[1], int(n)
        )
    else:
        jdf = analysis.nearestConcepts(model_or_dictionary._java_obj.dictionary(), int(n))
    return DataFrame(jdf, spark)


def _nearest_here(model_or_dictionary: Union[Any, np.ndarray], n: int) -> DataFrame:
    d = (
        model_or_dictionary
        if isinstance(model_or_dictionary, np.ndarray)
        else model_or_dictionary.dictionary
    ).astype(np.float64)
    if d.ndim != 2 or d.shape[0] < 2 or n <= 0:
        raise ValueError(
            "need a 2-d dictionary of at least 2 concepts and n > 0; got shape %s and "
            "n=%d" % (d.shape, n)
        )
    unit = d / np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-12)
    k = min(int(n), d.shape[0] - 1)
    rows = []
    for start in range(0, d.shape[0], 1024):  # blocks: the full similarity matrix never exists
        cos = unit[start : start + 1024] @ unit.T
        for i in range(cos.shape[0]):
            cos[i, start + i] = -np.inf
        best = np.argsort(-cos, axis=1, kind="stable")[:, :k]
        for i in range(cos.shape[0]):
            rows.extend((start + i, r + 1, int(j), float(cos[i, j])) for r, j in enumerate(best[i]))
    spark = SparkSession.getActiveSession()
    if spark is None:
        raise RuntimeError("no active SparkSession")
    return spark.createDataFrame(rows, "concept int, rank int, neighbour int, cosine double")


class _EvaluatorReader(JavaMLReader):
    @classmethod
    def _java_loader_class(cls, clazz: type) -> str:
        return "topksae.spark.TopKSAEEvaluator"


class TopKSAEEvaluator(JavaEvaluator, JavaMLReadable["TopKSAEEvaluator"], JavaMLWritable):
    """Scores a data set transformed by a ``TopKSAEModel`` whose ``reconstructionCol`` is set.

    ``metricName``: ``fvu`` (default), ``mse``, ``l0``, ``deadFraction``, ``neverFiredFraction``
    (smaller is better; on an evaluation set the dead window is all its rows, so both are equal) or
    ``r2`` (larger is better), so ``CrossValidator`` / ``TrainValidationSplit`` can choose ``topK``
    or ``nbConcepts``::

        est = TopKSAEEstimator(nbConcepts=256, reconstructionCol="reconstruction")
        grid = ParamGridBuilder().addGrid(est.topK, [8, 32]).build()
        tvs = TrainValidationSplit(estimator=est, estimatorParamMaps=grid,
                                   evaluator=TopKSAEEvaluator(metricName="fvu"))
    """

    metricName = Param(
        Params._dummy(),
        "metricName",
        "fvu, mse, r2, l0, deadFraction or neverFiredFraction",
        typeConverter=TypeConverters.toString,
    )
    inputCol = Param(
        Params._dummy(),
        "inputCol",
        "column of input activations",
        typeConverter=TypeConverters.toString,
    )
    outputCol = Param(
        Params._dummy(), "outputCol", "column of codes", typeConverter=TypeConverters.toString
    )
    reconstructionCol = Param(
        Params._dummy(),
        "reconstructionCol",
        "column of reconstructions",
        typeConverter=TypeConverters.toString,
    )

    def __init__(
        self,
        *,
        metricName: str = "fvu",
        inputCol: str = "features",
        outputCol: str = "codes",
        reconstructionCol: str = "reconstruction",
    ) -> None:
        super().__init__()
        self._java_obj = self._new_java_obj("topksae.spark.TopKSAEEvaluator", self.uid)
        self._setDefault(
            metricName="fvu",
            inputCol="features",
            outputCol="codes",
            reconstructionCol="reconstruction",
        )
        self._set(
            metricName=metricName,
            inputCol=inputCol,
            outputCol=outputCol,
            reconstructionCol=reconstructionCol,
        )

    def setMetricName(self, value: str) -> "TopKSAEEvaluator":
        return self._set(metricName=value)

    def getMetricName(self) -> str:
        return self.getOrDefault(self.metricName)

    def setInputCol(self, value: str) -> "TopKSAEEvaluator":
        return self._set(inputCol=value)

    def setOutputCol(self, value: str) -> "TopKSAEEvaluator":
        return self._set(outputCol=value)

    def setReconstructionCol(self, value: str) -> "TopKSAEEvaluator":
        return self._set(reconstructionCol=value)

    def isLargerBetter(self) -> bool:
        """True for r2 only (the other metrics are errors or counts); works over Spark Connect."""
        return self.getMetricName() == "r2"

    def evaluate_all(self, dataset: DataFrame) -> Dict[str, float]:
        """Every metric as a dict: from one pass on a classic session (plus deadWindowTokens);
        over Spark Connect, whose server runs only ``evaluate``, one ``evaluate`` per metric."""
        from pyspark.sql.utils import is_remote

        if is_remote():
            return {m: float(self.copy({self.metricName: m}).evaluate(dataset)) for m in METRICS}
        self._transfer_params_to_java()
        return {k: float(v) for k, v in dict(self._java_obj.evaluateAll(dataset._jdf)).items()}

    @classmethod
    def read(cls) -> JavaMLReader["TopKSAEEvaluator"]:
        return _EvaluatorReader(cls)
