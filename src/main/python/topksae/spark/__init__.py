"""PySpark stages for TopK sparse autoencoders, wrapping the JVM classes of the same names.

``topksae.spark`` is also the JVM package name: PySpark maps a saved stage's Java class
``topksae.spark.TopKSAEModel`` to this module, so ``PipelineModel.load`` needs no help.
"""

import inspect
from typing import Any, Dict, Optional

import numpy as np
from pyspark import keyword_only
from pyspark.ml.util import JavaMLReadable, JavaMLWritable
from pyspark.ml.wrapper import JavaEstimator, JavaModel

from topksae.spark import _connect, _connect_progress, _jvm, _mlflow, _progress
from topksae.spark._mlflow import load_mlflow_model, log_mlflow_model
from topksae.spark._params import (
    MODEL_SETTABLE,
    PARAM_NAMES,
    PARAM_SPECS,
    TopKSAEParams,
    add_setters,
    check_names,
    describe,
    set_signature,
)
from topksae.spark._summary import TopKSAETrainingSummary

__all__ = [
    "TopKSAEEstimator",
    "TopKSAEModel",
    "TopKSAETrainingSummary",
    "TopKSAEParams",
    "PARAM_SPECS",
    "log_mlflow_model",
    "load_mlflow_model",
]


class TopKSAEEstimator(
    JavaEstimator["TopKSAEModel"], TopKSAEParams, JavaMLReadable["TopKSAEEstimator"], JavaMLWritable
):
    """Trains a TopK (or BatchTopK) sparse autoencoder on a column of activations.

    Every keyword but ``progress`` is a Param of the JVM class
    ``topksae.spark.TopKSAEEstimator``, for example::

        sae = TopKSAEEstimator(inputCol="activation", nbConcepts=4096, topK=32, maxEpochs=2)
        model = sae.fit(df)

    Unknown keywords raise TypeError. ``fit`` shows a progress bar (tqdm) in interactive
    sessions; see ``progress`` below.
    """

    _input_kwargs: Dict[str, Any]
    _progress: Optional[bool] = None

    @keyword_only
    def __init__(self, **kwargs: Any) -> None:
        check_names(kwargs, _KEYWORDS)
        super().__init__()
        self._java_obj = self._new_java_obj("topksae.spark.TopKSAEEstimator", self.uid)
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(self, **kwargs: Any) -> "TopKSAEEstimator":
        """Sets the Params given by keyword (others keep their values); returns self."""
        kwargs = dict(self._input_kwargs)
        check_names(kwargs, _KEYWORDS)
        if "progress" in kwargs:
            self.setProgress(kwargs.pop("progress"))
        return self._set(**kwargs)

    def setProgress(self, value: Optional[bool]) -> "TopKSAEEstimator":
        """True/False: show or hide fit's progress bar; None (default): show it in interactive
        sessions (Jupyter, Databricks, a terminal) unless $TOPKSAE_PROGRESS=0. Python only: not
        a Spark Param, not saved."""
        self._progress = None if value is None else bool(value)
        return self

    def getProgress(self) -> Optional[bool]:
        """The ``progress`` setting (None = automatic)."""
        return self._progress

    def _fit(self, dataset: Any) -> "TopKSAEModel":
        """Over Spark Connect the fit runs on the server (``_fit_java`` is not called): the bar
        shows its Spark tasks, and the summary's rounds go to MLflow afterwards."""
        if not _connect.is_connect():
            return super()._fit(dataset)
        show, log = _progress.wanted(self._progress), _mlflow.round_logger()
        run = super()._fit
        if not show and log is None:
            return run(dataset)
        return _connect_progress.fit(dataset.sparkSession, lambda: run(dataset), show, log)

    def _fit_java(self, dataset: Any) -> Any:
        self._transfer_params_to_java()
        show, log = _progress.wanted(self._progress), _mlflow.round_logger()
        if not show and log is None:
            return self._java_obj.fit(dataset._jdf)
        return _progress.fit(self._java_obj, dataset._jdf, show=show, on_records=log)

    def _create_model(self, java_model: Any) -> "TopKSAEModel":
        return TopKSAEModel(java_model)


