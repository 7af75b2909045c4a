"""The Params shared by TopKSAEEstimator and TopKSAEModel, mirroring topksae.spark.TopKSAEParams.

Names, types and defaults are those of the JVM class (src/main/java/topksae/spark); the Python
tests compare both sides. Each Param gets a ``getX`` method, and the stages add ``setX``.
"""

import inspect
from typing import Any, Callable, Dict, List, NamedTuple, Optional

from pyspark.ml.param import Param, Params, TypeConverters


class ParamSpec(NamedTuple):
    name: str
    converter: Callable[[Any], Any]
    default: Any  # None = no default
    doc: str


_S, _I, _F, _B = (
    TypeConverters.toString,
    TypeConverters.toInt,
    TypeConverters.toFloat,
    TypeConverters.toBoolean,
)

PARAM_SPECS: List[ParamSpec] = [
    ParamSpec(
        "inputCol",
        _S,
        "features",
        "input column: array<float>, array<double> or ML Vector, all rows of the same length",
    ),
    ParamSpec(
        "outputCol",
        _S,
        "codes",
        "output column of codes, a SparseVector of size nbConcepts with topK active entries",
    ),
    ParamSpec(
        "reconstructionCol",
        _S,
        "",
        "output column of reconstructions (dense Vector); empty = not produced",
    ),
    ParamSpec(
        "preCodesCol",
        _S,
        "",
        "output column of pre-codes, the encoder output before top-k (dense Vector); "
        "empty = not produced",
    ),
    ParamSpec("nbConcepts", _I, 1024, "number of concepts (dictionary size), > 0"),
    ParamSpec(
        "topK", _I, None, "active concepts per row, 1..nbConcepts; unset = max(nbConcepts/10, 1)"
    ),
    ParamSpec("variant", _S, "topk", "SAE variant: topk or batchtopk"),
    ParamSpec(
        "encoderModule",
        _S,
        "linear",
        "encoder: identity, linear, mlp_ln_1, mlp_ln_3, mlp_bn_1, mlp_bn_3 or a registered name",
    ),
    ParamSpec(
        "normalization",
        _S,
        "l2",
        "dictionary normalization: l2, max_l2, l1, max_l1, identity or a registered name",
    ),
    ParamSpec("useMultiplier", _B, False, "learn a scalar multiplier on the dictionary"),
    ParamSpec(
        "learningRate",
        _F,
        0.0,
        "peak Adam learning rate of the local steps, finite; 0 = automatic: "
        "2e-3 x 16 / topK with topK clamped to [16, 128]",
    ),
    ParamSpec(
        "batchSize",
        _I,
        1024,
        "rows per optimizer step, > 0: over all workers (batchScope global) or on "
        "each worker (batchScope worker); also rows per call in transform",
    ),
    ParamSpec(
        "localSteps",
        _I,
        0,
        "local steps per worker between two merges; 0 = automatic: 4e-3 / learningRate "
        "(2..32) with several workers, 32 with one",
    ),
    ParamSpec("maxEpochs", _I, 1, "passes over the data, > 0"),
    ParamSpec("maxTokens", _I, 0, "stop after this many rows (tokens) in total; 0 = no limit"),
    ParamSpec(
        "numWorkers",
        _I,
        0,
        "parallel workers (tasks per round); 0 = the cluster's default parallelism",
    ),
    ParamSpec("seed", _I, 42, "random seed (weights, data order)"),
    ParamSpec("auxKPenalty", _F, 0.0, "weight of the AuxK loss, finite; 0 = off"),
    ParamSpec("clipGrad", _F, 1.0, "gradient norm clipping of each local step, finite; 0 = off"),
    ParamSpec(
        "optimizerState",
        _S,
        "averaged",
        "Adam state across rounds: averaged (broadcast and averaged with the weights) "
        "or local (kept per worker)",
    ),
    ParamSpec(
        "outerOptimizer",
        _S,
        "sgd",
        "update applied to the averaged weights: average (take the mean), sgd "
        "(prev + outerLearningRate x (mean - prev)) or nesterov (DiLoCo outer step)",
    ),
    ParamSpec(
        "outerLearningRate",
        _F,
        0.0,
        "learning rate of the sgd or nesterov outer step, finite; 0 = automatic from the "
        "number of workers",
    ),
    ParamSpec("outerMomentum", _F, 0.9, "momentum of the nesterov outer step, in [0, 1)"),
    ParamSpec(
        "batchScope",
        _S,
        "global",
        "what batchSize counts: global (the rows of one step over all workers; each "
        "worker's local step takes batchSize / workers of them) or worker (the rows of each "
        "worker's local step)",
    ),
    ParamSpec(
        "maxDroppedFraction",
        _F,
        0.25,
        "fail the fit when more than this fraction of the workers' round results went "
        "non-finite and were dropped (with their tokens), in [0, 1]",
    ),
    ParamSpec(
        "rowLength",
        _I,
        0,
        "row length of the input column; 0 = the most common length in the data (rows of "
        "other lengths are invalid)",
    ),
    ParamSpec(
        "handleInvalid",
        _S,
        "error",
        "rows with a null, a wrong length or a NaN/Inf value: error (fail naming the row) "
        "or skip (count them)",
    ),
    ParamSpec(
        "initialization",
        _S,
        "auto",
        "weight init: tied (linear encoder weight = the unit-norm dictionary, "
        "W_enc = W_dec^T), default (the core model's), or auto (tied for the linear "
        "encoder, else default)",
    ),
    ParamSpec(
        "decoderBiasInit",
        _S,
        "none",
        "fixed input offset: none (exact core model), mean or geometric_median (of a "
        "sample) of the data: subtracted before encoding, added back after decoding",
    ),
    ParamSpec(
        "deadTokens",
        _I,
        None,
        "a concept is dead if it did not fire in the last this many tokens (the AuxK dead "
        "set and the dead metric), > 0; unset = min(10M, the tokens of one epoch)",
    ),
    # AuxK, decoder-gradient projection (one block)
    ParamSpec(
        "auxKMode",
        _S,
        "paper",
        "AuxK loss when auxKPenalty > 0: paper (Gao et al.: the kAux largest pre-activations "
        "of the dead concepts reconstruct the residual) or overcomplete (its "
        "top_k_auxiliary_loss)",
    ),
    ParamSpec(
        "kAux",
        _I,
        None,
        "dead concepts per row in the paper AuxK, > 0; unset = min(512, nbConcepts/2)",
    ),
    ParamSpec(
        "decoderGradProjection",
        _B,
        False,
        "remove from each dictionary row's gradient its component along the row before "
        "the Adam step (Gao et al.)",
    ),
    ParamSpec("checkpointDir", _S, "", "directory for training checkpoints; empty = none"),
    ParamSpec("checkpointInterval", _I, 0, "write a checkpoint every this many rounds; 0 = never"),
    ParamSpec(
        "resumeFrom", _S, "", "checkpoint directory to resume training from; empty = fresh start"
    ),
    # the training recipe (docs/training.md, "The recipe")
    ParamSpec(
        "lrSchedule",
        _S,
        "constant",
        "learning rate over the planned steps: constant, linear, cosine or wsd "
        "(warm-up, stable, decay)",
    ),
    ParamSpec("warmupSteps", _I, 0, "linear warm-up over this many global steps; 0 = none"),
    ParamSpec(
        "warmupFraction",
        _F,
        0.0,
        "linear warm-up over this fraction of the planned steps (the longer of the two "
        "warm-ups wins), in [0, 1)",
    ),
    ParamSpec(
        "decayFraction", _F, 0.2, "wsd: the fraction of the planned steps spent decaying, in (0, 1]"
    ),
    ParamSpec(
        "finalLrFraction",
        _F,
        0.1,
        "linear, cosine, wsd: the last step's rate as a fraction of the peak, in [0, 1]",
    ),
]

