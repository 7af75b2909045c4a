"""Reading a saved model's weights without Spark: ``path/data/model.safetensors`` is a
safetensors file (an 8-byte little-endian header length, a JSON header, the tensor bytes)."""

import json
import os
from typing import BinaryIO, Dict, Tuple

import numpy as np

_DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "F16": "<f2"}


def read_safetensors(path: str) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """(tensors by name, the header's __metadata__) of a safetensors file."""
    with open(path, "rb") as f:
        return parse_safetensors(f, path)


def parse_safetensors(
    f: BinaryIO, path: str = "<bytes>"
) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """(tensors by name, the header's __metadata__) of safetensors content read from ``f``."""
    n = int.from_bytes(f.read(8), "little")
    header = json.loads(f.read(n))
    data = f.read()
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, t in header.items():
        if t["dtype"] not in _DTYPES:
            raise ValueError(
                "%s: tensor %s has dtype %s; readable: %s"
                % (path, name, t["dtype"], sorted(_DTYPES))
            )
        begin, end = t["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype=_DTYPES[t["dtype"]])
        tensors[name] = arr.reshape(t.get("shape", [])).astype(_DTYPES[t["dtype"]][1:])
    return tensors, meta


def read_weights(model_path: str) -> Dict[str, np.ndarray]:
    """The state dict (torch names, e.g. "dictionary._weights", "encoder.final_block.0.weight")
    of a model saved with ``model.save(model_path)`` on a file system this process can read."""
    tensors, _ = read_safetensors(os.path.join(model_path, "data", "model.safetensors"))
    return tensors
