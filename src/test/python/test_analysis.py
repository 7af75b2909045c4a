"""topksae.analysis and topksae.export on a real fitted model, checked against numpy on collected data."""

import numpy as np
import pytest
from pyspark.ml.tuning import ParamGridBuilder, TrainValidationSplit
from safetensors.numpy import load_file

from topksae.analysis import (
    TopKSAEEvaluator,
    concept_stats,
    explode_codes,
    nearest_concepts,
    top_activations,
)
from topksae.export import export_overcomplete, export_saelens, load_overcomplete, load_saelens
from topksae.spark import TopKSAEEstimator

CONCEPTS = 32


def _estimator(**kw):
    return TopKSAEEstimator(
        nbConcepts=CONCEPTS,
        topK=4,
        batchSize=64,
        localSteps=20,
        learningRate=1e-2,
        maxEpochs=1,
        reconstructionCol="reconstruction",
        seed=1,
        **kw,
    )


@pytest.fixture(scope="module")
def fitted(activations):
    return _estimator(decoderBiasInit="mean").fit(activations)


@pytest.fixture(scope="module")
def coded(fitted, activations):
    return fitted.transform(activations).cache()


def _dense(coded):
    rows = coded.select("id", "codes", "features", "reconstruction").orderBy("id").collect()
    codes = np.array([r["codes"].toArray() for r in rows])
    x = np.array([r["features"] for r in rows], dtype=np.float64)
    x_hat = np.array([r["reconstruction"].toArray() for r in rows])
    return np.array([r["id"] for r in rows]), codes, x, x_hat


def test_concept_stats_match_numpy(coded):
    _, codes, _, _ = _dense(coded)
    stats = concept_stats(coded).orderBy("concept").toPandas()
    fires = (codes != 0).sum(axis=0)
    assert list(stats["concept"]) == list(range(CONCEPTS))
    np.testing.assert_array_equal(stats["fires"], fires)
    np.testing.assert_allclose(stats["frequency"], fires / len(codes))
    mean = np.where(fires > 0, codes.sum(axis=0) / np.maximum(fires, 1), 0)
    np.testing.assert_allclose(stats["meanActivation"], mean, rtol=1e-9)
    np.testing.assert_allclose(stats["maxActivation"], codes.max(axis=0))
    assert explode_codes(coded, "id").count() == int(fires.sum())


def test_top_activations_are_the_strongest_rows(coded):
    ids, codes, _, _ = _dense(coded)
    top = top_activations(coded, "id", n=3).toPandas()
    for concept, group in top.groupby("concept"):
        column = codes[:, concept]
        expected = np.sort(column[column > 0])[::-1][:3]
        np.testing.assert_allclose(group.sort_values("rank")["activation"], expected)
        for _, row in group.iterrows():
            assert column[list(ids).index(row["id"])] == row["activation"]


def test_dataframe_path_equals_the_jvm_path(coded, spark):
    """The DataFrame-function versions (what Spark Connect runs) give the JVM's results, on
    sparse codes, on dense codes and on null codes."""
    from pyspark.ml.functions import array_to_vector, vector_to_array
    from pyspark.sql import functions as F

    from topksae import analysis

    def same(a, b, keys):
        a, b = a.toPandas().sort_values(keys), b.toPandas().sort_values(keys)
        assert list(a.columns) == list(b.columns) and len(a) == len(b) > 0
        for c in a.columns:
            np.testing.assert_allclose(a[c].to_numpy(float), b[c].to_numpy(float), rtol=1e-12)

    dense = coded.withColumn("codes", array_to_vector(vector_to_array("codes")))
    nulls = coded.withColumn("codes", F.when(F.col("id") % 7 == 0, None).otherwise(F.col("codes")))
    for df in (coded, dense, nulls):
        same(analysis._concept_stats_df(df, "codes"), concept_stats(df), ["concept"])
        same(
            analysis._explode_codes_df(df, "id", "codes"),
            explode_codes(df, "id"),
            ["id", "concept"],
        )
        same(
            analysis._top_activations_df(df, "id", 3, "codes"),
            top_activations(df, "id", n=3),
            ["concept", "rank"],
        )
    with pytest.raises(ValueError, match="no codes"):
        analysis._concept_stats_df(coded.limit(0), "codes")


