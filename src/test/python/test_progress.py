"""fit's progress bar: read-and-cache phase, then tokens with FVU, L0, dead %, tokens/s, ETA."""

import re

import pytest

from topksae.spark import TopKSAEEstimator, TopKSAEModel, _progress

NB, K = 32, 4


def estimator(**extra):
    kw = dict(
        nbConcepts=NB, topK=K, batchSize=64, localSteps=2, maxEpochs=3, learningRate=2e-2, seed=3
    )
    kw.update(extra)
    return TopKSAEEstimator(**kw)


def record(tokens_seen, arrived, tokens=100, seconds=1.0):
    return {
        "epoch": 0,
        "tokens": tokens,
        "tokensSeen": tokens_seen,
        "seconds": seconds,
        "arrivedSeconds": arrived,
        "fvu": 0.5,
        "l0": 4.0,
        "deadFraction": 0.25,
        "neverFiredFraction": 0.5,
    }


def test_eta_uses_the_recent_rounds_not_the_first():
    # round 1 took 30 s (start-up), the next ones 1 s per 100 tokens
    recs = [record(100, 30.0, seconds=30.0)] + [
        record(100 * i, 30.0 + (i - 1)) for i in range(2, 7)
    ]
    assert _progress.rate(recs) == pytest.approx(100.0)
    assert _progress.eta(recs, planned=1600) == pytest.approx(10.0)
    assert _progress.rate(recs[:1]) == pytest.approx(100 / 30.0)  # one record: its own rate
    assert _progress.eta(recs, planned=600) == 0.0
    assert _progress.eta([], planned=600) is None


def test_eta_follows_a_slow_down_within_the_window():
    fast = [record(100 * i, float(i)) for i in range(1, 40)]
    slow = [record(3900 + 100 * i, 39.0 + 4 * i) for i in range(1, 25)]
    assert _progress.rate(fast + slow) == pytest.approx(25.0)  # 100 tokens per 4 s


def test_postfix_names_every_metric():
    text = _progress.postfix([record(100, 1.0), record(200, 2.0)], planned=1000)
    for part in (
        "eta 0:00:08",
        "100 tok/s",
        "fvu 0.5000",
        "l0 4.0",
        "dead 25.0% (never fired 50.0%)",
        "epoch 1",
    ):
        assert part in text, text


def test_auto_is_off_in_batch_runs_and_the_environment_switches_it(monkeypatch):
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION", raising=False)
    monkeypatch.delenv(_progress.ENV, raising=False)
    monkeypatch.setattr(_progress, "interactive", lambda: False)
    assert not _progress.wanted(None)
    monkeypatch.setattr(_progress, "interactive", lambda: True)
    assert _progress.wanted(None)
    monkeypatch.setenv(_progress.ENV, "0")
    assert not _progress.wanted(None)
    assert _progress.wanted(True) and not _progress.wanted(False)


def test_databricks_and_the_prompt_count_as_interactive(monkeypatch):
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION", raising=False)
    assert not _progress.interactive()  # pytest captures stderr: no tty, no prompt
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "15.4")
    assert _progress.interactive()
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION")
    monkeypatch.setattr("sys.ps1", ">>> ", raising=False)
    assert _progress.interactive()


def test_fit_shows_both_stages_and_the_metrics(activations, capsys):
    model = estimator(progress=True).fit(activations)
    err = capsys.readouterr().err
    assert "topksae: read and cache" in err
    assert re.search(r"600 rows, 2 workers x \d+ rounds per epoch", err), err
    final = [l for l in re.split(r"[\r\n]", err) if "topksae: train" in l][-1]
    assert "100%" in final and "1.80k/1.80k tokens" in final, final  # 600 rows x 3 epochs
    for part in ("eta 0:00:00", "tok/s", "fvu 0.", "l0 4.0", "dead ", "epoch 3"):
        assert part in final, final
    assert isinstance(model, TopKSAEModel) and model.hasSummary
    assert model.summary.column("tokensSeen")[-1] == 1800
    assert (model.getNbConcepts(), model.getMaxEpochs()) == (NB, 3)


