"""The progress of ``TopKSAEEstimator.fit`` over Spark Connect.

A Connect client cannot read the driver's round records while the fit runs: what the server
reports is the Spark stages and tasks of the fit's operation (pyspark's progress handlers,
``spark.registerProgressHandler``, pyspark 4.0 and later). So the bar, the same ``tqdm.auto`` bar
as on a classic session, counts the fit's Spark tasks done (of the tasks of the stages started so
far: the total grows as stages start) and names the stages; it shows no FVU, L0 or ETA while the
fit runs. When the fit ends, its last line and the per-round MLflow metrics come from the
model's training summary (one fetch through the server, see ``_connect``).
"""

import warnings
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from topksae.spark import _progress


def tally(stages: Iterable[Any]) -> Tuple[int, int, int, int]:
    """(stages done, stages seen, tasks done, tasks) of pyspark Connect StageInfo objects."""
    stages = list(stages or [])
    return (
        sum(1 for s in stages if s.done),
        len(stages),
        sum(int(s.num_completed_tasks) for s in stages),
        sum(int(s.num_tasks) for s in stages),
    )


def closing_text(rounds: List[Dict[str, Any]]) -> str:
    """The bar's last words: what the summary says the fit did."""
    if not rounds:
        return "done: no rounds"
    last = rounds[-1]
    return "done: %d rounds, %d tokens, fvu %.4f, l0 %.1f, dead %.1f%%" % (
        len(rounds),
        int(last["tokensSeen"]),
        last["fvu"],
        last["l0"],
        100 * last["deadFraction"],
    )


class StageBar:
    """A Connect progress handler drawing the fit's Spark tasks on a tqdm bar. Only the first
    operation seen is followed (the fit's: it is the one running while the bar exists)."""

    def __init__(self) -> None:
        self.operation: Optional[str] = None
        self.bar = _progress._bar(
            desc="topksae: fit over Spark Connect",
            total=None,
            unit="task",
            bar_format="{desc}: {n_fmt}/{total_fmt} Spark tasks [{elapsed}{postfix}]",
        )
        self.bar.set_postfix_str("waiting for the server", refresh=True)
        self.calls = 0

    def __call__(
        self,
        stages: Optional[Iterable[Any]],
        inflight_tasks: int,
        operation_id: Optional[str],
        done: bool,
    ) -> None:
        if self.operation is None:
            self.operation = operation_id
        if operation_id != self.operation:
            return
        self.calls += 1
        stages_done, stages_seen, tasks_done, tasks = tally(stages or [])
        self.bar.total = max(tasks, tasks_done)
        self.bar.n = tasks_done
        self.bar.set_postfix_str(
            "stages %d/%d, %d tasks running" % (stages_done, stages_seen, inflight_tasks),
            refresh=True,
        )

    def close(self, text: Optional[str]) -> None:
        if text is not None:
            self.bar.set_postfix_str(text, refresh=True)
        self.bar.close()


def fit(
    spark: Any,
    run: Callable[[], Any],
    show: bool,
    on_records: Optional[Callable[[List[Dict[str, Any]]], None]],
) -> Any:
    """``run()`` (the Connect fit) with a StageBar if `show` and the client has progress
    handlers; afterwards the summary's rounds go to the bar's last line and to `on_records`."""
    bar = StageBar() if show and hasattr(spark, "registerProgressHandler") else None
    if bar is not None:
        spark.registerProgressHandler(bar)
    model, text = None, None
    try:
        model = run()
        rounds = _rounds(model)
        if rounds is not None:
            text = closing_text(rounds)
            if on_records is not None:
                on_records(rounds)
        return model
    finally:
        if bar is not None:
            spark.removeProgressHandler(bar)
            bar.close(text if model is not None else "failed")


def _rounds(model: Any) -> Optional[List[Dict[str, Any]]]:
    """The summary's round records, or None (with a warning) if they cannot be fetched: the bar
    and MLflow are niceties, never a reason to fail a fit."""
    try:
        return model.summary.rounds
    except Exception as e:  # noqa: BLE001
        warnings.warn("topksae: no training summary for the progress bar or MLflow: %r" % (e,))
        return None
