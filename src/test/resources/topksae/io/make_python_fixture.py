"""Writes python_written.safetensors with the real `safetensors` package (numpy flavour).

SafetensorsCodecTest reads the committed file; tests/python/test_interop_exports.py runs this
function again and checks that the package still writes the same bytes.
"""

import sys

import numpy as np
from safetensors.numpy import save_file


def fixture_tensors():
    return {
        "weight": (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5) / 4,
        "bias": np.array([1e-8, -0.0, 3.4028235e38], dtype=np.float32),
        "half": np.array([[1.0, -2.5], [65504.0, 5.960464477539063e-08]], dtype=np.float16),
        "double": np.array([np.pi, -1.0 / 3], dtype=np.float64),
        "count": np.array(7, dtype=np.int64),
        "ids": np.array([-3, 0, 2**31 - 1], dtype=np.int32),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }


def write(path):
    save_file(fixture_tensors(), path, metadata={"format": "np"})


if __name__ == "__main__":
    write(sys.argv[1])
