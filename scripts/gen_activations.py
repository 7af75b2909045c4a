#!/usr/bin/env python3
"""Writes random activations as Parquet (column "features": array<float>) for benchmarks.

    python3 scripts/gen_activations.py --out /tmp/acts768 --rows 49152 --dim 768 [--files 4] [--seed 0]

Rows are sparse mixtures of a random unit dictionary (32 of --atoms atoms per row, Gaussian
weights) plus small noise, so a TopK SAE has structure to learn. Needs numpy and pyarrow.
"""

import argparse
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--rows", type=int, default=49152)
    ap.add_argument("--dim", type=int, default=768)
    ap.add_argument("--atoms", type=int, default=4096)
    ap.add_argument("--active", type=int, default=32)
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    atoms = rng.standard_normal((a.atoms, a.dim), dtype=np.float32)
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    os.makedirs(a.out, exist_ok=True)
    per = -(-a.rows // a.files)
    for f in range(a.files):
        n = min(per, a.rows - f * per)
        if n <= 0:
            break
        idx = rng.integers(0, a.atoms, size=(n, a.active))
        w = rng.standard_normal((n, a.active), dtype=np.float32)
        x = np.einsum("na,nad->nd", w, atoms[idx], dtype=np.float32)
        x += 0.05 * rng.standard_normal((n, a.dim), dtype=np.float32)
        col = pa.FixedSizeListArray.from_arrays(pa.array(x.reshape(-1), pa.float32()), a.dim)
        col = pa.ListArray.from_arrays(
            pa.array(np.arange(0, (n + 1) * a.dim, a.dim, dtype=np.int32)), col.flatten()
        )
        pq.write_table(pa.table({"features": col}), os.path.join(a.out, "part-%05d.parquet" % f))
    print("wrote %d rows x %d to %s" % (a.rows, a.dim, a.out))


if __name__ == "__main__":
    main()