PARAM_NAMES: List[str] = [s.name for s in PARAM_SPECS]

#: Params a fitted model may change before transform (the rest describe how it was trained).
MODEL_SETTABLE: List[str] = [
    "inputCol",
    "outputCol",
    "reconstructionCol",
    "preCodesCol",
    "handleInvalid",
]


SPECS_BY_NAME: Dict[str, ParamSpec] = {s.name: s for s in PARAM_SPECS}

_TYPES = {_S: str, _I: int, _F: float, _B: bool}


def _cap(name: str) -> str:
    return name[0].upper() + name[1:]


def value_type(name: str) -> type:
    """The Python type of a Param's values (str, int, float or bool)."""
    return _TYPES[SPECS_BY_NAME[name].converter]


def keyword(name: str) -> inspect.Parameter:
    """A Param as a keyword-only argument, with its type and default (None = unset)."""
    spec = SPECS_BY_NAME[name]
    t = value_type(name)
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=spec.default,
        annotation=t if spec.default is not None else Optional[t],
    )


def describe(names: List[str], extra: str = "", title: str = "Parameters") -> str:
    """Numpydoc-style section (`title`) for the Params `names`, then `extra` text."""
    lines = ["", title, "-" * len(title)]
    for name in names:
        spec = SPECS_BY_NAME[name]
        default = "unset" if spec.default is None else repr(spec.default)
        lines.append("%s : %s, default %s" % (name, value_type(name).__name__, default))
        lines.append("    " + spec.doc)
    return "\n".join(lines) + extra


