"""fit / transform / save / load through the Python API, and JVM errors seen from Python."""

import numpy as np
import pytest
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.linalg import SparseVector
from pyspark.sql import functions as F

from conftest import DIM
from topksae.spark import TopKSAEEstimator, TopKSAEModel, TopKSAETrainingSummary

NB, K = 32, 4


def small_estimator(**extra):
    kw = dict(
        nbConcepts=NB, topK=K, batchSize=64, localSteps=5, maxEpochs=1, learningRate=2e-2, seed=3
    )
    kw.update(extra)
    return TopKSAEEstimator(**kw)


@pytest.fixture(scope="module")
def model(activations):
    # 600 rows, 2 workers x 5 steps x 64 rows per round: about one round per epoch
    return small_estimator(maxEpochs=10).fit(activations)


def test_fit_returns_a_python_model_with_the_estimator_params(model):
    assert isinstance(model, TopKSAEModel)
    assert (model.getNbConcepts(), model.getTopK(), model.getSeed(), model.getMaxEpochs()) == (
        NB,
        K,
        3,
        10,
    )
    assert model._java_obj.getNbConcepts() == NB


def test_transform_adds_sparse_codes_with_at_most_topk_entries(model, activations):
    rows = model.transform(activations).select("id", "codes").collect()
    assert len(rows) == 600
    for r in rows:
        assert isinstance(r.codes, SparseVector) and r.codes.size == NB
        assert 1 <= r.codes.numNonzeros() <= K
        assert np.all(r.codes.values >= 0)


def test_dictionary_is_a_numpy_copy_of_the_jvm_one(model):
    d = model.dictionary
    assert d.dtype == np.float32 and d.shape == (NB, DIM)
    jd = model._java_obj.dictionary()
    for i, j in [(0, 0), (NB - 1, DIM - 1), (7, 3)]:
        assert d[i, j] == np.float32(jd[i][j])
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), 1.0, atol=1e-4)  # l2 normalization


def test_summary_is_plain_python(model):
    s = model.summary
    assert isinstance(s, TopKSAETrainingSummary) and len(s) >= 5
    assert all(isinstance(r, dict) for r in s.rounds)
    assert {
        "round",
        "loss",
        "fvu",
        "l0",
        "deadFraction",
        "neverFiredFraction",
        "deadWindow",
    } <= set(s.columns)
    assert s.deadWindow == 600  # deadTokens unset: one epoch's tokens
    assert 0 <= s.neverFiredFraction <= 1 and 0 <= s.deadFraction <= 1
    losses = s.column("loss")
    assert all(isinstance(v, float) and np.isfinite(v) for v in losses)
    assert losses[-1] < losses[0]
    assert s.validRows == 600 and s.skippedRows == 0
    assert s.asDict()["rounds"][0] == s.rounds[0]


def test_reconstruction_explains_the_data(model, activations):
    out = model.copy().setReconstructionCol("xhat").transform(activations)
    x = np.array([r.features for r in out.select("features").collect()])
    xhat = np.array([r.xhat.toArray() for r in out.select("xhat").collect()])
    fvu = ((x - xhat) ** 2).sum() / ((x - x.mean(0)) ** 2).sum()
    assert fvu < 0.5, fvu
    assert fvu == pytest.approx(model.summary.column("fvu")[-1], rel=0.5)


def test_model_save_and_load_round_trip(model, activations, tmp_path):
    path = str(tmp_path / "sae")
    model.write().overwrite().save(path)
    loaded = TopKSAEModel.load(path)
    assert isinstance(loaded, TopKSAEModel)
    assert (loaded.getNbConcepts(), loaded.getTopK()) == (NB, K)
    np.testing.assert_array_equal(loaded.dictionary, model.dictionary)
    a = model.transform(activations).orderBy("id").select("codes").collect()
    b = loaded.transform(activations).orderBy("id").select("codes").collect()
    assert a == b


def test_estimator_save_and_load_keeps_params(tmp_path):
    path = str(tmp_path / "est")
    small_estimator(inputCol="act", variant="batchtopk").save(path)
    est = TopKSAEEstimator.load(path)
    assert (est.getInputCol(), est.getVariant(), est.getNbConcepts(), est.getTopK()) == (
        "act",
        "batchtopk",
        NB,
        K,
    )


def test_pipeline_model_load_finds_the_python_class(activations, tmp_path):
    fitted = Pipeline(stages=[small_estimator()]).fit(activations)
    path = str(tmp_path / "pipe")
    fitted.save(path)
    stage = PipelineModel.load(path).stages[0]
    assert type(stage) is TopKSAEModel
    assert stage.dictionary.shape == (NB, DIM)
    assert stage.transform(activations).count() == 600


def test_input_col_of_another_name_and_vector_type(spark, activations):
    from pyspark.ml.functions import array_to_vector

    df = activations.select(array_to_vector("features").alias("vec"))
    model = small_estimator(inputCol="vec", outputCol="z", maxEpochs=1).fit(df)
    assert model.transform(df).select("z").first().z.size == NB


def test_topk_above_nb_concepts_fails_with_the_jvm_message(activations):
    with pytest.raises(Exception, match="exceeds nbConcepts"):
        small_estimator(topK=NB + 1).fit(activations)


def test_missing_column_fails_with_the_jvm_message(activations):
    with pytest.raises(Exception, match="'nope' does not exist"):
        small_estimator(inputCol="nope").fit(activations)


def test_wrong_column_type_fails_with_the_jvm_message(activations):
    df = activations.withColumn("s", F.lit("text"))
    with pytest.raises(Exception, match="expected array<float>"):
        small_estimator(inputCol="s").fit(df)


def test_invalid_param_value_is_rejected_by_the_jvm(activations):
    from pyspark.errors import IllegalArgumentException

    with pytest.raises(IllegalArgumentException, match="nbConcepts"):
        small_estimator(nbConcepts=0).fit(activations)


def test_loaded_model_has_no_summary_and_says_so(model, tmp_path):
    path = str(tmp_path / "sae")
    model.write().overwrite().save(path)
    loaded = TopKSAEModel.load(path)
    assert model.hasSummary and not loaded.hasSummary
    with pytest.raises(RuntimeError, match="only the model returned by fit has one.*hasSummary"):
        loaded.summary


def test_a_bad_row_fails_with_the_one_line_cause_first(spark, activations):
    from pyspark.sql.types import ArrayType, FloatType, StructField, StructType

    rows = [(None,)] + [([float(v) for v in r.features],) for r in activations.limit(100).collect()]
    schema = StructType([StructField("features", ArrayType(FloatType()))])
    df = spark.createDataFrame(rows, schema).coalesce(1)
    with pytest.raises(Exception) as info:
        small_estimator().fit(df)
    first = str(info.value).splitlines()[0]
    assert first.startswith("invalid row 0 of input partition 0"), first
    assert "handleInvalid=skip" in first


def test_non_finite_learning_rate_is_refused(activations):
    with pytest.raises(Exception, match="learningRate"):
        small_estimator(learningRate=float("inf")).fit(activations)


def test_imported_models_report_their_real_params(model, tmp_path):
    from topksae.export import export_saelens, load_saelens

    export_saelens(model, str(tmp_path / "sl"))
    imported = load_saelens(str(tmp_path / "sl"))
    assert imported.getNbConcepts() == NB
    assert imported.getTopK() == K
