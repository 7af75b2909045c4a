"""Trains with the real estimator at 1, 2 and 4 workers (equal tokens: the same epochs over the
same rows) plus the baseline recipe, and measures each model on held-out rows.

Run as ``python -m topksae.quality`` (or ``scripts/quality.sh``); ``--help`` lists the options.
"""

import argparse
import json
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from topksae.quality import metrics, sets

#: overcomplete's README recipe as the project reproduces it (every value pinned, so changing the
#: estimator's defaults never changes the baseline).
BASELINE: Dict[str, Any] = {
    "initialization": "default",
    "learningRate": 5e-4,
    "outerOptimizer": "average",
    "optimizerState": "averaged",
    "decoderBiasInit": "none",
    "localSteps": 20,
    "auxKPenalty": 0.0,
    "clipGrad": 1.0,
}


def parse_value(text: str) -> Any:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def parse_params(items: Sequence[str]) -> Dict[str, Any]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit("--set-param takes name=value, got %r" % item)
        out[key.strip()] = parse_value(value.strip())
    return out


def fit_and_measure(
    spark: Any, ds: sets.DataSet, workers: int, params: Dict[str, Any], seed: int
) -> Dict[str, Any]:
    """One fit on ds's training rows, measured on its held-out rows."""
    from topksae.spark import TopKSAEEstimator

    params = {k: (workers if v == "W" else v) for k, v in params.items()}  # "W": the worker count
    settings = dict(
        inputCol=ds.column,
        nbConcepts=ds.nb_concepts,
        topK=ds.top_k,
        batchSize=ds.batch_size,
        maxEpochs=ds.epochs,
        numWorkers=workers,
        seed=seed,
        reconstructionCol="reconstruction",
    )
    settings.update(params)  # a recipe may override the set's own batchSize or epochs
    est = TopKSAEEstimator(**settings)
    train = spark.read.parquet(*ds.train_paths).select(ds.column)
    t0 = time.time()
    model = est.fit(train)
    seconds = time.time() - t0
    tokens = int(model.summary.tokensSeen)
    held = spark.read.parquet(*ds.heldout_paths).select(ds.column)
    ev = held_out_metrics(spark, model.transform(held), ds.column)
    row = {
        "workers": workers,
        "tokens": tokens,
        "fit_seconds": round(seconds, 2),
        "tokens_per_s": round(tokens / seconds, 1),
        "fvu": ev["fvu"],
        "l0": ev["l0"],
        "dead": ev["deadFraction"],
        "heldout_rows": ev["rows"],
    }
    if ds.atoms is not None:
        row.update(metrics.recovery(ds.atoms, model.dictionary))
    return row


def held_out_metrics(spark: Any, transformed: Any, column: str) -> Dict[str, float]:
    """FVU (centred on the held-out mean), mean L0 and the share of concepts never non-zero,
    computed in the JVM by topksae.spark.TopKSAEEvaluator over every held-out row."""
    ev = spark._jvm.topksae.spark.TopKSAEEvaluator()
    ev.setInputCol(column).setOutputCol("codes").setReconstructionCol("reconstruction")
    transformed = transformed.cache()
    try:
        out = {k: float(v) for k, v in dict(ev.evaluateAll(transformed._jdf)).items()}
        out["rows"] = transformed.count()
    finally:
        transformed.unpersist()
    return out


