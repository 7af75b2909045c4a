#!/usr/bin/env python3
"""Predicted round time, communication share and fit tokens/s of the distributed fit at W workers.

    python3 scripts/scaling_model.py [--core-tokens-per-s 2555] [--cpu-s-per-gb 0.5] [--gbit 10]
        [--cores 8] [--local-steps 5] [--batch 1024] [--state averaged|local] [--workers 8,32,128]

Inputs are measured costs (docs/benchmarks.md, "Scaling model"): the fused step's tokens/s per
core at d 768 x 16384 (scripts/bench.sh; FLOP-bound, so scaled by d x n to other sizes) and the
exchange's CPU seconds per GB shipped (scripts/bench.sh --section scale: comm_s_per_gb_2w, which
covers serialization, shuffle files and summing). A round is synchronous: the workers' steps, then
the exchange; nothing overlaps.
"""

import argparse
import math

MB = 1 << 20


def chunk_bytes(workers):
    """As RoundExchange.chunkFloats: about 256 MB / workers, within 4-16 MB."""
    return max(4 * MB, min(16 * MB, (256 * MB) // max(1, workers)))


def predict(d, n, workers, a):
    model = 4 * (2 * d * n + n + 1)
    shipped = 3 * model if a.state == "averaged" else model
    compute = a.local_steps * a.batch / (a.core_tokens_per_s * a.cores * (768 * 16384) / (d * n))
    bw = a.gbit * 1e9 / 8
    reduce_parts = math.ceil(shipped / chunk_bytes(workers))
    fan_in = max(1.0, workers / reduce_parts)  # an executor's reduce inputs, in states
    # broadcast in (torrent: each executor receives the state once), results out, reduce inputs,
    # the driver fetching the sums over its one link
    network = (3 + fan_in) * shipped / bw
    cpu = a.cpu_s_per_gb * 2 * shipped / 1e9
    total = compute + network + cpu
    return shipped, compute, network + cpu, workers * a.local_steps * a.batch / total


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--core-tokens-per-s", type=float, default=2555.0)
    ap.add_argument("--cpu-s-per-gb", type=float, default=0.5)
    ap.add_argument("--gbit", type=float, default=10.0)
    ap.add_argument("--cores", type=int, default=8)
    ap.add_argument("--local-steps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--state", default="averaged")
    ap.add_argument("--workers", default="8,32,128")
    a = ap.parse_args()
    print(
        "| d x n | workers | shipped per round MB | compute s | comm s | comm share | fit tokens/s |"
    )
    print("|---|---|---|---|---|---|---|")
    for d, n in ((768, 16384), (2048, 32768)):
        for w in (int(x) for x in a.workers.split(",")):
            shipped, compute, comm, rate = predict(d, n, w, a)
            print(
                "| %d x %d | %d | %.0f | %.2f | %.2f | %.2f | %.0f |"
                % (d, n, w, shipped / MB, compute, comm, comm / (compute + comm), rate)
            )


if __name__ == "__main__":
    main()
