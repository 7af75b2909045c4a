"""The Python Params mirror the JVM's: same names, types and defaults, values carried across."""

import pytest
from pyspark.ml.param import TypeConverters as T

from topksae.spark import PARAM_SPECS, TopKSAEEstimator, TopKSAEModel, TopKSAEParams
from topksae.spark._params import MODEL_SETTABLE

CONVERTERS = {
    "IntParam": T.toInt,
    "LongParam": T.toInt,
    "DoubleParam": T.toFloat,
    "BooleanParam": T.toBoolean,
    "Param": T.toString,
}


def java_params(java_obj):
    """name -> (Param class name, default or None) of a JVM Params object."""
    out = {}
    for p in java_obj.params():
        default = java_obj.getDefault(p)
        out[p.name()] = (
            p.getClass().getSimpleName(),
            default.get() if default.isDefined() else None,
        )
    return out


def test_defaults_without_a_jvm():
    params = TopKSAEParams()
    assert params.getInputCol() == "features"
    assert params.getOutputCol() == "codes"
    assert params.getNbConcepts() == 1024
    assert params.getTopK() == 102  # unset: max(nbConcepts // 10, 1), as on the JVM
    assert not params.isSet(params.topK)


def test_auxk_defaults_without_a_jvm():
    params = TopKSAEParams()
    assert params.getAuxKMode() == "paper"
    assert params.getKAux() == 512  # unset: min(512, nbConcepts // 2), as on the JVM
    params._set(nbConcepts=100)
    assert params.getKAux() == 50
    assert params.getDeadTokens() is None  # unset: min(10M, one epoch's tokens) at fit time
    assert params.getDecoderGradProjection() is False


def test_names_types_and_defaults_match_the_jvm(spark):
    est = TopKSAEEstimator()  # kept: the Java object lives as long as its Python wrapper
    java = java_params(est._java_obj)
    python = {s.name: s for s in PARAM_SPECS}
    assert sorted(python) == sorted(java)
    for name, (java_type, java_default) in java.items():
        spec = python[name]
        assert spec.converter is CONVERTERS[java_type], name
        if java_default is None:
            assert spec.default is None, name
        elif isinstance(java_default, float):
            assert spec.default == pytest.approx(java_default), name
        else:
            assert spec.default == java_default, name


def test_getters_and_setters_exist_for_every_param(spark):
    est = TopKSAEEstimator()
    for spec in PARAM_SPECS:
        cap = spec.name[0].upper() + spec.name[1:]
        assert callable(getattr(est, "get" + cap)), spec.name
        assert callable(getattr(est, "set" + cap)), spec.name


def test_values_reach_the_jvm(spark):
    est = TopKSAEEstimator(
        inputCol="act",
        nbConcepts=64,
        topK=8,
        learningRate=1e-3,
        useMultiplier=True,
        maxTokens=12345,
        seed=7,
        variant="batchtopk",
    )
    est.setBatchSize(256).setOuterOptimizer("nesterov")
    est._transfer_params_to_java()
    j = est._java_obj
    assert (j.getInputCol(), j.getNbConcepts(), j.getTopK()) == ("act", 64, 8)
    assert j.getLearningRate() == pytest.approx(1e-3)
    assert j.getUseMultiplier() is True
    assert (j.getMaxTokens(), j.getSeed(), j.getBatchSize()) == (12345, 7, 256)
    assert (j.getVariant(), j.getOuterOptimizer()) == ("batchtopk", "nesterov")


def test_default_topk_agrees_with_the_jvm(spark):
    est = TopKSAEEstimator(nbConcepts=64)
    est._transfer_params_to_java()
    assert est.getTopK() == est._java_obj.getTopK() == 6


def test_auxk_params_reach_the_jvm(spark):
    est = TopKSAEEstimator(
        nbConcepts=64,
        auxKPenalty=1 / 32,
        auxKMode="overcomplete",
        kAux=16,
        decoderGradProjection=True,
        deadTokens=5000,
    )
    est._transfer_params_to_java()
    j = est._java_obj
    assert (j.getAuxKMode(), j.getKAux(), j.getDecoderGradProjection()) == (
        "overcomplete",
        16,
        True,
    )
    assert j.getDeadTokens() == est.getDeadTokens() == 5000
    default = TopKSAEEstimator(nbConcepts=64)
    default._transfer_params_to_java()
    assert default.getKAux() == default._java_obj.getKAux() == 32
    assert default._java_obj.getAuxKMode() == "paper"


def test_unknown_keyword_is_a_type_error(spark):
    with pytest.raises(TypeError, match="nbConcept"):
        TopKSAEEstimator(nbConcept=10)
    with pytest.raises(TypeError, match="topk"):
        TopKSAEEstimator().setParams(topk=3)


def test_model_setters_exist_on_the_jvm_model_class(spark):
    cls = spark._jvm.topksae.spark.TopKSAEModel._java_lang_class
    names = {m.getName() for m in cls.getMethods()}
    for name in MODEL_SETTABLE:
        assert "set" + name[0].upper() + name[1:] in names, name


def test_help_shows_typed_keywords_with_defaults_and_param_docs():
    import inspect
    import pydoc
    from typing import Optional

    sig = inspect.signature(TopKSAEEstimator)
    names = [n for n in sig.parameters]
    assert names == [s.name for s in PARAM_SPECS] + ["progress"]
    for spec in PARAM_SPECS:
        p = sig.parameters[spec.name]
        assert p.kind is inspect.Parameter.KEYWORD_ONLY
        assert p.default == spec.default, spec.name
    assert sig.parameters["nbConcepts"].annotation is int
    assert sig.parameters["topK"].annotation == Optional[int]
    assert inspect.signature(TopKSAEEstimator.setParams).return_annotation == "TopKSAEEstimator"
    text = pydoc.render_doc(TopKSAEEstimator, renderer=pydoc.plaintext)
    assert "nbConcepts: int = 1024" in text
    assert "setTopK(self, value: int) -> 'TopKSAEEstimator'" in text
    assert "number of concepts (dictionary size)" in text  # the Param docs
    assert "nbConcepts : int, default 1024" in text  # the class docstring's Parameters section
    model_text = pydoc.render_doc(TopKSAEModel, renderer=pydoc.plaintext)
    assert "setOutputCol(self, value: str) -> 'TopKSAEModel'" in model_text
    assert "getNbConcepts(self) -> int" in model_text


def test_positional_arguments_are_refused(spark):
    with pytest.raises(TypeError, match="keyword"):
        TopKSAEEstimator("features")


def test_set_params_keeps_unnamed_values(spark):
    est = TopKSAEEstimator(nbConcepts=64, topK=8)
    assert est.setParams(topK=4) is est
    assert (est.getNbConcepts(), est.getTopK()) == (64, 4)


def test_package_is_marked_typed():
    import os

    import topksae

    assert os.path.isfile(os.path.join(os.path.dirname(topksae.__file__), "py.typed"))
