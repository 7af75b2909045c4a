"""Held-out metrics in numpy: dictionary recovery against known atoms, and FVU."""

from typing import Dict

import numpy as np


def best_cosines(atoms: np.ndarray, dictionary: np.ndarray, chunk: int = 1024) -> np.ndarray:
    """For each true atom, the largest cosine similarity with any dictionary row."""
    a = atoms / np.maximum(np.linalg.norm(atoms, axis=1, keepdims=True), 1e-12)
    d = dictionary / np.maximum(np.linalg.norm(dictionary, axis=1, keepdims=True), 1e-12)
    out = np.empty(len(a))
    for s in range(0, len(a), chunk):
        out[s : s + chunk] = (a[s : s + chunk] @ d.T).max(axis=1)
    return out


def recovery(atoms: np.ndarray, dictionary: np.ndarray, threshold: float = 0.9) -> Dict[str, float]:
    """mmcs: mean over true atoms of the best cosine; recovered: share of atoms whose best
    cosine exceeds threshold."""
    best = best_cosines(atoms, dictionary)
    return {"mmcs": float(best.mean()), "recovered": float((best > threshold).mean())}


def fvu(x: np.ndarray, x_hat: np.ndarray) -> float:
    """sum((x - x_hat)^2) / sum((x - mean(x))^2), the mean per feature over these rows."""
    x = x.astype(np.float64)
    return float(((x - x_hat) ** 2).sum() / ((x - x.mean(axis=0)) ** 2).sum())
