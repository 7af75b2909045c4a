"""scripts/extract_activations.py on a tiny input: the packaged MiniLM model, offline."""

import json
import os
import sys

import numpy as np
import pyarrow.parquet as pq
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import extract_activations as ex  # noqa: E402

TEXTS = [
    "The cat sat on the mat.",
    "Spark trains sparse autoencoders.",
    "What is thermodynamics?",
    "Hello there",
    "A fifth, somewhat longer document about "
    "the laws of heat, entropy and the conservation of energy in physics.",
]


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("text") / "docs.txt"
    path.write_text("\n".join(TEXTS) + "\n\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def out(text_file, tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("acts") / "acts")
    assert (
        ex.main(
            [
                "--out",
                folder,
                "--text",
                text_file,
                "--layers",
                "0,3,6",
                "--shard-docs",
                "2",
                "--batch-size",
                "2",
                "--backend",
                "numpy",
                "--quiet",
            ]
        )
        == 0
    )
    return folder


def test_model_and_corpus_come_from_packages():
    model_dir = ex.default_model_dir()
    assert os.path.getsize(os.path.join(model_dir, "model.safetensors")) > 80_000_000
    docs = ex.chatterbot_documents()
    assert len(docs) > 1500
    assert {"science", "history", "sports"} <= {topic for topic, _ in docs}


def test_one_row_per_token_and_layer_in_shards(out):
    shards = sorted(f for f in os.listdir(out) if f.startswith("shard-"))
    assert shards == ["shard-00000.parquet", "shard-00001.parquet", "shard-00002.parquet"]
    t = pq.read_table(out)  # the folder reads as the activations alone
    assert t.schema.names == ["doc_id", "position", "token", "layer", "activation"]
    assert str(t.schema.field("activation").type) == "list<element: float>"
    df = t.to_pandas()
    assert sorted(df.doc_id.unique()) == [0, 1, 2, 3, 4]
    assert sorted(df.layer.unique()) == [0, 3, 6]
    for (doc, layer), g in df.groupby(["doc_id", "layer"]):
        assert list(g.position) == list(range(1, len(g) + 1))  # the model's positions, [CLS] = 0
    assert not df.token.isin(["[CLS]", "[SEP]"]).any()  # special tokens dropped by default
    cat = df[(df.doc_id == 0) & (df.layer == 3)].token.tolist()
    assert cat == ["the", "cat", "sat", "on", "the", "mat", "."]
    assert all(len(a) == 384 for a in df.activation)


def test_keep_special_tokens_writes_them_with_the_same_vectors_elsewhere(out, text_file, tmp_path):
    other = str(tmp_path / "special")
    ex.main(
        [
            "--out",
            other,
            "--text",
            text_file,
            "--layers",
            "0,3,6",
            "--shard-docs",
            "2",
            "--batch-size",
            "2",
            "--backend",
            "numpy",
            "--quiet",
            "--keep-special-tokens",
        ]
    )
    full = pq.read_table(other).to_pandas()
    for (doc, layer), g in full.groupby(["doc_id", "layer"]):
        assert list(g.position) == list(range(len(g)))
        assert g.token.iloc[0] == "[CLS]" and g.token.iloc[-1] == "[SEP]"
    plain = pq.read_table(out).to_pandas()
    words = full[~full.token.isin(["[CLS]", "[SEP]"])].reset_index(drop=True)
    assert words[["doc_id", "position", "token", "layer"]].equals(
        plain[["doc_id", "position", "token", "layer"]]
    )
    np.testing.assert_array_equal(np.stack(words.activation), np.stack(plain.activation))
    with open(os.path.join(other, "_manifest.json")) as f:
        assert json.load(f)["special_tokens"] == "kept"


def test_activations_do_not_depend_on_batch_padding(out, text_file, tmp_path):
    # doc 4 is the longest: alone in its batch here, padded-to in the run above
    other = str(tmp_path / "one")
    ex.main(
        [
            "--out",
            other,
            "--text",
            text_file,
            "--layers",
            "3",
            "--shard-docs",
            "5",
            "--batch-size",
            "5",
            "--backend",
            "numpy",
            "--quiet",
        ]
    )
    a = pq.read_table(out, filters=[("layer", "=", 3)]).to_pandas()
    b = pq.read_table(other).to_pandas()
    for doc in range(5):
        x = np.stack(a[a.doc_id == doc].activation.to_numpy())
        y = np.stack(b[b.doc_id == doc].activation.to_numpy())
        np.testing.assert_allclose(x, y, atol=2e-5)


def test_documents_and_manifest_describe_the_run(out):
    docs = pq.read_table(os.path.join(out, "_documents.parquet")).to_pandas()
    assert docs.text.tolist() == TEXTS
    with open(os.path.join(out, "_manifest.json")) as f:
        manifest = json.load(f)
    assert manifest["layers"] == [0, 3, 6] and manifest["documents"] == 5


def test_rerun_resumes_with_the_missing_shard_only(out, text_file, capsys):
    args = [
        "--out",
        out,
        "--text",
        text_file,
        "--layers",
        "0,3,6",
        "--shard-docs",
        "2",
        "--backend",
        "numpy",
        "--quiet",
    ]
    kept = os.path.getmtime(os.path.join(out, "shard-00000.parquet"))
    before = pq.read_table(os.path.join(out, "shard-00001.parquet"))
    os.remove(os.path.join(out, "shard-00001.parquet"))
    ex.main(args)
    assert "wrote 1 shards" in capsys.readouterr().out
    assert os.path.getmtime(os.path.join(out, "shard-00000.parquet")) == kept
    assert pq.read_table(os.path.join(out, "shard-00001.parquet")).equals(before)
    ex.main(args)
    assert "already written" in capsys.readouterr().out


def test_rerun_with_other_settings_is_refused(out, text_file):
    with pytest.raises(SystemExit, match="layers"):
        ex.main(
            ["--out", out, "--text", text_file, "--layers", "2", "--shard-docs", "2", "--quiet"]
        )


def test_gelu_matches_the_exact_erf_form():
    from math import erf, sqrt

    x = np.linspace(-6, 6, 1001).astype(np.float32)
    exact = np.array([0.5 * v * (1 + erf(v / sqrt(2))) for v in x.astype(np.float64)])
    np.testing.assert_allclose(ex.gelu(x), exact, atol=2e-6)


def test_numpy_backend_matches_transformers():
    torch = pytest.importorskip(
        "torch",
        reason="torch is not installed in this venv (scripts/test_extract.sh --torch installs it)",
    )
    model_dir = ex.default_model_dir()
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    ids, mask = ex.pad([e.ids for e in tok.encode_batch(TEXTS)])
    a = ex.NumpyBert(model_dir).hidden_states(ids, mask)
    b = ex.TorchBert(model_dir).hidden_states(ids, mask)
    m = mask.astype(bool)
    for layer in range(len(a)):
        np.testing.assert_allclose(a[layer][m], b[layer][m], atol=5e-5)
    assert torch is not None
