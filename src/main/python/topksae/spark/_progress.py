"""The progress bar of ``TopKSAEEstimator.fit``: the read-and-cache phase, then one bar over the
tokens, fed by the driver's round records (a JVM ``topksae.spark.RoundQueue`` polled from here).

The ETA is the tokens left divided by the rate measured between the arrivals of the last
``WINDOW`` round records (wall time, scheduling included), never from the first round alone:
the first round also pays for the executors' start-up.
"""

import os
import sys
import uuid
from typing import Any, Callable, Dict, List, Optional, Sequence

#: Round records used for the rate behind the ETA (the newest ones).
WINDOW = 20
POLL_SECONDS = 0.5
ENV = "TOPKSAE_PROGRESS"


def interactive() -> bool:
    """True in Jupyter/IPython, Databricks notebooks, the Python prompt and terminals."""
    if os.environ.get("DATABRICKS_RUNTIME_VERSION") or hasattr(sys, "ps1"):
        return True
    ipython = sys.modules.get("IPython")
    if ipython is not None and getattr(ipython, "get_ipython", lambda: None)() is not None:
        return True
    stream = sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def wanted(progress: Optional[bool]) -> bool:
    """The estimator's ``progress`` setting; None = $TOPKSAE_PROGRESS (0/1) if set, else
    :func:`interactive` (and tqdm installed)."""
    if progress is None:
        env = os.environ.get(ENV, "").strip().lower()
        on = env not in ("0", "false", "no", "off") if env else interactive()
        return on and _has_tqdm()
    if progress and not _has_tqdm():
        raise ImportError("progress=True needs tqdm: pip install tqdm (or pass progress=False)")
    return bool(progress)


def _has_tqdm() -> bool:
    import importlib.util

    return importlib.util.find_spec("tqdm") is not None


def duration(seconds: Optional[float]) -> str:
    """h:mm:ss, or ? when unknown."""
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "?"
    s = int(round(max(seconds, 0)))
    return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)


def rate(records: Sequence[Dict[str, float]], window: int = WINDOW) -> Optional[float]:
    """Tokens per second over the arrivals of the last ``window`` records; with one record, its
    own tokens over its own seconds; None without records."""
    if not records:
        return None
    if len(records) == 1:
        r = records[0]
        return r["tokens"] / r["seconds"] if r["seconds"] > 0 else None
    recent = records[-(window + 1) :]
    first, last = recent[0], recent[-1]
    wall = last["arrivedSeconds"] - first["arrivedSeconds"]
    tokens = last["tokensSeen"] - first["tokensSeen"]
    return tokens / wall if wall > 0 else None


def eta(
    records: Sequence[Dict[str, float]], planned: float, window: int = WINDOW
) -> Optional[float]:
    """Seconds left: tokens still to see over :func:`rate`; 0 when done; None if unknown."""
    done = records[-1]["tokensSeen"] if records else 0
    if done >= planned:
        return 0.0
    r = rate(records, window)
    return (planned - done) / r if r else None


def postfix(records: Sequence[Dict[str, float]], planned: float) -> str:
    """The text after the bar: eta, tokens/s, FVU, L0, dead % (in the deadTokens window, and
    since the start), epoch."""
    if not records:
        return "waiting for the first round"
    last, r = records[-1], rate(records)
    never = last.get("neverFiredFraction")
    return "eta %s, %s tok/s, fvu %.4f, l0 %.1f, dead %.1f%%%s, epoch %d" % (
        duration(eta(records, planned)),
        "?" if r is None else _si(r),
        last["fvu"],
        last["l0"],
        100 * last["deadFraction"],
        "" if never is None else " (never fired %.1f%%)" % (100 * never),
        int(last["epoch"]) + 1,
    )


def _si(x: float) -> str:
    for unit, scale in (("M", 1e6), ("k", 1e3)):
        if abs(x) >= scale:
            return "%.1f%s" % (x / scale, unit)
    return "%.0f" % x


def _bar(**kwargs: Any) -> Any:
    """A tqdm.auto bar (widget in Jupyter/Databricks, text elsewhere); text if widgets are missing."""
    from tqdm.auto import tqdm as auto_tqdm

    try:
        return auto_tqdm(**kwargs)
    except ImportError:  # a notebook without ipywidgets
        from tqdm.std import tqdm as text_tqdm

        return text_tqdm(**kwargs)


RecordSink = Callable[[List[Dict[str, float]]], None]