def test_nearest_concepts_match_numpy_cosine(fitted):
    d = fitted.dictionary.astype(np.float64)
    unit = d / np.linalg.norm(d, axis=1, keepdims=True)
    cos = unit @ unit.T
    np.fill_diagonal(cos, -np.inf)
    for result in (nearest_concepts(fitted, n=2), nearest_concepts(fitted.dictionary, n=2)):
        nn = result.orderBy("concept", "rank").toPandas()
        assert len(nn) == 2 * CONCEPTS
        best = nn[nn["rank"] == 1]
        np.testing.assert_allclose(best["cosine"], cos.max(axis=1), atol=1e-5)


def test_evaluator_metrics_match_numpy(coded):
    _, codes, x, x_hat = _dense(coded)
    ev = TopKSAEEvaluator()
    fvu = ((x - x_hat) ** 2).sum() / ((x - x.mean(axis=0)) ** 2).sum()
    assert ev.evaluate(coded) == pytest.approx(fvu, rel=1e-6)
    metrics = ev.evaluate_all(coded)
    assert list(metrics) == [
        "fvu",
        "mse",
        "r2",
        "l0",
        "deadFraction",
        "neverFiredFraction",
        "deadWindowTokens",
    ]
    assert metrics["mse"] == pytest.approx(((x - x_hat) ** 2).mean(), rel=1e-6)
    assert metrics["l0"] == pytest.approx((codes != 0).sum(axis=1).mean())
    assert metrics["deadFraction"] == pytest.approx(((codes != 0).sum(axis=0) == 0).mean())
    assert metrics["neverFiredFraction"] == metrics["deadFraction"]
    assert metrics["deadWindowTokens"] == len(x)
    assert not ev.isLargerBetter() and TopKSAEEvaluator(metricName="r2").isLargerBetter()


def test_train_validation_split_chooses_k(activations, tmp_path):
    est = _estimator()
    grid = ParamGridBuilder().addGrid(est.topK, [1, 6]).build()
    tvs = TrainValidationSplit(
        estimator=est,
        estimatorParamMaps=grid,
        evaluator=TopKSAEEvaluator(),
        trainRatio=0.75,
        seed=2,
    )
    model = tvs.fit(activations)
    assert model.validationMetrics[1] < model.validationMetrics[0]
    assert model.bestModel.getOrDefault("topK") == 6
    ev = TopKSAEEvaluator(metricName="l0", reconstructionCol="rec")
    ev.save(str(tmp_path / "ev"))
    back = TopKSAEEvaluator.load(str(tmp_path / "ev"))
    assert back.getMetricName() == "l0" and back.getOrDefault("reconstructionCol") == "rec"


def test_saelens_export_loads_back_and_matches_numpy(fitted, coded, activations, tmp_path):
    path = str(tmp_path / "saelens")
    export_saelens(fitted, path, hook_name="blocks.0.hook_resid_post")
    w = load_file(path + "/sae_weights.safetensors")
    _, codes, x, x_hat = _dense(coded)
    pre = (x - w["b_dec"]) @ w["W_enc"] + w["b_enc"]  # SAELens TopKSAE.encode
    idx = np.argpartition(-pre, 3, axis=1)[:, :4]
    mine = np.zeros_like(pre)
    np.put_along_axis(mine, idx, np.maximum(np.take_along_axis(pre, idx, axis=1), 0), axis=1)
    np.testing.assert_allclose(mine, codes, atol=1e-5)
    np.testing.assert_allclose(mine @ w["W_dec"] + w["b_dec"], x_hat, atol=1e-5)
    back = load_saelens(path)
    back.set(
        back.getParam("batchSize"), fitted.getOrDefault("batchSize")
    )  # same GEMM shapes: same bits
    back.set(back.getParam("reconstructionCol"), "reconstruction")
    again = back.transform(activations).orderBy("id").select("codes", "reconstruction").collect()
    np.testing.assert_array_equal(np.array([r["codes"].toArray() for r in again]), codes)
    np.testing.assert_array_equal(np.array([r["reconstruction"].toArray() for r in again]), x_hat)


def test_overcomplete_export_round_trip(fitted, activations, tmp_path):
    plain = _estimator().fit(activations)
    path = str(tmp_path / "oc.safetensors")
    export_overcomplete(plain, path)
    back = load_overcomplete(path)
    np.testing.assert_array_equal(back.dictionary, plain.dictionary)
    with pytest.raises(Exception, match="no input offset"):
        export_overcomplete(fitted, str(tmp_path / "x.safetensors"))  # fitted has an input offset
