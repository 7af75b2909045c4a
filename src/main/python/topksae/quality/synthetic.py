"""Known-dictionary activations: rows that are sparse non-negative sums of unit atoms plus noise.

Each row picks a support size (uniform in 1..2*mean_active-1, so its mean is mean_active), draws
that many distinct atoms with power-law frequencies (atom i has weight (i+1)^-alpha), gives each a
log-normal coefficient (median 1) and adds Gaussian noise whose total energy is noise^2 times the
expected signal energy. Everything follows from the seed.
"""

from typing import NamedTuple

import numpy as np


class KnownDictionary(NamedTuple):
    atoms: np.ndarray  # [n_atoms, dim], unit rows
    train: np.ndarray  # [n_train, dim] float32
    heldout: np.ndarray  # [n_heldout, dim] float32


def unit_atoms(n_atoms: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """n_atoms random directions in dim dimensions, unit norm."""
    a = rng.standard_normal((n_atoms, dim))
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


def atom_frequencies(n_atoms: int, alpha: float) -> np.ndarray:
    """Power-law weights (i+1)^-alpha, summing to 1."""
    w = np.arange(1, n_atoms + 1, dtype=np.float64) ** -alpha
    return w / w.sum()


def sample_rows(
    atoms: np.ndarray,
    n_rows: int,
    mean_active: int,
    alpha: float,
    noise: float,
    rng: np.random.Generator,
    chunk: int = 4096,
) -> np.ndarray:
    """n_rows rows [n_rows, dim] float32 (see the module doc)."""
    n_atoms, dim = atoms.shape
    max_active = min(2 * mean_active - 1, n_atoms)
    logp = np.log(atom_frequencies(n_atoms, alpha))
    sigma = noise * np.sqrt(mean_active * np.exp(0.5) / dim)  # E[c^2] = e^(2 * 0.5^2)
    out = np.empty((n_rows, dim), dtype=np.float32)
    for start in range(0, n_rows, chunk):
        m = min(chunk, n_rows - start)
        out[start : start + m] = _chunk(atoms, logp, m, mean_active, max_active, sigma, rng)
    return out


def _chunk(atoms, logp, m, mean_active, max_active, sigma, rng):
    # Gumbel top-s: the first s of the keys' descending order are s draws without replacement
    keys = logp[None, :] + rng.gumbel(size=(m, logp.size))
    picked = np.argpartition(-keys, max_active - 1, axis=1)[:, :max_active]
    order = np.argsort(-np.take_along_axis(keys, picked, axis=1), axis=1)
    picked = np.take_along_axis(picked, order, axis=1)
    sizes = rng.integers(1, max_active + 1, size=m)
    coef = np.exp(0.5 * rng.standard_normal((m, max_active)))
    coef *= np.arange(max_active)[None, :] < sizes[:, None]
    x = np.einsum("ms,msd->md", coef, atoms[picked])
    x += sigma * rng.standard_normal(x.shape)
    return x.astype(np.float32)


def known_dictionary(
    dim: int,
    n_atoms: int,
    mean_active: int,
    n_train: int,
    n_heldout: int,
    alpha: float = 0.8,
    noise: float = 0.1,
    seed: int = 0,
) -> KnownDictionary:
    """A training and a held-out set drawn from the same dictionary and process."""
    rng = np.random.default_rng(seed)
    atoms = unit_atoms(n_atoms, dim, rng)
    train = sample_rows(atoms, n_train, mean_active, alpha, noise, rng)
    heldout = sample_rows(atoms, n_heldout, mean_active, alpha, noise, rng)
    return KnownDictionary(atoms, train, heldout)
