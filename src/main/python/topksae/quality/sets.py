"""The harness's data sets: known-dictionary sets generated here and MiniLM activations of Debian
text, written once as Parquet under the cache folder (``$TOPKSAE_QUALITY_CACHE``, default
``~/.cache/topksae-quality``) and read by Spark from there."""

import glob
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from topksae.quality import corpus, synthetic


def cache_dir() -> str:
    return os.environ.get(
        "TOPKSAE_QUALITY_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "topksae-quality")
    )


@dataclass
class DataSet:
    """What to train on and how big the SAE is; atoms only for known-dictionary sets."""

    name: str
    nb_concepts: int
    top_k: int
    batch_size: int
    epochs: int
    train_paths: List[str] = field(default_factory=list)
    heldout_paths: List[str] = field(default_factory=list)
    column: str = "features"
    atoms: Optional[np.ndarray] = None
    describe: str = ""


@dataclass
class Synthetic:
    dim: int
    n_atoms: int
    active: int
    n_train: int
    n_heldout: int
    concepts: int
    epochs: int
    batch_size: int = 1024
    seed: int = 1


@dataclass
class Real:
    max_words: int  # text budget of the corpus (all of it is extracted)
    train_shards: int  # shards of each training half used; 0 = all
    concepts: int = 3072
    top_k: int = 32
    epochs: int = 1
    batch_size: int = 1024
    layer: int = 3


SYNTHETIC: Dict[str, Synthetic] = {
    "syn-d64": Synthetic(64, 256, 4, 100_000, 10_000, 512, 4, 512),
    "syn-d128": Synthetic(128, 1024, 8, 200_000, 20_000, 2048, 3, 512),
    "syn-d256": Synthetic(256, 2048, 16, 200_000, 20_000, 4096, 3, 512),
}
QUICK_SYNTHETIC: Dict[str, Synthetic] = {
    "syn-d64": Synthetic(64, 256, 4, 50_000, 5_000, 512, 3, 512),
    "syn-d128": Synthetic(128, 1024, 8, 60_000, 10_000, 2048, 3, 512),
}
REAL: Dict[str, Real] = {"minilm-l3": Real(820_000, 0)}
QUICK_REAL: Dict[str, Real] = {"minilm-l3": Real(820_000, 2)}


def names(quick: bool) -> List[str]:
    return list(QUICK_SYNTHETIC if quick else SYNTHETIC) + list(QUICK_REAL if quick else REAL)


def load(name: str, quick: bool, extract: bool = True) -> DataSet:
    syn = (QUICK_SYNTHETIC if quick else SYNTHETIC).get(name)
    if syn is not None:
        return synthetic_set(name + ("-quick" if quick else ""), syn)
    real = (QUICK_REAL if quick else REAL).get(name)
    if real is None:
        raise SystemExit("unknown set %r; sets: %s" % (name, ", ".join(names(quick))))
    return real_set(name + ("-quick" if quick else ""), real, extract)


def _write_parquet(path: str, rows: np.ndarray) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    flat = pa.array(rows.ravel(), pa.float32())
    col = pa.FixedSizeListArray.from_arrays(flat, rows.shape[1]).cast(pa.list_(pa.float32()))
    pq.write_table(pa.table({"features": col}), path + ".tmp", row_group_size=16384)
    os.replace(path + ".tmp", path)


def synthetic_set(name: str, s: Synthetic) -> DataSet:
    folder = os.path.join(
        cache_dir(),
        "synthetic",
        "d%d-n%d-a%d-%d-%d-s%d" % (s.dim, s.n_atoms, s.active, s.n_train, s.n_heldout, s.seed),
    )
    paths = {k: os.path.join(folder, k + ".parquet") for k in ("train", "heldout")}
    atoms_path = os.path.join(folder, "atoms.npy")
    if not all(os.path.exists(p) for p in list(paths.values()) + [atoms_path]):
        os.makedirs(folder, exist_ok=True)
        kd = synthetic.known_dictionary(
            s.dim, s.n_atoms, s.active, s.n_train, s.n_heldout, seed=s.seed
        )
        _write_parquet(paths["train"], kd.train)
        _write_parquet(paths["heldout"], kd.heldout)
        np.save(atoms_path, kd.atoms)
    return DataSet(
        name,
        s.concepts,
        s.active,
        s.batch_size,
        s.epochs,
        [paths["train"]],
        [paths["heldout"]],
        atoms=np.load(atoms_path),
        describe="d %d, %d atoms, %d active on average, %d train / %d held-out rows"
        % (s.dim, s.n_atoms, s.active, s.n_train, s.n_heldout),
    )


def _extract(text: str, out: str, layer: int) -> None:
    """Runs scripts/extract_activations.py (numpy backend) unless out is complete."""
    if os.path.exists(os.path.join(out, "_done")):
        return
    script = os.environ.get(
        "TOPKSAE_EXTRACT_SCRIPT",
        os.path.join(
            os.path.dirname(__file__),
            "..",
            "..",
            "..",
            "..",
            "..",
            "scripts",
            "extract_activations.py",
        ),
    )
    python = os.environ.get("TOPKSAE_EXTRACT_PYTHON", sys.executable)
    subprocess.run(
        [
            python,
            script,
            "--out",
            out,
            "--text",
            text,
            "--layers",
            str(layer),
            "--backend",
            "numpy",
            "--quiet",
            "--batch-size",
            "64",
            "--shard-docs",
            "1024",
        ],
        check=True,
    )
    open(os.path.join(out, "_done"), "w").close()


def real_set(name: str, r: Real, extract: bool = True) -> DataSet:
    """MiniLM layer activations of the Debian text corpus; held-out rows are whole held-out
    documents (topksae.quality.corpus). extract=False uses the shards already extracted."""
    root = cache_dir()
    text = os.path.join(root, "text")
    if not os.path.exists(os.path.join(text, "heldout.txt")):
        corpus.write_corpus(text, r.max_words)
        _split_half(os.path.join(text, "train.txt"))
    acts = os.path.join(root, "minilm-l%d" % r.layer)
    for part in ("train-a", "train-b", "heldout") if extract else ():
        _extract(os.path.join(text, part + ".txt"), os.path.join(acts, part), r.layer)
    train = []
    for part in ("train-a", "train-b"):
        shards = sorted(glob.glob(os.path.join(acts, part, "shard-*.parquet")))
        train += shards[: r.train_shards] if r.train_shards else shards
    heldout = sorted(glob.glob(os.path.join(acts, "heldout", "shard-*.parquet")))
    if not train or not heldout:
        raise SystemExit("no extracted activations under %s: run without --no-extract" % acts)
    return DataSet(
        name,
        r.concepts,
        r.top_k,
        r.batch_size,
        r.epochs,
        train,
        heldout,
        column="activation",
        describe="all-MiniLM-L6-v2 layer %d, fortunes + Linux kernel docs, %d train / "
        "%d held-out shards" % (r.layer, len(train), len(heldout)),
    )


def _split_half(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    half = len(lines) // 2
    folder = os.path.dirname(path)
    for part, chunk in (("train-a", lines[:half]), ("train-b", lines[half:])):
        with open(os.path.join(folder, part + ".txt"), "w", encoding="utf-8") as f:
            f.writelines(chunk)