def parse_recipes(items: Sequence[str], common: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """--recipe NAME:k=v,k=v (repeatable) on top of --set-param; none = one run named
    "defaults" (no --set-param) or "recipe"."""
    if not items:
        return {"recipe" if common else "defaults": dict(common)}
    out = {}
    for item in items:
        name, _, rest = item.partition(":")
        out[name] = dict(common, **parse_params([kv for kv in rest.split(",") if kv]))
    return out


def run_set(
    spark: Any,
    ds: sets.DataSet,
    workers: List[int],
    recipes: Dict[str, Dict[str, Any]],
    baseline: bool,
    seeds: List[int],
    log: Any,
) -> List[Dict[str, Any]]:
    runs = []
    plan = ([("baseline", 1, dict(BASELINE))] if baseline else []) + [
        (label, w, dict(p)) for label, p in recipes.items() for w in workers
    ]
    for label, w, p in plan:
        for seed in seeds:
            log("%s: %s, %d worker(s), seed %d %s" % (ds.name, label, w, seed, p or ""))
            row = fit_and_measure(spark, ds, w, p, seed)
            row.update({"set": ds.name, "run": label, "params": p, "seed": seed})
            log("  " + format_row(row))
            runs.append(row)
    return runs


def fvu_by_run(runs: List[Dict[str, Any]]) -> Dict[Tuple[str, int], List[float]]:
    """Held-out FVU per (run, workers), one value per seed."""
    groups: Dict[Tuple[str, int], List[float]] = {}
    for r in runs:
        groups.setdefault((r["run"], r["workers"]), []).append(r["fvu"])
    return groups


def compare(runs: List[Dict[str, Any]]) -> Dict[str, float]:
    """Per set and recipe, on the FVU averaged over the seeds: the gain over the baseline (worst
    over worker counts) and the worst FVU gap of W workers against 1 worker, both relative; with
    more than one seed also each worker count's mean and spread (max - min) over the seeds."""
    out: Dict[str, float] = {}
    each = fvu_by_run(runs)
    fvu = {k: sum(v) / len(v) for k, v in each.items()}
    base = fvu.get(("baseline", 1))
    for label in dict.fromkeys(r["run"] for r in runs if r["run"] != "baseline"):
        rec = {w: v for (run, w), v in fvu.items() if run == label}
        if base:
            out[label + ".gain_vs_baseline"] = min(1 - v / base for v in rec.values())
        gaps = [v / rec[1] - 1 for w, v in rec.items() if 1 in rec and w != 1]
        if gaps:
            out[label + ".worst_worker_gap"] = max(gaps)
    for (label, w), values in each.items():
        if len(values) > 1:
            out["%s.w%d.fvu_mean" % (label, w)] = fvu[(label, w)]
            out["%s.w%d.fvu_spread" % (label, w)] = max(values) - min(values)
    return out


COLUMNS = [
    ("set", "%-16s"),
    ("run", "%-9s"),
    ("workers", "%2d"),
    ("seed", "%4d"),
    ("tokens", "%9d"),
    ("fvu", "%.4f"),
    ("mmcs", "%.3f"),
    ("recovered", "%6.1f%%"),
    ("dead", "%5.1f%%"),
    ("l0", "%5.1f"),
    ("tokens_per_s", "%8.0f"),
]


def format_row(row: Dict[str, Any]) -> str:
    cells = []
    for key, fmt in COLUMNS:
        v = row.get(key)
        if v is None:
            cells.append("-")
        elif key in ("recovered", "dead"):
            cells.append(fmt % (100 * v))
        else:
            cells.append(fmt % v)
    return " | ".join(cells)


def key_values(runs: List[Dict[str, Any]], summaries: Dict[str, Dict[str, float]]) -> List[str]:
    lines = []
    for r in runs:
        prefix = "quality.%s.%s.w%d.s%d" % (r["set"], r["run"], r["workers"], r["seed"])
        for k in (
            "fvu",
            "mmcs",
            "recovered",
            "dead",
            "l0",
            "tokens",
            "tokens_per_s",
            "fit_seconds",
        ):
            if k in r:
                lines.append("%s.%s=%s" % (prefix, k, _num(r[k])))
    for name, s in summaries.items():
        for k, v in s.items():
            lines.append("quality.%s.%s=%s" % (name, k, _num(v)))
    return lines


def _num(v: Any) -> str:
    return ("%.6g" % v) if isinstance(v, float) else str(v)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m topksae.quality", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--quick", action="store_true", help="small sets, a few minutes")
    ap.add_argument("--sets", help="comma-separated set names (default: all of the mode)")
    ap.add_argument("--workers", default="1,2,4", help="worker counts [1,2,4]")
    ap.add_argument(
        "--set-param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="estimator Param for the non-baseline runs (repeatable); the value W stands "
        "for the run's worker count",
    )
    ap.add_argument(
        "--recipe",
        action="append",
        default=[],
        metavar="NAME:K=V,K=V",
        help="a named set of Params to run at every worker count (repeatable); "
        "default: one run of the estimator's defaults plus --set-param",
    )
    ap.add_argument("--no-baseline", action="store_true", help="skip the baseline runs")
    ap.add_argument(
        "--no-extract",
        action="store_true",
        help="real set: use the activation shards already extracted, extract no more",
    )
    ap.add_argument("--cores", type=int, default=2, help="local[N] Spark cores [2]")
    ap.add_argument(
        "--seeds",
        "--seed",
        default="42",
        help="estimator seeds, comma-separated [42]; every run is repeated per seed and the "
        "comparisons use the mean FVU over the seeds",
    )
    ap.add_argument("--out", help="write every run and the comparisons as JSON here")
    args = ap.parse_args(argv)

    seeds = [int(s) for s in args.seeds.split(",")]
    params = parse_params(args.set_param)
    recipes = parse_recipes(args.recipe, params)
    workers = [int(w) for w in args.workers.split(",")]
    names = args.sets.split(",") if args.sets else sets.names(args.quick)
    data = [
        sets.load(n, args.quick, not args.no_extract) for n in names
    ]  # builds caches before Spark starts

    from topksae.local import local_session

    spark = local_session("topksae-quality", cores=args.cores, driver_memory="6g")
    spark.sparkContext.setLogLevel("WARN")
    runs: List[Dict[str, Any]] = []
    summaries: Dict[str, Dict[str, float]] = {}
    t0 = time.time()
    try:
        for ds in data:
            set_runs = run_set(spark, ds, workers, recipes, not args.no_baseline, seeds, _log)
            runs += set_runs
            summaries[ds.name] = compare(set_runs)
    finally:
        spark.stop()
    print()
    print(" | ".join(k for k, _ in COLUMNS))
    for r in runs:
        print(format_row(r))
    print()
    for line in key_values(runs, summaries):
        print(line)
    print("quality.total_seconds=%.0f" % (time.time() - t0))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(
                {
                    "recipes": recipes,
                    "quick": args.quick,
                    "runs": runs,
                    "compare": summaries,
                    "sets": {d.name: d.describe for d in data},
                },
                f,
                indent=1,
            )
    return 0


def _log(msg: str) -> None:
    print("[quality %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)
