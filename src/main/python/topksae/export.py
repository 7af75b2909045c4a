"""Export a trained ``TopKSAEModel`` to the files other interpretability tools load, and import
such files back as a ``TopKSAEModel`` that can ``transform`` on Spark.

=================  =====================================================  ==========================
layout             files                                                  loads with
=================  =====================================================  ==========================
SAELens (6.x)      ``<dir>/sae_weights.safetensors`` + ``<dir>/cfg.json``  ``SAE.load_from_disk(dir)``
sparsify (1.3)     ``<root>/<hookpoint>/sae.safetensors`` + ``cfg.json``  ``SparseCoder.load_from_disk``
overcomplete       one safetensors file with the torch state_dict names   ``model.load_state_dict``
=================  =====================================================  ==========================

Paths are local (driver) file system paths; on Databricks use ``/dbfs/...`` or a Volume path.
Needs a classic SparkSession with the project's jar.
"""

import json
from typing import Any, Dict, Optional

__all__ = ["export_saelens", "export_sparsify", "export_overcomplete",
           "load_saelens", "load_sparsify", "load_overcomplete"]


def _files() -> Any:
    from pyspark import SparkContext
    sc = SparkContext._active_spark_context
    if sc is None:
        raise RuntimeError("no active SparkContext: start a SparkSession first")
    return sc._jvm.topksae.spark.ModelFiles


def _wrap(java_model: Any) -> Any:
    from topksae.spark import TopKSAEModel
    model = TopKSAEModel(java_model)
    model._transfer_params_from_java()  # the imported model's real nbConcepts, topK, ...
    return model


def export_saelens(model: Any, path: str, **metadata: str) -> None:
    """SAELens layout into folder ``path``; keywords (e.g. ``model_name``, ``hook_name``) go into
    ``cfg.json``'s ``metadata``. The model's input offset (decoderBiasInit=mean) becomes ``b_dec``."""
    from pyspark import SparkContext
    jmap = SparkContext._active_spark_context._jvm.java.util.HashMap()
    for k, v in metadata.items():
        jmap.put(str(k), str(v))
    _files().exportSaeLens(model._java_obj, str(path), jmap)


def export_sparsify(model: Any, root: str, hookpoint: str) -> str:
    """sparsify layout into ``root/hookpoint`` (e.g. ``hookpoint="layers.6"``); returns that folder."""
    return str(_files().exportSparsify(model._java_obj, str(root), str(hookpoint)))


def export_overcomplete(model: Any, path: str) -> None:
    """overcomplete state_dict (torch names) into the file ``path``; the model config is stored in
    the header's ``topksae_config`` metadata. Refused for models with an input offset."""
    _files().exportOvercomplete(model._java_obj, str(path))


def load_saelens(path: str) -> Any:
    """A ``TopKSAEModel`` from a SAELens TopK folder (``b_dec`` becomes the input offset)."""
    return _wrap(_files().importSaeLens(str(path)))


def load_sparsify(path: str) -> Any:
    """A ``TopKSAEModel`` from one sparsify hookpoint folder (``root/<hookpoint>``)."""
    return _wrap(_files().importSparsify(str(path)))


def load_overcomplete(path: str, config: Optional[Dict[str, Any]] = None) -> Any:
    """A ``TopKSAEModel`` from an overcomplete state_dict file. ``config`` (keys of the JVM
    ``SAEConfig``: inputShape, nbConcepts, topK, encoder, normalization, ...) is needed only for
    files without ``topksae_config`` metadata."""
    return _wrap(_files().importOvercomplete(str(path), None if config is None else json.dumps(config)))
