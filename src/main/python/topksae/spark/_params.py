"""The Params shared by TopKSAEEstimator and TopKSAEModel, mirroring topksae.spark.TopKSAEParams.

Names, types and defaults are those of the JVM class (src/main/java/topksae/spark); the Python
tests compare both sides. Each Param gets a ``getX`` method, and the stages add ``setX``.
"""

from typing import Any, Callable, Dict, List, NamedTuple, Optional

from pyspark.ml.param import Param, Params, TypeConverters


class ParamSpec(NamedTuple):
    name: str
    converter: Callable[[Any], Any]
    default: Any  # None = no default
    doc: str


_S, _I, _F, _B = (TypeConverters.toString, TypeConverters.toInt,
                  TypeConverters.toFloat, TypeConverters.toBoolean)

PARAM_SPECS: List[ParamSpec] = [
    ParamSpec("inputCol", _S, "features",
              "input column: array<float>, array<double> or ML Vector, all rows of the same length"),
    ParamSpec("outputCol", _S, "codes",
              "output column of codes, a SparseVector of size nbConcepts with topK active entries"),
    ParamSpec("reconstructionCol", _S, "",
              "output column of reconstructions (dense Vector); empty = not produced"),
    ParamSpec("preCodesCol", _S, "",
              "output column of pre-codes, the encoder output before top-k (dense Vector); "
              "empty = not produced"),
    ParamSpec("nbConcepts", _I, 1024, "number of concepts (dictionary size), > 0"),
    ParamSpec("topK", _I, None,
              "active concepts per row, 1..nbConcepts; unset = max(nbConcepts/10, 1)"),
    ParamSpec("variant", _S, "topk", "SAE variant: topk or batchtopk"),
    ParamSpec("encoderModule", _S, "linear",
              "encoder: identity, linear, mlp_ln_1, mlp_ln_3, mlp_bn_1, mlp_bn_3 or a registered name"),
    ParamSpec("normalization", _S, "l2",
              "dictionary normalization: l2, max_l2, l1, max_l1, identity or a registered name"),
    ParamSpec("useMultiplier", _B, False, "learn a scalar multiplier on the dictionary"),
    ParamSpec("learningRate", _F, 2e-3, "Adam learning rate of the local steps, > 0"),
    ParamSpec("batchSize", _I, 1024, "rows per local step on each worker, > 0"),
    ParamSpec("localSteps", _I, 5, "local steps per worker between two averagings, > 0"),
    ParamSpec("maxEpochs", _I, 1, "passes over the data, > 0"),
    ParamSpec("maxTokens", _I, 0, "stop after this many rows (tokens) in total; 0 = no limit"),
    ParamSpec("numWorkers", _I, 0,
              "parallel workers (tasks per round); 0 = the cluster's default parallelism"),
    ParamSpec("seed", _I, 42, "random seed (weights, data order)"),
    ParamSpec("auxKPenalty", _F, 0.0, "weight of the AuxK loss; 0 = off"),
    ParamSpec("clipGrad", _F, 1.0, "gradient norm clipping of each local step; 0 = off"),
    ParamSpec("optimizerState", _S, "averaged",
              "Adam state across rounds: averaged (broadcast and averaged with the weights) "
              "or local (kept per worker)"),
    ParamSpec("outerOptimizer", _S, "sum",
              "update applied to the averaged weights: average (take the mean), sum (apply "
              "the sum of the workers' updates: as far per token as one worker) "
              "or nesterov (DiLoCo outer step)"),
    ParamSpec("outerLearningRate", _F, 0.7, "learning rate of the nesterov outer step, > 0"),
    ParamSpec("outerMomentum", _F, 0.9, "momentum of the nesterov outer step, in [0, 1)"),
    ParamSpec("handleInvalid", _S, "error",
              "rows with a null, a wrong length or a NaN/Inf value: error (fail naming the row) "
              "or skip (count them)"),
    ParamSpec("initialization", _S, "auto",
              "weight init: tied (linear encoder weight = the unit-norm dictionary, "
              "W_enc = W_dec^T), default (the core model's), or auto (tied for the linear "
              "encoder, else default)"),
    ParamSpec("decoderBiasInit", _S, "none",
              "fixed input offset: none (exact core model) or mean (subtract the data mean "
              "before encoding, add it back after decoding)"),
    ParamSpec("deadTokens", _I, 10_000_000,
              "a concept is dead if it did not fire in this many tokens, > 0"),
    ParamSpec("checkpointDir", _S, "", "directory for training checkpoints; empty = none"),
    ParamSpec("checkpointInterval", _I, 0,
              "write a checkpoint every this many rounds; 0 = never"),
    ParamSpec("resumeFrom", _S, "",
              "checkpoint directory to resume training from; empty = fresh start"),
]

PARAM_NAMES: List[str] = [s.name for s in PARAM_SPECS]

#: Params a fitted model may change before transform (the rest describe how it was trained).
MODEL_SETTABLE: List[str] = ["inputCol", "outputCol", "reconstructionCol", "preCodesCol",
                             "handleInvalid"]


def _cap(name: str) -> str:
    return name[0].upper() + name[1:]


def _getter(name: str) -> Callable[["TopKSAEParams"], Any]:
    def get(self: "TopKSAEParams") -> Any:
        return self.getOrDefault(getattr(self, name))
    get.__name__ = "get" + _cap(name)
    get.__doc__ = "Gets the value of %s or its default value." % name
    return get


def _setter(name: str) -> Callable[..., Any]:
    def set_(self: Params, value: Any) -> Any:
        return self._set(**{name: value})
    set_.__name__ = "set" + _cap(name)
    set_.__doc__ = "Sets the value of :py:attr:`%s`." % name
    return set_


def add_setters(cls: type, names: List[str]) -> type:
    """Adds ``setX(value)`` (returning self) to a stage class for each name."""
    for name in names:
        setattr(cls, "set" + _cap(name), _setter(name))
    return cls


class TopKSAEParams(Params):
    """Params of the TopK SAE stages (see ``PARAM_SPECS`` for names, defaults and docs)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(**{s.name: s.default for s in PARAM_SPECS if s.default is not None})

    def getTopK(self) -> int:
        """topK if set, else max(nbConcepts // 10, 1) (the JVM side's default)."""
        if self.isSet(self.topK):
            return self.getOrDefault(self.topK)
        return max(self.getNbConcepts() // 10, 1)

    def paramValues(self) -> Dict[str, Any]:
        """Every Param with a value (set or default), by name: a plain dict."""
        return {p.name: self.getOrDefault(p) for p in self.params if self.isDefined(p)}


for _spec in PARAM_SPECS:
    setattr(TopKSAEParams, _spec.name,
            Param(Params._dummy(), _spec.name, _spec.doc, typeConverter=_spec.converter))
    if _spec.name != "topK":
        setattr(TopKSAEParams, "get" + _cap(_spec.name), _getter(_spec.name))


def check_names(kwargs: Dict[str, Any], allowed: Optional[List[str]] = None) -> None:
    """Raises TypeError naming an unknown keyword (a typo would otherwise pass silently)."""
    allowed = PARAM_NAMES if allowed is None else allowed
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise TypeError("unknown parameter(s) %s; the parameters are %s" % (unknown, allowed))
