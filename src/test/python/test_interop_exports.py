"""The JVM's exports, read with the Python `safetensors` package and numpy only.

PythonInteropExportTest (a Java test, run first by scripts/test.sh) writes the SAELens, sparsify and
overcomplete layouts of small trained models plus inputs and the JVM's codes and reconstructions
to target/interop-exports. Here numpy recomputes the forward pass each library defines from the
files alone and must agree with the JVM.
"""

import importlib.util
import json
import os

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import load_file

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXPORTS = os.path.join(ROOT, "target", "interop-exports")
FIXTURE_DIR = os.path.join(ROOT, "src", "test", "resources", "topksae", "io")

# SAELens 6.18.0: fields of TopKSAEConfig.to_dict() (SAEConfig fields, then TopK ones, then architecture)
SAELENS_TOPK_KEYS = [
    "d_in",
    "d_sae",
    "dtype",
    "device",
    "apply_b_dec_to_input",
    "normalize_activations",
    "reshape_activations",
    "metadata",
    "k",
    "rescale_acts_by_decoder_norm",
    "architecture",
]
# sparsify 1.3.0: SparseCoderConfig.to_dict() plus d_in
SPARSIFY_KEYS = [
    "activation",
    "expansion_factor",
    "normalize_decoder",
    "num_latents",
    "k",
    "multi_topk",
    "skip_connection",
    "transcode",
    "d_in",
]


def _exports(name):
    path = os.path.join(EXPORTS, name)
    if not os.path.exists(path):
        message = f"{path} is missing: the Java tests write it (mvn test, or scripts/test.sh)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _reference():
    return load_file(_exports("reference.safetensors"))


def _topk_then_relu(pre, k):
    """SAELens TopK: the k largest pre-activations, then ReLU."""
    idx = np.argpartition(-pre, k - 1, axis=1)[:, :k]
    codes = np.zeros_like(pre)
    np.put_along_axis(codes, idx, np.maximum(np.take_along_axis(pre, idx, axis=1), 0), axis=1)
    return codes


def _relu_then_topk(pre, k):
    """overcomplete / sparsify: ReLU, then the k largest."""
    return _topk_then_relu(np.maximum(pre, 0), k)


def _same_codes(codes, expected):
    np.testing.assert_array_equal(codes != 0, expected != 0, err_msg="active concepts differ")
    np.testing.assert_allclose(codes, expected, rtol=1e-5, atol=1e-5)


def test_saelens_export_reproduces_the_jvm():
    folder = _exports("saelens")
    with open(os.path.join(folder, "cfg.json")) as f:
        cfg = json.load(f)
    assert list(cfg) == SAELENS_TOPK_KEYS
    assert cfg["architecture"] == "topk" and cfg["apply_b_dec_to_input"] is True
    assert cfg["metadata"]["sae_lens_version"].startswith("6.")
    w = load_file(os.path.join(folder, "sae_weights.safetensors"))
    assert set(w) == {"W_enc", "b_enc", "W_dec", "b_dec"}
    assert w["W_enc"].shape == (cfg["d_in"], cfg["d_sae"]) and w["W_enc"].dtype == np.float32
    assert w["W_dec"].shape == (cfg["d_sae"], cfg["d_in"])
    assert np.any(w["b_dec"] != 0), "this model has an input offset"
    ref = _reference()
    x = ref["x"]
    pre = (x - w["b_dec"] * cfg["apply_b_dec_to_input"]) @ w["W_enc"] + w["b_enc"]
    codes = _topk_then_relu(pre, cfg["k"])
    _same_codes(codes, ref["saelens.codes"])
    np.testing.assert_allclose(
        codes @ w["W_dec"] + w["b_dec"], ref["saelens.x_hat"], rtol=1e-5, atol=1e-5
    )


def test_batchtopk_as_saelens_jumprelu_reproduces_the_jvm():
    folder = _exports("saelens-jumprelu")
    with open(os.path.join(folder, "cfg.json")) as f:
        cfg = json.load(f)
    assert cfg["architecture"] == "jumprelu" and "k" not in cfg
    w = load_file(os.path.join(folder, "sae_weights.safetensors"))
    assert set(w) == {"W_enc", "b_enc", "W_dec", "b_dec", "threshold"}
    assert w["threshold"].shape == (cfg["d_sae"],)
    ref = _reference()
    pre = (ref["x"] - w["b_dec"]) @ w["W_enc"] + w["b_enc"]
    codes = np.maximum(pre, 0) * (pre > w["threshold"])  # SAELens JumpReLUSAE.encode
    _same_codes(codes, ref["jumprelu.codes"])
    np.testing.assert_allclose(
        codes @ w["W_dec"] + w["b_dec"], ref["jumprelu.x_hat"], rtol=1e-5, atol=1e-5
    )


def test_sparsify_export_reproduces_the_jvm():
    folder = os.path.join(_exports("sparsify"), "layers.0")
    with open(os.path.join(folder, "cfg.json")) as f:
        cfg = json.load(f)
    assert list(cfg) == SPARSIFY_KEYS
    assert cfg["activation"] == "topk" and not cfg["skip_connection"] and not cfg["transcode"]
    w = load_file(os.path.join(folder, "sae.safetensors"))
    assert set(w) == {"encoder.weight", "encoder.bias", "W_dec", "b_dec"}
    n, d = cfg["num_latents"], cfg["d_in"]
    assert (
        w["encoder.weight"].shape == (n, d)
        and w["W_dec"].shape == (n, d)
        and w["b_dec"].shape == (d,)
    )
    ref = _reference()
    pre = (ref["x"] - w["b_dec"]) @ w["encoder.weight"].T + w["encoder.bias"]
    codes = _relu_then_topk(pre, cfg["k"])
    _same_codes(codes, ref["saelens.codes"])
    np.testing.assert_allclose(
        codes @ w["W_dec"] + w["b_dec"], ref["saelens.x_hat"], rtol=1e-5, atol=1e-5
    )


def test_overcomplete_state_dict_reproduces_the_jvm():
    path = _exports("overcomplete.safetensors")
    with safe_open(path, framework="numpy") as f:
        meta = f.metadata()
    cfg = json.loads(meta["topksae_config"])
    assert cfg["encoder"] == "linear" and cfg["normalization"] == "l2"
    s = load_file(path)
    assert set(s) == {
        "encoder.final_block.0.weight",
        "encoder.final_block.0.bias",
        "dictionary._weights",
        "dictionary.multiplier",
    }
    assert s["dictionary.multiplier"].shape == ()
    raw = s["dictionary._weights"]
    # overcomplete eval(): normalize_l2 then times exp(multiplier)
    dictionary = (
        raw
        / (np.linalg.norm(raw, axis=1, keepdims=True) + 1e-8)
        * np.exp(s["dictionary.multiplier"])
    )
    ref = _reference()
    pre = ref["x"] @ s["encoder.final_block.0.weight"].T + s["encoder.final_block.0.bias"]
    codes = _relu_then_topk(pre, cfg["topK"])
    _same_codes(codes, ref["overcomplete.codes"])
    np.testing.assert_allclose(codes @ dictionary, ref["overcomplete.x_hat"], rtol=1e-5, atol=1e-5)


def test_committed_fixture_is_what_the_safetensors_package_writes(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "make_python_fixture", os.path.join(FIXTURE_DIR, "make_python_fixture.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "again.safetensors"
    module.write(str(out))
    with open(os.path.join(FIXTURE_DIR, "python_written.safetensors"), "rb") as f:
        committed = f.read()
    assert out.read_bytes() == committed