class _Poller:
    """Reads the JVM RoundQueue and Spark's status tracker; owns the two bars (if shown) and
    hands new round records to `on_records` (e.g. the MLflow logger)."""

    def __init__(
        self,
        sc: Any,
        queue: Any,
        tag: str,
        show: bool = True,
        on_records: Optional[RecordSink] = None,
    ) -> None:
        self.sc, self.queue, self.tag = sc, queue, tag
        self.show, self.on_records = show, on_records
        self.fields: List[str] = list(queue.fields())
        self.records: List[Dict[str, float]] = []
        self.plan: Optional[Dict[str, float]] = None
        self.prep = (
            _bar(
                desc="topksae: read and cache", total=None, bar_format="{desc} [{elapsed}{postfix}]"
            )
            if show
            else None
        )
        self.train: Any = None
        self.broken = False

    def safe_poll(self) -> None:
        """poll, but a failing poll stops the updates, never the fit."""
        if self.broken:
            return
        try:
            self.poll()
        except Exception as e:  # noqa: BLE001 - the bar is a nicety
            self.broken = True
            import warnings

            warnings.warn("topksae: progress updates stopped: %r" % (e,))

    def poll(self) -> None:
        if self.plan is None:
            plan = self.queue.plan()
            if plan is None:
                if self.show:
                    self.prep.set_postfix_str(self._tasks(), refresh=True)
                return
            keys = (
                "rows",
                "workers",
                "roundsPerEpoch",
                "tokensDone",
                "tokensPlanned",
                "arrivedSeconds",
            )
            self.plan = dict(zip(keys, (float(v) for v in plan)))
            if self.show:
                self._start_training_bar()
        new = self._read_records()
        if new and self.on_records is not None:
            self.on_records(new)
        if self.show:
            self.train.n = int(self.records[-1]["tokensSeen"]) if self.records else self.train.n
            self.train.set_postfix_str(
                postfix(self.records, self.plan["tokensPlanned"]), refresh=True
            )

    def _start_training_bar(self) -> None:
        assert self.plan is not None
        self.prep.set_postfix_str(
            "%d rows, %d workers x %d rounds per epoch"
            % (self.plan["rows"], self.plan["workers"], self.plan["roundsPerEpoch"]),
            refresh=False,
        )
        self.prep.close()
        self.train = _bar(
            desc="topksae: train",
            total=int(self.plan["tokensPlanned"]),
            initial=int(self.plan["tokensDone"]),
            unit="tok",
            unit_scale=True,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} tokens "
            "[{elapsed}{postfix}]",
        )

    def _read_records(self) -> List[Dict[str, float]]:
        """The records that arrived since the last call (also appended to self.records)."""
        from topksae.spark import _jvm

        if self.queue.size() <= len(self.records):
            return []
        flat = _jvm.vector(self.queue.since(len(self.records)), "double")
        width = len(self.fields)
        new = [
            dict(zip(self.fields, (float(v) for v in flat[i : i + width])))
            for i in range(0, len(flat), width)
        ]
        self.records.extend(new)
        return new

    def _tasks(self) -> str:
        """Tasks done / total of the fit's running stages (Spark's status tracker)."""
        tracker = self.sc.statusTracker()
        jobs = list(self.sc._jsc.sc().statusTracker().getJobIdsForTag(self.tag))
        done = total = 0
        for job in jobs:
            info = tracker.getJobInfo(job)
            for stage in info.stageIds if info else []:
                s = tracker.getStageInfo(stage)
                if s and s.numActiveTasks + s.numCompletedTasks > 0:
                    done, total = done + s.numCompletedTasks, total + s.numTasks
        return "%d Spark jobs, tasks %d/%d" % (len(jobs), done, total) if jobs else "starting"

    def close(self, finished: bool) -> None:
        if not self.show:
            if finished:
                self.safe_poll()
            return
        if self.train is not None:
            if finished:
                self.safe_poll()
            self.train.close()
        else:
            self.prep.close()


def fit(
    java_estimator: Any, jdf: Any, show: bool = True, on_records: Optional[RecordSink] = None
) -> Any:
    """Runs ``java_estimator.fit(jdf)`` in a thread with a progress bar (if `show`), handing the
    round records to `on_records` as they arrive; returns the Java model. Ctrl-C
    (KeyboardInterrupt) cancels the fit's Spark jobs."""
    from pyspark import InheritableThread, SparkContext

    sc = SparkContext._active_spark_context
    queue = sc._jvm.topksae.spark.RoundQueue()
    est = java_estimator.copy(sc._jvm.org.apache.spark.ml.param.ParamMap())
    est.addRoundListener(queue)
    tag = "topksae-fit-" + uuid.uuid4().hex
    outcome: Dict[str, Any] = {}

    def run() -> None:
        sc.addJobTag(tag)
        try:
            outcome["model"] = est.fit(jdf)
        except BaseException as e:  # re-raised in the caller's thread
            outcome["error"] = e
        finally:
            sc.removeJobTag(tag)

    poller = _Poller(sc, queue, tag, show, on_records)
    worker = InheritableThread(target=run, daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(POLL_SECONDS)
            poller.safe_poll()
    except KeyboardInterrupt:
        sc.cancelJobsWithTag(tag)
        worker.join()
        poller.close(False)
        raise
    poller.close("error" not in outcome)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["model"]
