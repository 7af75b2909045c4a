"""PySpark stages for TopK sparse autoencoders, wrapping the JVM classes of the same names.

``topksae.spark`` is also the JVM package name: PySpark maps a saved stage's Java class
``topksae.spark.TopKSAEModel`` to this module, so ``PipelineModel.load`` needs no help.
"""

from typing import Any, Dict, Optional

import numpy as np
from pyspark.ml.util import JavaMLReadable, JavaMLWritable
from pyspark.ml.wrapper import JavaEstimator, JavaModel

from topksae.spark._params import (MODEL_SETTABLE, PARAM_NAMES, PARAM_SPECS, TopKSAEParams,
                                   add_setters, check_names)
from topksae.spark._summary import TopKSAETrainingSummary
from topksae.spark import _jvm

__all__ = ["TopKSAEEstimator", "TopKSAEModel", "TopKSAETrainingSummary", "TopKSAEParams",
           "PARAM_SPECS"]


class TopKSAEEstimator(JavaEstimator["TopKSAEModel"], TopKSAEParams,
                       JavaMLReadable["TopKSAEEstimator"], JavaMLWritable):
    """Trains a TopK (or BatchTopK) sparse autoencoder on a column of activations.

    Every keyword is a Param of the JVM class ``topksae.spark.TopKSAEEstimator``, for example::

        sae = TopKSAEEstimator(inputCol="activation", nbConcepts=4096, topK=32, maxEpochs=2)
        model = sae.fit(df)

    Unknown keywords raise TypeError.
    """

    _input_kwargs: Dict[str, Any]

    def __init__(self, **kwargs: Any) -> None:
        check_names(kwargs)
        super().__init__()
        self._java_obj = self._new_java_obj("topksae.spark.TopKSAEEstimator", self.uid)
        self._set(**kwargs)

    def setParams(self, **kwargs: Any) -> "TopKSAEEstimator":
        """Sets any of the Params by keyword; returns self."""
        check_names(kwargs)
        return self._set(**kwargs)

    def _create_model(self, java_model: Any) -> "TopKSAEModel":
        return TopKSAEModel(java_model)


add_setters(TopKSAEEstimator, PARAM_NAMES)


class TopKSAEModel(JavaModel, TopKSAEParams, JavaMLReadable["TopKSAEModel"], JavaMLWritable):
    """A trained sparse autoencoder. ``transform`` adds the codes (a SparseVector of size
    nbConcepts with topK active entries) and, if their columns are set, the reconstruction
    and the pre-codes."""

    def __init__(self, java_model: Optional[Any] = None) -> None:
        super().__init__(java_model)

    @property
    def dictionary(self) -> np.ndarray:
        """The dictionary (decoder rows, normalized), a float32 array [nbConcepts, dim]."""
        _jvm.require_classic("dictionary")
        return _jvm.dictionary(self)

    @property
    def hasSummary(self) -> bool:
        """True for a model returned by fit (a loaded model has no summary)."""
        _jvm.require_classic("hasSummary")
        return bool(self._java_obj.hasSummary())

    @property
    def summary(self) -> TopKSAETrainingSummary:
        """What the fit did: per-round records (loss, FVU, L0, dead fraction, ...) and totals,
        as Python lists and dicts."""
        _jvm.require_classic("summary")
        return TopKSAETrainingSummary(*_jvm.summary(self))


add_setters(TopKSAEModel, MODEL_SETTABLE)

# PySpark finds a saved stage (e.g. inside a TrainValidationSplitModel) by its JVM class name.
from topksae.analysis import TopKSAEEvaluator  # noqa: E402,F401