def _getter(name: str) -> Callable[["TopKSAEParams"], Any]:
    def get(self: "TopKSAEParams") -> Any:
        return self.getOrDefault(getattr(self, name))

    get.__name__ = get.__qualname__ = "get" + _cap(name)
    get.__doc__ = "Gets %s (%s)." % (name, SPECS_BY_NAME[name].doc)
    get.__annotations__ = {"return": value_type(name)}
    return get


def _setter(name: str, owner: str) -> Callable[..., Any]:
    def set_(self: Params, value: Any) -> Any:
        return self._set(**{name: value})

    set_.__name__ = set_.__qualname__ = "set" + _cap(name)
    set_.__doc__ = "Sets %s: %s. Returns self." % (name, SPECS_BY_NAME[name].doc)
    set_.__annotations__ = {"value": value_type(name), "return": owner}
    return set_


def add_setters(cls: type, names: List[str]) -> type:
    """Adds ``setX(value)`` (returning self, typed and documented) to a stage class per name."""
    for name in names:
        setattr(cls, "set" + _cap(name), _setter(name, cls.__name__))
    return cls


def set_signature(
    func: Callable[..., Any],
    names: List[str],
    returns: Any,
    extra: Optional[List[inspect.Parameter]] = None,
) -> None:
    """Gives ``func(self, **kwargs)`` the signature help() and IDEs show: every Param in `names`
    as a typed keyword with its default, then `extra`."""
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [keyword(n) for n in names] + list(extra or [])
    func.__signature__ = inspect.Signature(params, return_annotation=returns)  # type: ignore


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

    def getKAux(self) -> int:
        """kAux if set, else min(512, max(nbConcepts // 2, 1)) (the JVM side's default)."""
        if self.isSet(self.kAux):
            return self.getOrDefault(self.kAux)
        return min(512, max(self.getNbConcepts() // 2, 1))

    def getDeadTokens(self) -> Optional[int]:
        """deadTokens if set, else None: the fit uses min(10M, the tokens of one epoch)."""
        return self.getOrDefault(self.deadTokens) if self.isSet(self.deadTokens) else None

    def paramValues(self) -> Dict[str, Any]:
        """Every Param with a value (set or default), by name: a plain dict."""
        return {p.name: self.getOrDefault(p) for p in self.params if self.isDefined(p)}


for _spec in PARAM_SPECS:
    setattr(
        TopKSAEParams,
        _spec.name,
        Param(Params._dummy(), _spec.name, _spec.doc, typeConverter=_spec.converter),
    )
    if _spec.name not in ("topK", "kAux", "deadTokens"):
        setattr(TopKSAEParams, "get" + _cap(_spec.name), _getter(_spec.name))


def check_names(kwargs: Dict[str, Any], allowed: Optional[List[str]] = None) -> None:
    """Raises TypeError naming an unknown keyword (a typo would otherwise pass silently)."""
    allowed = PARAM_NAMES if allowed is None else allowed
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise TypeError("unknown parameter(s) %s; the parameters are %s" % (unknown, allowed))