_PROGRESS_DOC = (
    "\nprogress : bool or None, default None\n    show fit's progress bar (read and cache, "
    "then tokens, FVU, L0, dead %, tokens/s, ETA); None = in interactive sessions "
    "only, unless $TOPKSAE_PROGRESS=0 or 1. Python only, not saved.\n"
)
_KEYWORDS = PARAM_NAMES + ["progress"]
_PROGRESS_ARG = inspect.Parameter(
    "progress", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Optional[bool]
)
for _f in (TopKSAEEstimator.__init__, TopKSAEEstimator.setParams):
    set_signature(
        _f, PARAM_NAMES, None if _f.__name__ == "__init__" else "TopKSAEEstimator", [_PROGRESS_ARG]
    )
TopKSAEEstimator.__doc__ = (
    inspect.cleandoc(TopKSAEEstimator.__doc__ or "") + "\n" + describe(PARAM_NAMES, _PROGRESS_DOC)
)
add_setters(TopKSAEEstimator, PARAM_NAMES)


class TopKSAEModel(JavaModel, TopKSAEParams, JavaMLReadable["TopKSAEModel"], JavaMLWritable):
    """A trained sparse autoencoder. ``transform`` adds the codes (a SparseVector of size
    nbConcepts with topK active entries) and, if their columns are set, the reconstruction
    and the pre-codes."""

    def __init__(self, java_model: Optional[Any] = None) -> None:
        """Made by ``TopKSAEEstimator.fit``, ``TopKSAEModel.load(path)`` or the importers of
        ``topksae.export``; ``java_model`` is the JVM ``topksae.spark.TopKSAEModel``."""
        super().__init__(java_model)

    @property
    def dictionary(self) -> np.ndarray:
        """The dictionary (decoder rows, normalized), a float32 array [nbConcepts, dim].
        Over Spark Connect it comes through a scratch file on the server (see
        ``topksae.spark._connect``) and is kept for the next call."""
        if _connect.is_connect():
            return self._connect_cached("dictionary", lambda: _connect.dictionary(self)).copy()
        return _jvm.dictionary(self)

    @property
    def hasSummary(self) -> bool:
        """True for a model returned by fit (a loaded model has no summary)."""
        if _connect.is_connect():
            try:
                self._connect_summary()
                return True
            except RuntimeError:
                return False
        return bool(self._java_obj.hasSummary())

    @property
    def summary(self) -> TopKSAETrainingSummary:
        """What the fit did: per-round records (loss, FVU, L0, dead fraction, ...) and totals,
        as Python lists and dicts. Only a model returned by fit has one (see ``hasSummary``);
        otherwise RuntimeError."""
        if _connect.is_connect():
            return TopKSAETrainingSummary(*self._connect_summary())
        if not self.hasSummary:
            raise RuntimeError(_connect.NO_SUMMARY)
        return TopKSAETrainingSummary(*_jvm.summary(self))

    def _connect_summary(self) -> Any:
        return self._connect_cached("summary", lambda: _connect.summary(self))

    def _connect_cached(self, key: str, make: Any) -> Any:
        """Over Connect the weights and the summary of a model object never change: fetch once."""
        cache = self.__dict__.setdefault("_connect_values", {})
        if key not in cache:
            try:
                cache[key] = make()
            except RuntimeError as e:
                cache[key] = e
        if isinstance(cache[key], RuntimeError):
            raise RuntimeError(str(cache[key]))
        return cache[key]


add_setters(TopKSAEModel, MODEL_SETTABLE)
TopKSAEModel.__doc__ = (
    inspect.cleandoc(TopKSAEModel.__doc__ or "")
    + "\n"
    + describe(
        PARAM_NAMES,
        "\n\nOnly %s may be set on a model; the rest tell how it was trained.\n"
        % ", ".join(MODEL_SETTABLE),
        title="Params (getX() reads each)",
    )
)

# PySpark finds a saved stage (e.g. inside a TrainValidationSplitModel) by its JVM class name.
from topksae.analysis import TopKSAEEvaluator  # noqa: E402,F401
