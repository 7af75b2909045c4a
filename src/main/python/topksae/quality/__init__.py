"""The quality harness: trains with the real estimator on known-dictionary and real activation
sets and measures held-out FVU, dead concepts, L0 and dictionary recovery.

``python -m topksae.quality --help`` (or ``scripts/quality.sh``) runs it; the pieces are
importable: :mod:`topksae.quality.synthetic` (known-dictionary data),
:mod:`topksae.quality.metrics` (MMCS, recovered atoms, FVU in numpy).
"""
