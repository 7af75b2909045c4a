"""Export a trained ``TopKSAEModel`` to the files other interpretability tools load, and import
such files back as a ``TopKSAEModel`` that can ``transform`` on Spark.

=================  =====================================================  ==========================
layout             files                                                  loads with
=================  =====================================================  ==========================
SAELens (6.x)      ``<dir>/sae_weights.safetensors`` + ``<dir>/cfg.json``  ``SAE.load_from_disk(dir)``
sparsify (1.3)     ``<root>/<hookpoint>/sae.safetensors`` + ``cfg.json``  ``SparseCoder.load_from_disk``
overcomplete       one safetensors file with the torch state_dict names   ``model.load_state_dict``
=================  =====================================================  ==========================

Paths: a Hadoop URI (``file:///data/x``, ``hdfs://nn/x``, ``s3a://bucket/x``, ``dbfs:/x``, as
``model.save`` takes) or a plain path, which is on the driver's local file system (on
Databricks ``/dbfs/...`` or a Volume path). Other file systems go through a local temporary
copy on the driver.

Over Spark Connect the server does the work: the exports are the model writer with an option
``format`` (they replace an existing target, as ``write().overwrite()`` does) and the imports are
``TopKSAEModel.load(path)``, which recognizes the three layouts; paths are then the server's.
``load_overcomplete`` over Connect reads only files that carry their config (``topksae_config``
metadata, as our exports do).
"""

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional, Tuple

from topksae.spark import _connect

__all__ = [
    "export_saelens",
    "export_sparsify",
    "export_overcomplete",
    "load_saelens",
    "load_sparsify",
    "load_overcomplete",
]


def _context() -> Any:
    from pyspark import SparkContext

    sc = SparkContext._active_spark_context
    if sc is None:
        raise RuntimeError("no active SparkContext: start a SparkSession first")
    return sc


def _files() -> Any:
    return _context()._jvm.topksae.spark.ModelFiles


def _wrap(java_model: Any) -> Any:
    """The Python model of an imported JVM model, with the Params the JVM set (nbConcepts, ...)."""
    from topksae.spark import TopKSAEModel

    model = TopKSAEModel(java_model)
    model._transfer_params_from_java()
    return model


def _hadoop_path(uri: str) -> Tuple[Optional[str], Any, Any]:
    """(local path or None, Hadoop FileSystem, Hadoop Path) of a path or URI. A plain path and a
    file: URI are local; any other scheme is None and goes through the FileSystem."""
    sc = _context()
    jvm = sc._jvm
    path = jvm.org.apache.hadoop.fs.Path(str(uri))
    scheme = path.toUri().getScheme()
    if scheme is None or scheme == "file":
        return os.path.abspath(str(path.toUri().getPath()) if scheme else str(uri)), None, path
    return None, path.getFileSystem(sc._jsc.hadoopConfiguration()), path


@contextmanager
def _writing(uri: str) -> Iterator[str]:
    """A local path to write to; for a remote URI a temporary one, copied to the URI after."""
    local, fs, path = _hadoop_path(uri)
    if local is not None:
        yield local
        return
    tmp = tempfile.mkdtemp(prefix="topksae-export-")
    try:
        target = os.path.join(tmp, path.getName() or "out")
        yield target
        _upload(fs, target, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _upload(fs: Any, local: str, path: Any) -> None:
    """Copies a local file, or a folder's files (into the folder `path`, which may exist)."""
    hadoop_path = _context()._jvm.org.apache.hadoop.fs.Path
    if not os.path.isdir(local):
        fs.copyFromLocalFile(False, True, hadoop_path("file://" + local), path)
        return
    fs.mkdirs(path)
    for name in sorted(os.listdir(local)):
        _upload(fs, os.path.join(local, name), hadoop_path(path, name))


@contextmanager
def _reading(uri: str) -> Iterator[str]:
    """A local path to read from; for a remote URI a temporary copy of it."""
    local, fs, path = _hadoop_path(uri)
    if local is not None:
        yield local
        return
    if not fs.exists(path):
        raise FileNotFoundError("%s does not exist" % uri)
    tmp = tempfile.mkdtemp(prefix="topksae-import-")
    try:
        target = os.path.join(tmp, path.getName() or "in")
        jvm = _context()._jvm
        fs.copyToLocalFile(False, path, jvm.org.apache.hadoop.fs.Path("file://" + target), True)
        yield target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def export_saelens(model: Any, path: str, **metadata: str) -> None:
    """SAELens layout into folder ``path``; keywords (e.g. ``model_name``, ``hook_name``) go into
    ``cfg.json``'s ``metadata``. The model's input offset (decoderBiasInit=mean) becomes ``b_dec``."""
    if _connect.is_connect():
        _connect.write(
            model,
            path,
            "saelens",
            overwrite=True,
            metadata=json.dumps({str(k): str(v) for k, v in metadata.items()}),
        )
        return
    jmap = _context()._jvm.java.util.HashMap()
    for k, v in metadata.items():
        jmap.put(str(k), str(v))
    with _writing(path) as local:
        _files().exportSaeLens(model._java_obj, local, jmap)


def export_sparsify(model: Any, root: str, hookpoint: str) -> str:
    """sparsify layout into ``root/hookpoint`` (e.g. ``hookpoint="layers.6"``); returns that folder
    (a URI if ``root`` is one)."""
    target = root.rstrip("/") + "/" + str(hookpoint)
    if _connect.is_connect():
        _connect.write(model, target, "sparsify", overwrite=True)
        return target
    with _writing(target) as local:
        folder = str(
            _files().exportSparsify(
                model._java_obj, os.path.dirname(local), os.path.basename(local)
            )
        )
    return folder if _hadoop_path(root)[0] is not None else target


def export_overcomplete(model: Any, path: str) -> None:
    """overcomplete state_dict (torch names) into the file ``path``; the model config is stored in
    the header's ``topksae_config`` metadata. Refused for models with an input offset."""
    if _connect.is_connect():
        _connect.write(model, path, "overcomplete", overwrite=True)
        return
    with _writing(path) as local:
        _files().exportOvercomplete(model._java_obj, local)


def _load_on_server(path: str) -> Any:
    from topksae.spark import TopKSAEModel

    return TopKSAEModel.load(path)


def load_saelens(path: str) -> Any:
    """A ``TopKSAEModel`` from a SAELens TopK folder (``b_dec`` becomes the input offset)."""
    if _connect.is_connect():
        return _load_on_server(path)
    with _reading(path) as local:
        return _wrap(_files().importSaeLens(local))


def load_sparsify(path: str) -> Any:
    """A ``TopKSAEModel`` from one sparsify hookpoint folder (``root/<hookpoint>``)."""
    if _connect.is_connect():
        return _load_on_server(path)
    with _reading(path) as local:
        return _wrap(_files().importSparsify(local))


def load_overcomplete(path: str, config: Optional[Dict[str, Any]] = None) -> Any:
    """A ``TopKSAEModel`` from an overcomplete state_dict file. ``config`` (keys of the JVM
    ``SAEConfig``: inputShape, nbConcepts, topK, encoder, normalization, ...) is needed only for
    files without ``topksae_config`` metadata."""
    if _connect.is_connect():
        if config is not None:
            raise NotImplementedError(
                "load_overcomplete with a config dict needs a classic SparkSession: over Spark "
                "Connect the server imports only files that carry topksae_config metadata (as "
                "export_overcomplete writes). Load it once on a classic session and model.save it."
            )
        return _load_on_server(path)
    with _reading(path) as local:
        return _wrap(
            _files().importOvercomplete(local, None if config is None else json.dumps(config))
        )