def test_fit_respects_max_tokens_in_the_bar_total(activations, capsys):
    estimator(progress=True, maxTokens=500).fit(activations)
    err = capsys.readouterr().err
    assert "/500 tokens" in err, err


def test_progress_off_prints_nothing(activations, capsys):
    est = estimator(maxEpochs=1).setProgress(False)
    est.fit(activations)
    assert "topksae:" not in capsys.readouterr().err


def test_default_in_a_batch_run_prints_nothing(activations, capsys, monkeypatch):
    monkeypatch.delenv(_progress.ENV, raising=False)
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION", raising=False)
    assert estimator().getProgress() is None
    estimator(maxEpochs=1).fit(activations)
    assert "topksae:" not in capsys.readouterr().err
    monkeypatch.setenv(_progress.ENV, "1")
    estimator(maxEpochs=1).fit(activations)
    assert "topksae: train" in capsys.readouterr().err


def test_a_failing_fit_raises_its_own_error_through_the_bar(activations):
    with pytest.raises(Exception, match="'nope' does not exist"):
        estimator(progress=True, inputCol="nope").fit(activations)
    with pytest.raises(Exception, match="exceeds nbConcepts"):
        estimator(progress=True, topK=NB + 1).fit(activations)


def test_progress_is_kept_by_copy_but_not_sent_to_the_jvm(spark):
    est = estimator(progress=False)
    assert est.copy().getProgress() is False
    est._transfer_params_to_java()
    assert not est._java_obj.hasParam("progress")


class Stage:
    def __init__(self, stage_id, num_tasks, num_completed_tasks, done):
        self.stage_id, self.num_tasks = stage_id, num_tasks
        self.num_completed_tasks, self.done = num_completed_tasks, done


def test_connect_bar_counts_the_fit_operations_tasks(capsys):
    from topksae.spark import _connect_progress

    bar = _connect_progress.StageBar()
    bar([Stage(0, 2, 2, True), Stage(1, 4, 1, False)], 3, "op-fit", False)
    bar([Stage(7, 100, 100, True)], 0, "op-other", False)  # another operation: ignored
    assert (bar.bar.n, bar.bar.total, bar.calls) == (3, 6, 1)
    bar([Stage(0, 2, 2, True), Stage(1, 4, 4, True), Stage(2, 1, 0, False)], 1, "op-fit", False)
    assert (bar.bar.n, bar.bar.total) == (6, 7)
    rounds = [dict(record(100 * i, float(i)), fvu=0.25, l0=3.5) for i in range(1, 5)]
    bar.close(_connect_progress.closing_text(rounds))
    err = capsys.readouterr().err
    assert "6/7 Spark tasks" in err and "stages 2/3, 1 tasks running" in err, err
    assert "done: 4 rounds, 400 tokens, fvu 0.2500, l0 3.5, dead 25.0%" in err, err
    assert _connect_progress.tally([]) == (0, 0, 0, 0)
    assert _connect_progress.closing_text([]) == "done: no rounds"


def test_connect_fit_hands_the_summary_rounds_on_and_removes_its_handler(capsys):
    from topksae.spark import _connect_progress

    class Summary:
        rounds = [record(100, 1.0), record(200, 2.0)]

    class Model:
        summary = Summary()

    class Session:
        handlers = []

        def registerProgressHandler(self, h):
            self.handlers.append(h)

        def removeProgressHandler(self, h):
            self.handlers.remove(h)

    spark, logged = Session(), []

    def run():
        assert len(spark.handlers) == 1  # the bar listens while the fit runs
        spark.handlers[0]([Stage(0, 2, 1, False)], 1, "op", False)
        return Model()

    model = _connect_progress.fit(spark, run, show=True, on_records=logged.extend)
    assert isinstance(model, Model) and logged == Summary.rounds and spark.handlers == []
    assert "done: 2 rounds, 200 tokens" in capsys.readouterr().err

    def fails():
        raise ValueError("server said no")

    with pytest.raises(ValueError, match="server said no"):
        _connect_progress.fit(spark, fails, show=True, on_records=logged.extend)
    assert spark.handlers == [] and "failed" in capsys.readouterr().err
