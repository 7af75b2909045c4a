"""Writes tiny SAEs with the real SAELens (6.18.0) `save_model` and sparsify (eai-sparsify 1.3.3)
`save_to_disk`, plus inputs and each library's own codes and reconstructions.

ExternalFixturesTest imports these folders into the JVM model and must reproduce the outputs.
Run once by hand in an environment with torch, sae-lens and eai-sparsify:
    python make_external_fixtures.py <this folder>
"""

import os
import sys

import torch
from safetensors.torch import save_file


def saelens_fixture(out):
    from sae_lens.saes.topk_sae import TopKSAE, TopKSAEConfig

    torch.manual_seed(0)
    sae = TopKSAE(TopKSAEConfig(d_in=8, d_sae=16, k=3))
    with torch.no_grad():
        sae.W_enc.copy_(torch.randn(8, 16) * 0.5)
        sae.b_enc.copy_(torch.randn(16) * 0.1)
        sae.W_dec.copy_(torch.randn(16, 8) * 0.3)
        sae.b_dec.copy_(torch.randn(8) * 0.2)
    sae.save_model(os.path.join(out, "saelens"))
    x = torch.randn(12, 8)
    with torch.no_grad():
        codes = sae.encode(x)
        x_hat = sae.decode(codes)
    return {"x": x, "saelens.codes": codes, "saelens.x_hat": x_hat}


def sparsify_fixture(out):
    import sparsify.sparse_coder
    import sparsify.utils
    from sparsify import SparseCoder, SparseCoderConfig

    sparsify.sparse_coder.decoder_impl = sparsify.utils.eager_decode  # CPU only
    torch.manual_seed(1)
    sc = SparseCoder(8, SparseCoderConfig(num_latents=16, k=3))
    with torch.no_grad():
        sc.encoder.bias.copy_(torch.randn(16) * 0.1)
        sc.b_dec.copy_(torch.randn(8) * 0.2)
    sc.save_to_disk(os.path.join(out, "sparsify", "layers.1"))
    x = torch.randn(12, 8)
    with torch.no_grad():
        enc = sc.encode(x)
        out_ = sc(x)
    codes = torch.zeros(12, 16).scatter(-1, enc.top_indices, enc.top_acts)
    return {"sparsify.x": x, "sparsify.codes": codes, "sparsify.x_hat": out_.sae_out}


if __name__ == "__main__":
    folder = sys.argv[1]
    ref = saelens_fixture(folder)
    ref.update(sparsify_fixture(folder))
    save_file(
        {k: v.contiguous() for k, v in ref.items()}, os.path.join(folder, "reference.safetensors")
    )
